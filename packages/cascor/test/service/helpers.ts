// In-process sessions for the service tests: the TS kernels, the fake JuniperData client (real generators), a
// snapshot store in a temp directory.
import { afterAll } from "vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"
import { JuniperDataClient, type JuniperDataClientShape, layerFakeDataClient, layerJuniperDataClient } from "@juniper/data"
import type { Kernels } from "../../src/engine/kernel.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { Broadcaster } from "../../src/session/broadcaster.js"
import { defaultSessionSettings } from "../../src/session/registry.js"
import { type SessionSettings, TrainingSession } from "../../src/session/session.js"
import { makeSnapshotStore } from "../../src/snapshots/store.js"

const created: Array<string> = []
// Removed after the test file (the helper is imported once per file).
afterAll(() => {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A temp directory, removed after the test file. */
export const tempDir = (prefix = "cascor-test-") => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  created.push(d)
  return d
}

export const fakeDataClient = Effect.map(Layer.build(layerFakeDataClient()), Context.get(JuniperDataClient))

/** A client of a JuniperData that is not there (connection refused at once, no retries). */
export const unreachableDataClient = Effect.map(
  Layer.build(layerJuniperDataClient({ baseUrl: "http://127.0.0.1:9", retries: 0, timeoutMs: 2000 })),
  Context.get(JuniperDataClient)
)

export interface TestSessionOptions {
  readonly dir?: string
  readonly data?: JuniperDataClientShape
  readonly settings?: Partial<SessionSettings>
  readonly broadcaster?: Broadcaster
  /** Default: the TS kernels. */
  readonly kernels?: Kernels
}

export const makeTestSession = (o: TestSessionOptions = {}) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const store = yield* makeSnapshotStore({ directory: o.dir ?? tempDir(), autoRetain: 3 })
    const dataClient = o.data ?? (yield* fakeDataClient)
    const session = yield* TrainingSession.make({
      id: "test",
      kernels: o.kernels ?? tsKernels,
      backend: "ts",
      dataClient,
      dataClientFor: () => Effect.succeed(dataClient),
      store,
      broadcaster: o.broadcaster ?? new Broadcaster({ replayBufferSize: 1024, maxMessageSizeBytes: 60_000, chunkPayloadSizeBytes: 32_000 }),
      settings: { ...defaultSessionSettings, stateCoalesceMs: 0, ...o.settings },
      scope
    })
    yield* Effect.addFinalizer(() => session.shutdown())
    return { session, store }
  })

/** Polls until `f` holds (real time). */
export const eventually = <A>(f: () => A | undefined | false, timeoutMs = 20_000, label = "condition") =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const v = f()
      if (v !== undefined && v !== false) return v
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${label}`))
      yield* Effect.sleep("10 millis")
    }
  })

/** A small two-class problem as inline data (≤ 100 rows): two interleaved spirals. */
export const inlineSpiral = (n = 40) => {
  const train_x: Array<Array<number>> = []
  const train_y: Array<Array<number>> = []
  for (let i = 0; i < n; i++) {
    const t = i / n
    const r = 1 + 5 * t
    const a = 3 * Math.PI * t
    const c = i % 2
    const sign = c === 0 ? 1 : -1
    train_x.push([sign * r * Math.cos(a), sign * r * Math.sin(a)])
    train_y.push(c === 0 ? [1, 0] : [0, 1])
  }
  return { train_x, train_y }
}
