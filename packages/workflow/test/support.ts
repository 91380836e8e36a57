/**
 * Test support: the Venice emulator on loopback (video jobs of `JOB_MS`), a throwaway wallet (never funded anywhere)
 * with the emulator's credit, a wallet client on the emulator without in-process payments (the workflow's durable
 * top-ups pay), the file system, and workflow storage in a SQLite file of a fresh temporary folder.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// these tests sign with wallets: their calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import * as DurablePayments from "../src/DurablePayments.js"
import * as VeniceWorkflows from "../src/VeniceWorkflows.js"
import * as WorkflowStorage from "../src/WorkflowStorage.js"

export const VIDEO_MODEL = "wan-2.5-preview-text-to-video"
export const JOB_MS = 2_000
export const KEY = "workflow-test-key"

export const videoRequest = (prompt = "Venice at dawn, gondolas in the mist") => ({
  model: VIDEO_MODEL,
  prompt,
  duration: "5s",
  aspect_ratio: "16:9"
})

/** A fresh throwaway wallet key and its address. */
export const throwawayKey = () => {
  const key = generatePrivateKey()
  return { key, address: privateKeyToAccount(key).address }
}

/** A fresh temporary folder (removed when the process exits). */
export const tempDir = (label: string): string => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), `venice-workflow-${label}-`))
  process.once("exit", () => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The emulator with a wallet's credit and an API key. */
export const emulatorLayer = (address: string, balanceUsd: number, config: Emulator.Config = {}) =>
  Emulator.layer({
    keys: [KEY],
    jobs: { duration: JOB_MS },
    ...config,
    x402: { ...config.x402, wallets: { [address]: balanceUsd } }
  })

/** A wallet client on `baseUrl` (no in-process payments), with the wallet, HTTP and the file system. */
export const walletClient = (key: `0x${string}`, baseUrl: string) =>
  VeniceWallet.layerClient({ baseUrl }).pipe(
    Layer.provideMerge(VeniceWallet.layer({ privateKey: Redacted.make(key) })),
    Layer.provideMerge(NodeHttpClient.layerUndici),
    Layer.provideMerge(NodeContext.layer)
  )

/** An API-key client on `baseUrl`, with HTTP and the file system. */
export const keyClient = (baseUrl: string) =>
  VeniceClient.layer({ apiKey: Redacted.make(KEY), baseUrl }).pipe(
    Layer.provideMerge(NodeHttpClient.layerUndici),
    Layer.provideMerge(NodeContext.layer)
  )

/** A worker: the ready workflows on SQLite storage, over a client layer. */
export const sqliteWorker = <E, R>(
  filename: string,
  client: Layer.Layer<VeniceClient.VeniceClient | HttpClient.HttpClient | FileSystem.FileSystem, E, R>,
  payments?: DurablePayments.Options
) =>
  VeniceWorkflows.layer({ polling: { min: "200 millis", max: "1 second" } }).pipe(
    Layer.provideMerge(WorkflowStorage.layerSqlite({ filename })),
    Layer.provideMerge(payments !== undefined ? DurablePayments.layer(payments) : Layer.empty),
    Layer.provideMerge(client)
  )

/** The emulator's counters for the checks every test makes. */
export const counts = (address?: string) =>
  Effect.gen(function*() {
    const emu = yield* Emulator.VeniceEmulator
    const wallet = address !== undefined ? yield* emu.wallet(address) : undefined
    return {
      queues: yield* emu.count({ route: "video/queue" }),
      retrieves: yield* emu.count({ route: "video/retrieve" }),
      payments: wallet?.payments ?? [],
      credited: (wallet?.payments ?? []).filter((p) => p.status === "credited").length
    }
  })
