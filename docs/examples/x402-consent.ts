// docs/x402.md: content policy — retrying with Venice's suggested_prompt only with consent.
import { Audio, ContentPolicy } from "@venice-effect/venice"
import { Effect } from "effect"

const request = { model: "elevenlabs-music", prompt: "a song in the style of …" }

// Per call: a consent function sees the original prompt and Venice's suggestion.
const onlyShorter: ContentPolicy.Consent = ({ prompt, suggestedPrompt }) =>
  Effect.succeed(prompt !== undefined && suggestedPrompt.length <= prompt.length)
export const queued = ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req), onlyShorter)

// For a whole program: the ContentPolicy reference (default ContentPolicy.refuse).
export const everywhere = ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req)).pipe(
  Effect.provideService(ContentPolicy.ContentPolicy, ContentPolicy.accept)
)
