/**
 * The run registry: training sessions keyed by run id. Today it holds ONE session, the default run behind the
 * upstream single-network routes (/v1/network, /v1/training/*, /ws/training); a later `/v1/runs` API adds sessions
 * here (and may move them onto cluster entities: a session's inputs and outputs are serialisable).
 */
import { Context, Effect, Layer } from "effect"
import { JuniperDataClient, type JuniperDataClientShape, layerJuniperDataClient } from "@juniper/data"
import { CascorBackend } from "../backend/registry.js"
import { CascorKernels } from "../engine/service.js"
import { SnapshotStore } from "../snapshots/store.js"
import { Broadcaster, type BroadcastSettings } from "./broadcaster.js"
import { SessionNotFound } from "./errors.js"
import { pacedKernels } from "./pacing.js"
import { type SessionSettings, TrainingSession } from "./session.js"

export const DEFAULT_RUN_ID = "default"

export interface CascorRunsShape {
  readonly default: TrainingSession
  readonly get: (runId: string) => Effect.Effect<TrainingSession, SessionNotFound>
  readonly list: () => ReadonlyArray<TrainingSession>
}

export class CascorRuns extends Context.Tag("@juniper/cascor/CascorRuns")<CascorRuns, CascorRunsShape>() {}

export interface RunsOptions {
  readonly session: SessionSettings
  readonly broadcast: BroadcastSettings
  readonly dataApiKey?: string | undefined
  /** Demo pacing of the default run (./pacing.ts); 0: full speed. */
  readonly stepIntervalSec?: number
}

export const defaultSessionSettings: SessionSettings = {
  evalMetricsEnabled: true,
  initialMetricsCount: 100,
  outputEpochSampling: 25,
  candidateProgressEvery: 50,
  candidateProgressMinMs: 50,
  stateCoalesceMs: 1000
}

/** The registry with its default session; needs the kernels, the data client and the snapshot store. */
export const layerCascorRuns = (
  o: RunsOptions
): Layer.Layer<CascorRuns, never, CascorKernels | CascorBackend | JuniperDataClient | SnapshotStore> =>
  Layer.scoped(
    CascorRuns,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const kernels = yield* CascorKernels
      const backend = yield* CascorBackend
      const dataClient = yield* JuniperDataClient
      const store = yield* SnapshotStore
      // Clients for a start request that names another JuniperData URL, built once per URL (a few at most).
      const others = new Map<string, JuniperDataClientShape>()
      const dataClientFor = (url: string): Effect.Effect<JuniperDataClientShape> =>
        Effect.suspend(() => {
          const hit = others.get(url)
          if (hit) return Effect.succeed(hit)
          if (others.size >= 8) return Effect.succeed(dataClient)
          return Layer.buildWithScope(layerJuniperDataClient({ baseUrl: url, ...(o.dataApiKey ? { apiKey: o.dataApiKey } : {}) }), scope).pipe(
            Effect.map((ctx) => {
              const c = Context.get(ctx, JuniperDataClient)
              others.set(url, c)
              return c
            })
          )
        })
      const broadcaster = new Broadcaster(o.broadcast)
      const session = yield* TrainingSession.make({
        id: DEFAULT_RUN_ID,
        kernels: pacedKernels(kernels, o.stepIntervalSec ?? 0),
        backend: backend.backend,
        dataClient,
        dataClientFor,
        store,
        broadcaster,
        settings: o.session,
        scope
      })
      yield* Effect.addFinalizer(() => session.shutdown())
      const runs = new Map([[DEFAULT_RUN_ID, session]])
      return {
        default: session,
        get: (runId) =>
          Effect.suspend(() => {
            const s = runs.get(runId)
            return s ? Effect.succeed(s) : Effect.fail(new SessionNotFound({ message: `Run '${runId}' not found` }))
          }),
        list: () => [...runs.values()]
      }
    })
  )
