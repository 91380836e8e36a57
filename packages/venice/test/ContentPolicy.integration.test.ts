/**
 * Content policy (R5) against the emulator: `/audio/queue` answers `422` with `suggested_prompt`; the call is
 * retried once with the suggested prompt only when the consent policy says yes, and the retry shows in the spans.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Audio from "../src/Audio.js"
import * as ContentPolicy from "../src/ContentPolicy.js"
import { layer, recordingTracer } from "./support.js"

const request = { model: "elevenlabs-music", prompt: "a song about a forbidden thing, loud" }
const SUGGESTED = "a song about a gentle thing, loud"

const refuse422 = (suggestedPrompt: string | undefined) =>
  Faults.error("CONTENT_POLICY_VIOLATION", suggestedPrompt === undefined ? {} : { suggestedPrompt })

describe("ContentPolicy", () => {
  it.scoped("with consent: one retry with prompt = suggested_prompt, visible in the spans", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/queue" }, 1, refuse422(SUGGESTED))
      const tracing = recordingTracer()
      const sent: Array<string> = []
      const asked: Array<ContentPolicy.ConsentRequest> = []
      const queued = yield* ContentPolicy.retryWithSuggestedPrompt(
        request,
        (req) => Effect.zipRight(Effect.sync(() => sent.push(req.prompt)), Audio.queue(req)),
        (consent) => Effect.as(Effect.sync(() => asked.push(consent)), true)
      ).pipe(Effect.withTracer(tracing.tracer))
      expect(queued.queue_id.length).toBeGreaterThan(0)
      expect(sent).toEqual([request.prompt, SUGGESTED])
      expect(asked).toHaveLength(1)
      expect(asked[0]).toMatchObject({ prompt: request.prompt, suggestedPrompt: SUGGESTED })
      expect(asked[0]!.error._tag).toBe("VeniceContentViolationError")
      expect((yield* emu.requests).map((r) => r.status)).toEqual([422, 200])

      const policySpan = tracing.records.find((r) => r.name === "venice.content_policy")!
      expect(policySpan.attributes["content_policy.consent"]).toBe(true)
      expect(policySpan.events).toMatchObject([{ name: "content_policy.retry" }])
      const calls = tracing.records.filter((r) => r.name === "venice.audio.queue")
      expect(calls).toHaveLength(2)
      expect(calls[0]!.attributes["venice.content_policy.retry"]).toBeUndefined()
      expect(calls[1]!.attributes["venice.content_policy.retry"]).toBe(true)
      // prompts are not recorded in spans, only their lengths
      expect(tracing.dump()).not.toContain(SUGGESTED)
    }).pipe(Effect.provide(layer())))

  it.scoped("default policy refuses: the 422 is the failure, one request", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/queue" }, 1, refuse422(SUGGESTED))
      const tracing = recordingTracer()
      const error = yield* Effect.flip(
        ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req)).pipe(
          Effect.withTracer(tracing.tracer)
        )
      )
      expect(error).toMatchObject({ _tag: "VeniceContentViolationError", status: 422, suggestedPrompt: SUGGESTED })
      expect(yield* emu.count({ route: "audio/queue" })).toBe(1)
      const policySpan = tracing.records.find((r) => r.name === "venice.content_policy")!
      expect(policySpan.events).toMatchObject([{ name: "content_policy.declined" }])
    }).pipe(Effect.provide(layer())))

  it.scoped("the ContentPolicy service in context decides when no consent is given", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/queue" }, 1, refuse422(SUGGESTED))
      const queued = yield* ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req)).pipe(
        Effect.provideService(ContentPolicy.ContentPolicy, ContentPolicy.accept)
      )
      expect(queued.queue_id.length).toBeGreaterThan(0)
      expect(yield* emu.count({ route: "audio/queue" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 422 without suggested_prompt is never retried and consent is not asked; a second 422 is final", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      let asked = 0
      const consent: ContentPolicy.Consent = () => Effect.sync(() => ++asked > 0)
      yield* emu.script({ route: "audio/queue" }, 1, refuse422(undefined))
      const plain = yield* Effect.flip(
        ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req), consent)
      )
      expect(plain).toMatchObject({ _tag: "VeniceContentViolationError", status: 422 })
      expect(asked).toBe(0)
      expect(yield* emu.count({ route: "audio/queue" })).toBe(1)

      yield* emu.script({ route: "audio/queue" }, 2, refuse422(SUGGESTED))
      const twice = yield* Effect.flip(
        ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req), consent)
      )
      expect(twice._tag).toBe("VeniceContentViolationError")
      expect(asked).toBe(1)
      expect(yield* emu.count({ route: "audio/queue" })).toBe(3) // the original, one retry, nothing more
    }).pipe(Effect.provide(layer())))

  it.effect("works with any prompt-carrying request through a lens", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const call = (req: { readonly input: { readonly text: string } }) =>
        Effect.suspend(() => {
          seen.push(req.input.text)
          return seen.length === 1
            ? Effect.fail(
              {
                _tag: "VeniceContentViolationError",
                suggestedPrompt: "nicer",
                status: 422,
                code: "CONTENT_POLICY_VIOLATION"
              } as never
            )
            : Effect.succeed("ok")
        })
      const lens: ContentPolicy.PromptLens<{ readonly input: { readonly text: string } }> = {
        get: (r) => r.input.text,
        set: (r, text) => ({ ...r, input: { text } })
      }
      const result = yield* ContentPolicy.retryWithSuggestedPrompt(
        { input: { text: "harsh" } },
        call,
        ContentPolicy.accept,
        lens
      )
      expect(result).toBe("ok")
      expect(seen).toEqual(["harsh", "nicer"])
    }))
})
