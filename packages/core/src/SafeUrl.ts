/**
 * URLs as they may appear in errors, logs and spans (O1, O3): credentials in the userinfo part and
 * secret-looking query parameters are replaced, everything else (host, path, ordinary parameters) is kept so the
 * URL still says which call failed.
 *
 * @since 0.1.0
 */

const SECRET_PARAM = /key|token|secret|signature|sig|auth|password|credential|siwx|payment/i

/**
 * Returns the URL with secrets masked. Unparseable input is returned cut to 200 characters with any
 * `user:pass@` removed. Total.
 *
 * @since 0.1.0
 * @category utils
 */
export const sanitize = (url: string | URL): string => {
  if (typeof url !== "string") return sanitizeUncached(url)
  const cached = sanitized.get(url)
  if (cached !== undefined) return cached
  const result = sanitizeUncached(url)
  // a client calls a handful of URLs: remember the last ones (a plain bound, not an LRU)
  if (sanitized.size >= SANITIZED_CACHE) sanitized.clear()
  sanitized.set(url, result)
  return result
}

const SANITIZED_CACHE = 256
const sanitized = new Map<string, string>()

const sanitizeUncached = (url: string | URL): string => {
  let parsed: URL
  try {
    parsed = typeof url === "string" ? new URL(url) : new URL(url.href)
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, "//").slice(0, 200)
  }
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = ""
    parsed.password = ""
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, "<redacted>")
  }
  parsed.hash = ""
  return parsed.href.replace(/%3Credacted%3E/g, "<redacted>")
}
