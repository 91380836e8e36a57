// docs/x402.md: the two SIGN-IN-WITH-X forms, one signature each, and @x402/extensions reading the structured one.
import * as Siwx from "@venice-effect/core/Siwx"
import { VeniceWallet } from "@venice-effect/venice"
import { parseSIWxHeader, verifySIWxSignature } from "@x402/extensions/sign-in-with-x"
import { Console, Effect, Redacted } from "effect"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"

const account = privateKeyToAccount(generatePrivateKey()) // a throwaway key

export const program = Effect.gen(function*() {
  // the message form (the default): { address, message, signature, chainId }, verified over the exact bytes signed
  const message = yield* Siwx.makeHeader(account, undefined, { domain: "api.venice.ai" })
  // the structured form: the x402 v2 fields; the server rebuilds the message (bare chain reference in Chain ID)
  const structured = yield* Siwx.makeHeader(account, undefined, { domain: "api.venice.ai", form: "structured" })

  // @x402/extensions' own parser and verifier take the structured form
  const fields = parseSIWxHeader(Redacted.value(structured))
  const checked = yield* Effect.promise(() => verifySIWxSignature(fields))
  yield* Console.log(fields.chainId, fields.type, checked.isValid)

  // Venice's rules (domain allow-list, 5 minutes, 30 s of skew, chain-id spellings) accept both forms
  for (const header of [message, structured]) {
    const verified = yield* Siwx.verify(header, { domain: ["api.venice.ai", "venice.ai"] })
    yield* Console.log(verified.form, verified.chain, verified.address)
  }
})

// A wallet whose client sends the structured form.
export const Wallet = VeniceWallet.layerConfig({ headerForm: "structured" })
