/**
 * Venice's x402 documents (skills venice-x402, venice-auth, venice-errors §8): the discovery 402 (E7a), the
 * insufficient-balance 402 (E7b), the top-up requirements, the SIWX challenge, and the `PAYMENT-REQUIRED` header
 * (base64 JSON of the x402 v2 `PaymentRequired`, encoded with core's codec).
 */
import * as X402 from "@venice-effect/core/X402"
import * as Schema from "effect/Schema"

/** Native USDC on Base. */
export const USDC_BASE = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
/** USDC mint on Solana. */
export const USDC_SOLANA = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
/** CAIP-2 id of Solana mainnet. */
export const SOLANA_MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
/** CAIP-2 id of Base mainnet. */
export const BASE_MAINNET = "eip155:8453"

/** The x402 settings the documents need. */
export interface X402Settings {
  readonly payTo: string
  readonly solanaPayTo: string
  readonly solanaFeePayer: string
  /** List Solana before Base in `accepts[]`. */
  readonly solanaFirst: boolean
  readonly domain: string
  readonly minimumBalanceUsd: number
  readonly suggestedTopUpUsd: number
  readonly minimumTopUpUsd: number
  readonly maximumTopUpUsd: number
}

const usdToAtomic = (usd: number): string => String(Math.round(usd * 1_000_000))

/**
 * How the Solana rail's `network` is spelled: its CAIP-2 id (the default everywhere), or the bare `solana` that Venice's
 * inference challenges send today (skill venice-x402), under the `BareSolanaNetwork` fault.
 */
export type SolanaNetwork = "solana" | typeof SOLANA_MAINNET

/** One `accepts[]` entry per rail. */
export const accepts = (
  settings: X402Settings,
  priceUsd: number,
  solanaNetwork: SolanaNetwork
): ReadonlyArray<X402.PaymentRequirements> => {
  const [base, solana] = rails(settings, priceUsd, solanaNetwork)
  return settings.solanaFirst ? [solana, base] : [base, solana]
}

const rails = (
  settings: X402Settings,
  priceUsd: number,
  solanaNetwork: SolanaNetwork
): readonly [X402.PaymentRequirements, X402.PaymentRequirements] => [
  {
    scheme: "exact",
    network: BASE_MAINNET,
    amount: usdToAtomic(priceUsd),
    asset: USDC_BASE,
    payTo: settings.payTo,
    maxTimeoutSeconds: 300,
    extra: { name: "USD Coin", version: "2" }
  },
  {
    scheme: "exact",
    network: solanaNetwork,
    amount: usdToAtomic(priceUsd),
    asset: USDC_SOLANA,
    payTo: settings.solanaPayTo,
    maxTimeoutSeconds: 300,
    extra: { name: "USD Coin", version: "2", feePayer: settings.solanaFeePayer }
  }
]

/**
 * The SIWX challenge: fresh nonce, issued now, valid 5 minutes, bound to the emulator's public origin (x402's origin
 * binding: `domain` is the host of `resourceUrl`, `uri` the resource itself), as Venice binds its own to the host the
 * client called.
 */
export const challenge = (
  settings: X402Settings,
  resourceUrl: string,
  nowMillis: number,
  nonce: string
): X402.SignInWithXExtension => ({
  info: {
    domain: new URL(resourceUrl).host,
    uri: resourceUrl,
    version: "1",
    nonce,
    issuedAt: new Date(nowMillis).toISOString(),
    expirationTime: new Date(nowMillis + 5 * 60_000).toISOString(),
    statement: "Sign in to Venice AI"
  },
  supportedChains: [
    { chainId: BASE_MAINNET, type: "eip191" },
    { chainId: BASE_MAINNET, type: "eip1271" },
    { chainId: SOLANA_MAINNET, type: "ed25519" }
  ]
})

const resource = (url: string): X402.ResourceInfo => ({ url, description: "Venice API", mimeType: "application/json" })

const encodeHeader = Schema.encodeSync(X402.PaymentRequiredHeader)

/** A 402 document: the body and the `PAYMENT-REQUIRED` header value. */
export interface Document {
  readonly body: Record<string, unknown>
  readonly header: string
}

/**
 * E7a — no credentials: the x402 v2 object plus `authOptions`. `accepts` is empty on `/x402/balance` and
 * `/x402/transactions`, priced at $10 per rail elsewhere.
 */
