/**
 * A client's base URL, checked when the client is built (B4): a value that is not an absolute `http:` or
 * `https:` URL (`"not a url"`, `file:///…`, `http://[::1`) fails the layer with a typed {@link InvalidBaseUrlError}
 * instead of becoming, call after call, retried "connection reset" errors.
 *
 * @example
 * ```ts
 * import * as BaseUrl from "@venice-effect/core/BaseUrl"
 *
 * BaseUrl.validate("venice", "https://api.venice.ai/api/v1/") // Right("https://api.venice.ai/api/v1")
 * BaseUrl.validate("venice", "file:///etc/passwd") // Left(InvalidBaseUrlError)
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as SafeUrl from "./SafeUrl.js"

/**
 * The configured base URL cannot be used: nothing was sent. `baseUrl` is the value given, with any credentials or
 * secret-looking parameters masked.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidBaseUrlError extends Schema.TaggedError<InvalidBaseUrlError>()("InvalidBaseUrlError", {
  /** The provider whose client was being built (`venice`, `novita`). */
  provider: Schema.String,
  baseUrl: Schema.String,
  message: Schema.String
}) {}

/**
 * Checks a base URL and returns it without trailing slashes (paths are appended as `/<path>`). It must parse as an
 * absolute URL, use `http:` or `https:`, name a host, and carry no query or fragment (they would end up in the
 * middle of every request's URL).
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (provider: string, input: string | URL): Either.Either<string, InvalidBaseUrlError> => {
  const text = typeof input === "string" ? input : input.href
  const fail = (why: string) =>
    Either.left(
      new InvalidBaseUrlError({
        provider,
        baseUrl: SafeUrl.sanitize(text),
        message: `${provider} client: invalid baseUrl ${
          JSON.stringify(SafeUrl.sanitize(text))
        } — ${why}; nothing was sent`
      })
    )
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return fail("not an absolute URL")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail(`the scheme must be http: or https:, not ${url.protocol}`)
  }
  if (url.hostname === "") return fail("no host")
  if (url.search !== "" || url.hash !== "") return fail("a base URL has no query or fragment")
  return Either.right(text.trim().replace(/\/+$/, ""))
}
