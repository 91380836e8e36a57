/**
 * `venice chat`, run as the built command: against the embedded emulator (no `VENICE_API_KEY`), and against an
 * emulator of this test process named by `VENICE_BASE_URL` + `VENICE_API_KEY` (the "calls Venice" path), where faults
 * are scripted to make the client wait. Checks output, the one-line notice, rendered errors, exit codes, and that
 * the status line never puts control sequences into piped output.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Effect from "effect/Effect"
import { bin, CONTROL, emulatorFixture, eventually, hasPty, run, runInPty, startInPty, startPiped } from "./support.js"

const REPLY = "Hello from the Venice emulator. This reply is generated locally, token by"
/**
 * A 429 as Venice sends it: `Retry-After: 1` and a request window that resets in one second (the client waits for
 * the later of the two, so a window announced to reset in a minute would make it wait a minute).
 */
const rateLimited = () =>
  Faults.error("RATE_LIMIT_EXCEEDED", {
    retryAfter: 1,
    rateLimit: { limit: 75, remaining: 0, reset: Date.now() + 1_000 }
  })

const EMBEDDED =
  /^venice: no VENICE_API_KEY set — using the embedded Venice emulator at http:\/\/127\.0\.0\.1:\d+\/api\/v1\n/

describe("venice chat against the embedded emulator (no VENICE_API_KEY)", () => {
  it("streams the answer to stdout; one notice line on stderr", async () => {
    const r = await run(["chat", "hi"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${REPLY}\n`)
    expect(r.stderr).toMatch(EMBEDDED)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
  })

  it("--json while streaming prints each chunk as one JSON line (JSON Lines), as Venice sent them", async () => {
    const r = await run(["chat", "hi", "--json"])
    expect(r.code).toBe(0)
    const chunks = r.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
    expect(chunks.length).toBeGreaterThan(2)
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "venice-uncensored" })
    }
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(REPLY)
  })

  it("--no-stream --json prints the completion as JSON", async () => {
    const r = await run(["chat", "hi", "--no-stream", "--json"])
    expect(r.code).toBe(0)
    const completion = JSON.parse(r.stdout)
    expect(completion).toMatchObject({ object: "chat.completion", model: "venice-uncensored" })
    expect(completion.choices[0].message.content).toBe(REPLY)
  })

  it("an API error (unknown model → 404) is rendered with its code and remedy; exit 1", async () => {
    const r = await run(["chat", "hi", "--model", "venice-no-such-model"])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    const lines = r.stderr.trimEnd().split("\n")
    expect(`${lines[0]}\n`).toMatch(EMBEDDED)
    expect(lines[1]).toBe("✗ 404 MODEL_NOT_FOUND — Specified model not found: venice-no-such-model")
    expect(lines[2]).toMatch(/^ {2}what to do: Use a model id from GET \/models/)
    expect(lines[3]).toMatch(/correlation ve-[0-9a-f-]+ · attempt 1$/)
  })

  it("--no-stream --json renders an API error as JSON on stdout; exit 1", async () => {
    const r = await run(["chat", "hi", "--model", "venice-no-such-model", "--no-stream", "--json"])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: "VeniceStandardError",
      code: "MODEL_NOT_FOUND",
      status: 404,
      retryClass: "never",
      attempt: 1
    })
  })

  it.each([
    [["chat"], "Missing argument"],
    [["chat", "hi", "--max-retries", "99"], "venice: --max-retries must be between 0 and 20"],
    [["chat", "hi", "--max-retries", "many"], "many"],
    [["chat", "hi", "--timeout", "soon"], "--timeout: 'soon' is not a duration"],
    [["chat", "--bogus", "hi"], "venice: unknown option --bogus for `venice chat` (it takes --model,"],
    [["chat", "hi", "--bogus"], "venice: unknown option --bogus for `venice chat`"],
    [["--bogus", "hi"], "venice: unknown option --bogus for `venice`"]
  ])("a usage error exits 2 without calling anything: %j", async (args, message) => {
    const r = await run(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain(message)
    expect(r.stderr).not.toContain("using the embedded")
    expect(r.stderr).not.toMatch(CONTROL)
  })
})

describe("venice chat with VENICE_API_KEY + VENICE_BASE_URL (an emulator of the test process stands in for Venice)", () => {
  const KEY = "cli-test-key"
  const fixture = emulatorFixture({ keys: [KEY] })
  const env = () => ({ VENICE_API_KEY: KEY, VENICE_BASE_URL: fixture.emulator.baseUrl })
  const statuses = () => fixture.do((emu) => Effect.map(emu.requests, (rs) => rs.map((r) => r.status)))

  beforeAll(fixture.start)
  afterAll(fixture.stop)
  beforeEach(() => fixture.do((emu) => emu.reset))

  it("calls the given base URL with the key and says so in one line", async () => {
    const r = await run(["chat", "hi"], { env: env() })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${REPLY}\n`)
    expect(r.stderr).toBe(`venice: calling ${fixture.emulator.baseUrl}\n`)
    expect(await fixture.do((emu) => emu.count({ key: KEY, route: "chat/completions" }))).toBe(1)
  })

  it("a 429 with Retry-After: the status line says why and how long, as plain lines; stdout stays clean", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, rateLimited()))
    const r = await run(["chat", "hi"], { env: env() })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${REPLY}\n`)
    expect(r.stdout).not.toMatch(CONTROL)
    expect(r.stderr).not.toMatch(CONTROL)
    const lines = r.stderr.trimEnd().split("\n")
    expect(lines[0]).toBe(`venice: calling ${fixture.emulator.baseUrl}`)
    expect(lines[1]).toMatch(/^429 RATE_LIMIT_EXCEEDED · waiting 1\.\d s \(retry-after\) · attempt 2\/5$/)
    expect(lines).toHaveLength(2)
    expect(await statuses()).toEqual([429, 200])
    // the server's own log: the second request came at least the announced second after the 429 went out
    const [refused, answered] = await fixture.do((emu) => emu.requests)
    expect(answered!.at - refused!.answeredAt).toBeGreaterThanOrEqual(1_000)
  })

  it("--no-stream --json after 503s with backoff: stdout is exactly the JSON", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 2, Faults.error("MODEL_AT_CAPACITY")))
    const r = await run(["chat", "hi", "--no-stream", "--json", "--max-retries", "2"], { env: env() })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).choices[0].message.content).toBe(REPLY)
    expect(r.stderr).not.toMatch(CONTROL)
    expect(r.stderr).toMatch(/^503 MODEL_AT_CAPACITY · waiting 0\.\d s \(backoff\) · attempt 2\/3$/m)
    expect(r.stderr).toMatch(/^503 MODEL_AT_CAPACITY · waiting [01]\.\d s \(backoff\) · attempt 3\/3$/m)
    expect(await statuses()).toEqual([503, 503, 200])
  })

  it(
    "the SDK's log lines (a 500 logs at error) stay off by default; --log-level sends them to stderr, never stdout",
    async () => {
      await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.error("INFERENCE_FAILED")))
      const quiet = await run(["chat", "hi"], { env: env() })
      expect(quiet.code).toBe(0)
      expect(quiet.stdout).toBe(`${REPLY}\n`)
      expect(quiet.stderr.trimEnd().split("\n")).toEqual([
        `venice: calling ${fixture.emulator.baseUrl}`,
        expect.stringMatching(/^500 INFERENCE_FAILED · waiting 0\.\d s \(backoff\) · attempt 2\/5$/)
      ])

      await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.error("INFERENCE_FAILED")))
      const verbose = await run(["chat", "hi", "--log-level", "warning"], { env: env() })
      expect(verbose.code).toBe(0)
      expect(verbose.stdout).toBe(`${REPLY}\n`)
      expect(verbose.stderr).toMatch(/ERROR \(#\d+\): venice chat\.completions failed\n/)
      expect(verbose.stderr).toContain("venice.code: INFERENCE_FAILED")
      expect(verbose.stderr).not.toMatch(CONTROL)
    },
    60_000
  ) // two runs: a bound, not a measurement

  it("--max-retries bounds the attempts; the last error is rendered; exit 1", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 5, Faults.error("MODEL_AT_CAPACITY")))
    const r = await run(["chat", "hi", "--max-retries", "1"], { env: env() })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("✗ 503 MODEL_AT_CAPACITY")
    expect(r.stderr).toMatch(/· attempt 2$/m)
    expect(await statuses()).toEqual([503, 503])
  })

  it("--fallback: an overloaded model moves the call to the next one at once", async () => {
    await fixture.do((emu) => emu.setOverloaded("venice-uncensored", 30))
    try {
      const r = await run(["chat", "hi", "--no-stream", "--json", "--fallback", "zai-org-glm-5-1"], { env: env() })
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout).model).toBe("zai-org-glm-5-1")
      // not the 30 s Retry-After: no wait was shown, and the next model was asked right after the 429
      expect(r.stderr).not.toContain("waiting")
      expect(await fixture.do((emu) => Effect.map(emu.requests, (rs) => rs.map((q) => `${q.status} ${q.model}`))))
        .toEqual([
          "429 venice-uncensored",
          "200 zai-org-glm-5-1"
        ])
    } finally {
      await fixture.do((emu) => emu.setOverloaded("venice-uncensored", false))
    }
  })

  it("--emulator uses the embedded emulator even with a key, and says so", async () => {
    const r = await run(["chat", "hi", "--emulator"], { env: env() })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${REPLY}\n`)
    expect(r.stderr).toMatch(
      /^venice: --emulator — using the embedded Venice emulator at http:\/\/127\.0\.0\.1:\d+\/api\/v1\n$/
    )
    expect(await statuses()).toEqual([])
  })

  it("--timeout bounds the whole call: a stalled request is cancelled and rendered; exit 1", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.stall))
    const r = await run(["chat", "hi", "--timeout", "300ms"], { env: env() })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr.trimEnd().split("\n").slice(1)).toEqual([
      "✗ no answer within 300ms (--timeout); the call was cancelled",
      "  what to do: raise --timeout, or try again later"
    ])
  })

  it("--timeout with --json: the failure is JSON on stdout", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.stall))
    const r = await run(["chat", "hi", "--no-stream", "--json", "--timeout", "0.3"], { env: env() })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toEqual({
      error: "DeadlineExceeded",
      message: "no answer within 300ms (--timeout); the call was cancelled"
    })
  })

  it("Ctrl-C (SIGINT) while a request is in flight: nothing printed on stdout, exit 130", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.stall))
    const started = startPiped(["chat", "hi"], { env: env() })
    await eventually(async () => (await statuses()).length === 1)
    started.child.kill("SIGINT")
    const r = await started.done
    expect(r.code).toBe(130)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(`venice: calling ${fixture.emulator.baseUrl}\n`)
  })

  it.runIf(hasPty)("Ctrl-C typed at a terminal (script -qfec) interrupts the call: exit 130", async () => {
    await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, Faults.stall))
    const started = startInPty(`'${process.execPath}' '${bin}' chat hi`, env())
    await eventually(async () => (await statuses()).length === 1)
    started.child.stdin?.write("\x03")
    const r = await started.done
    expect(r.code).toBe(130)
    expect(r.stdout).not.toContain("Hello")
    expect(r.stdout).not.toMatch(/Error|at .*\.js/) // no stack trace
  })

  it.runIf(hasPty)(
    "on a terminal (script -qfec) the status line redraws itself in place and is cleared before the answer",
    async () => {
      await fixture.do((emu) => emu.script({ route: "chat/completions" }, 1, rateLimited()))
      const r = await runInPty(`'${process.execPath}' '${bin}' chat hi`, env())
      expect(r.code).toBe(0)
      // shown with carriage return + erase line, then erased the same way before the first token
      expect(r.stdout).toMatch(
        // eslint-disable-next-line no-control-regex
        /\r\x1b\[2K429 RATE_LIMIT_EXCEEDED · waiting 1\.\d s \(retry-after\) · attempt 2\/5\r\x1b\[2KHello from/
      )
      expect(r.stdout).toContain(REPLY)
    }
  )
})
