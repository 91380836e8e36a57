/**
 * Declares, for the whole program, that its Venice calls may fail with a `WalletError` (signing, a refused payment, a
 * failed top-up): import it once in a program that authenticates with a wallet —
 * `import type {} from "@venice-effect/venice/WalletErrors"` — and every call's error type names `WalletError`, and
 * the wallet's client layers (`VeniceWallet.layerClient`, `PaymentPolicy.layerClient`) can be provided. A program
 * that uses no wallet never imports it: its calls' error types name no wallet error. Not re-exported by the package
 * root (importing the root must not declare it).
 *
 * @since 0.2.0
 */
import type * as WalletError from "./WalletError.js"

declare module "./VeniceClient.js" {
  interface AuthenticatorErrors {
    /** A wallet's errors (see `WalletError`). */
    readonly wallet: WalletError.WalletError
  }
}
