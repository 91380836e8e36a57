/**
 * Reads a CAIP-122 sign-in message (EIP-4361 on EVM, the Solana SIWX format on Solana) line by line. Structure only:
 * callers check the values. Written here because no library parses both: `@x402/extensions` formats them but has no
 * parser, viem's and `siwe`'s parsers only know `Ethereum account` headers with 0x addresses and numeric chain ids.
 *
 * @internal
 */
import * as Either from "effect/Either"

/** A message's fields as written (`chainReference`: the `Chain ID` line, `undefined` without one). */
export interface Parsed {
  readonly domain: string
  readonly namespace: "eip155" | "solana"
  readonly address: string
  readonly statement?: string | undefined
  readonly uri: string
  readonly version: string
  readonly chainReference?: string | undefined
  readonly nonce: string
  readonly issuedAt: string
  readonly expirationTime?: string | undefined
  readonly notBefore?: string | undefined
  readonly requestId?: string | undefined
  readonly resources?: ReadonlyArray<string> | undefined
}

/** Why a message does not read (`emptyNonce`: it has a `Nonce` line without a value). */
export interface Unreadable {
  readonly emptyNonce: boolean
  readonly detail: string
}

const HEADER =
  /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?([^\s/?#]+) wants you to sign in with your (Ethereum|Solana) account:$/
const TAGS = [
  "URI",
  "Version",
  "Chain ID",
  "Nonce",
  "Issued At",
  "Expiration Time",
  "Not Before",
  "Request ID"
] as const
const TAGGED = /^(URI|Version|Chain ID|Nonce|Issued At|Expiration Time|Not Before|Request ID):[ \t]?(.*)$/

type Tag = (typeof TAGS)[number]

const unreadable = (detail: string, emptyNonce = false) => Either.left<Unreadable>({ emptyNonce, detail })

/**
 * The fields of a message: header line, address line, an empty line, an optional statement (followed by an empty
 * line, or a lone empty line as EIP-4361 writes "no statement"), then the tagged lines in their canonical order and
 * an optional `Resources:` list.
 */
export const parse = (message: string): Either.Either<Parsed, Unreadable> => {
  const lines = message.split("\n")
  const header = HEADER.exec(lines[0] ?? "")
  if (header === null || lines.length < 4 || lines[2] !== "") {
    return unreadable("no CAIP-122 header (`<domain> wants you to sign in with your … account:`)")
  }
  let index = 3
  let statement: string | undefined
  if (lines[index] === "") index++
  // `lines[3]` exists: the header check above required at least four lines
  else if (!lines[index]!.startsWith("URI:")) {
    statement = lines[index]
    if (lines[index + 1] !== "") return unreadable("the statement must be followed by an empty line")
    index += 2
  }
  const tags = new Map<Tag, string>()
  let resources: Array<string> | undefined
  for (let last = -1; index < lines.length; index++) {
    const line = lines[index]! // index < lines.length: the loop's condition
    if (line === "Resources:") {
      resources = lines.slice(index + 1).map((item) => (item.startsWith("- ") ? item.slice(2) : ""))
      if (resources.some((item) => item.length === 0)) return unreadable("a Resources entry is not `- <uri>`")
      break
    }
    const tagged = TAGGED.exec(line)
    const position = tagged === null ? -1 : TAGS.findIndex((tag) => tag === tagged[1])
    if (tagged === null || position <= last) return unreadable(`unexpected line ${index + 1}`)
    last = position
    // position is a found index of TAGS; group 2 of TAGGED always participates (it may be empty)
    tags.set(TAGS[position]!, tagged[2]!)
  }
  const [uri, version, nonce, issuedAt] = (["URI", "Version", "Nonce", "Issued At"] as const).map((t) => tags.get(t))
  if (nonce !== undefined && nonce.trim() === "") return unreadable("the Nonce line is empty", true)
  if (uri === undefined || version === undefined || nonce === undefined || issuedAt === undefined) {
    return unreadable("missing URI, Version, Nonce or Issued At line")
  }
  // HEADER's groups 1 and 2 always participate in a match, and `lines[1]` exists (at least four lines)
  return Either.right({
    domain: header[1]!, // group 1 always participates
    namespace: header[2] === "Solana" ? "solana" : "eip155",
    address: lines[1]!, // at least four lines
    uri,
    version,
    nonce,
    issuedAt,
    statement,
    chainReference: tags.get("Chain ID"),
    expirationTime: tags.get("Expiration Time"),
    notBefore: tags.get("Not Before"),
    requestId: tags.get("Request ID"),
    resources
  })
}