export const discovery = (
  settings: X402Settings,
  options: {
    readonly resourceUrl: string
    readonly nowMillis: number
    readonly nonce: string
    readonly priced: boolean
    readonly solanaNetwork?: SolanaNetwork | undefined
  }
): Document => {
  const paymentRequired: X402.PaymentRequired = {
    x402Version: 2,
    error: "Authentication required",
    resource: resource(options.resourceUrl),
    accepts: options.priced
      ? accepts(settings, settings.suggestedTopUpUsd, options.solanaNetwork ?? SOLANA_MAINNET)
      : [],
    extensions: { [X402.SIGN_IN_WITH_X]: challenge(settings, options.resourceUrl, options.nowMillis, options.nonce) }
  }
  return {
    body: {
      ...paymentRequired,
      authOptions: {
        apiKey: {
          header: "Authorization: Bearer YOUR_API_KEY",
          getKey: "https://venice.ai/settings/api",
          docs: "https://docs.venice.ai/api-reference/api-spec"
        },
        x402Wallet: {
          header: "SIGN-IN-WITH-X",
          legacyHeader: "X-Sign-In-With-X",
          topUp: "POST /api/v1/x402/top-up",
          docs: "https://docs.venice.ai/guides/integrations/x402-venice-api"
        }
      }
    },
    header: encodeHeader(paymentRequired)
  }
}

/** E7b — a signed-in wallet below the minimum balance. */
export const paymentRequired = (
  settings: X402Settings,
  options: {
    readonly resourceUrl: string
    readonly nowMillis: number
    readonly nonce: string
    readonly currentBalanceUsd: number | undefined
    readonly message?: string | undefined
    readonly solanaNetwork?: SolanaNetwork | undefined
  }
): Document => {
  const siwx = challenge(settings, options.resourceUrl, options.nowMillis, options.nonce)
  const header: X402.PaymentRequired = {
    x402Version: 2,
    error: "Payment required",
    resource: resource(options.resourceUrl),
    accepts: accepts(settings, settings.suggestedTopUpUsd, options.solanaNetwork ?? SOLANA_MAINNET),
    extensions: { [X402.SIGN_IN_WITH_X]: siwx }
  }
  return {
    body: {
      error: options.message ?? "Payment required",
      code: "PAYMENT_REQUIRED",
      reason: "insufficient_balance",
      ...(options.currentBalanceUsd !== undefined ? { currentBalanceUsd: options.currentBalanceUsd } : {}),
      minimumBalanceUsd: settings.minimumBalanceUsd,
      description: "Venice API",
      suggestedTopUpUsd: settings.suggestedTopUpUsd,
      minimumTopUpUsd: settings.minimumTopUpUsd,
      supportedTokens: ["USDC"],
      supportedChains: ["base", "solana"],
      topUpInstructions: {
        step1: "POST /api/v1/x402/top-up with no payment header to get payment requirements",
        step2:
          "Choose a payment option from accepts and sign a USDC transfer authorization using the x402 SDK (createPaymentHeader)",
        step3: "POST /api/v1/x402/top-up with the signed X-402-Payment header",
        receiverWallet: settings.payTo,
        tokenAddress: USDC_BASE,
        tokenDecimals: 6,
        network: BASE_MAINNET,
        minimumAmountUsd: settings.minimumTopUpUsd
      },
      siwxChallenge: siwx
    },
    header: encodeHeader(header)
  }
}

/**
 * The top-up discovery: `POST /x402/top-up` without a payment header. The body is the x402 v2 requirements object
 * (one entry per rail at the minimum top-up, CAIP-2 networks); the `PAYMENT-REQUIRED` header carries the same
 * requirements with the `error` and `resource` the x402 v2 document has.
 */
export const topUpRequirements = (
  settings: X402Settings,
  resourceUrl: string,
  solanaNetwork: SolanaNetwork = SOLANA_MAINNET
): Document => {
  const document: X402.PaymentRequired = {
    x402Version: 2,
    error: "Payment required",
    resource: { url: resourceUrl, description: "Venice x402 top-up", mimeType: "application/json" },
    accepts: accepts(settings, settings.minimumTopUpUsd, solanaNetwork)
  }
  // the body is the spec's requirements object (x402Version and accepts only; skill venice-x402 §1); the header keeps
  // the whole x402 v2 document, resource included
  return { body: { x402Version: document.x402Version, accepts: document.accepts }, header: encodeHeader(document) }
}
