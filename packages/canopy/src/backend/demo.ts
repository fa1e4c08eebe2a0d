/**
 * The demo upstream (canopy-ui §2.4): JuniperCascor's own training session (packages/cascor/src/session) running the
 * real engine in-process, so the demo emits exactly cascor's frames, payloads and cadence. It trains upstream's
 * variant (tanh hidden units, a linear output layer trained with Adam, Pearson candidates) on a two-spiral dataset
 * from JuniperData (or, when JuniperData is unreachable, the same generator run locally, with a WARNING), inputs
 * min-max scaled to [−1, 1], one-hot 2-class outputs, a real validation split. It loops: when a run ends it waits a
 * little and starts a new run with the next seed.
 *
 * Pacing: `updateIntervalSeconds` is the minimum gap between two training steps (and so between `metrics` rows): the
 * session is held between two phases through its own pause control, and that pacing pause is invisible (status and
 * `state` frames report STARTED unless the user paused). Epochs count training steps, never seconds.
 *
 * Demo-only shims: three mock snapshots plus up to 100 in-memory ones, two synthetic workers.
 */
import { Cause, Duration, Effect, Layer, PubSub, Queue, Schema, type Scope } from "effect"
import type { Float32Npy } from "@juniper/data"
import { JuniperDataClient, type JuniperDataClientShape, layerJuniperDataClient, makeFakeDataClient } from "@juniper/data"
import {
  type DatasetRequest,
  type HyperParameters,
  type NetworkCreateRequest,
  type SnapshotMeta,
  type TrainingStatus,
  TrainingParams,
  TrainingStartRequest,
  type WorkerList,
  type WorkerStats
} from "@juniper/cascor/api/schema"
import { tsKernels } from "@juniper/cascor"
import { Broadcaster, type OutFrame } from "@juniper/cascor/session/broadcaster"
import type { SessionError } from "@juniper/cascor/session/errors"
import { SessionInvalid, SessionNotFound } from "@juniper/cascor/session/errors"
import { defaultSessionSettings } from "@juniper/cascor/session/registry"
import { TrainingSession } from "@juniper/cascor/session/session"
import { SnapshotBody } from "@juniper/cascor/snapshots/format"
import type { SaveInput, SnapshotStoreShape } from "@juniper/cascor/snapshots/store"
import { newSnapshotId } from "@juniper/cascor/snapshots/store"
import { type CascorLink, LinkError, type LinkEvent, type UpstreamFrame } from "./link.js"

export interface DemoOptions {
  readonly dataUrl: string
  readonly dataApiKey?: string | undefined
  /** Minimum seconds between two training steps (0 = full speed). */
  readonly updateIntervalSeconds: number
  /** Seconds between the end of a run and the next one. */
  readonly restartDelaySeconds: number
  readonly seed: number
  /** Dataset generator params (JuniperData spiral names). */
  readonly dataset?: Readonly<Record<string, unknown>>
  /** Overrides of the demo network (cascor NetworkCreateRequest fields). */
  readonly network?: Partial<NetworkCreateRequest>
}

/** §2.4: two-spiral, 200 points (100 per arm), noise 0.1, seed 42, 1.5 rotations. */
export const DEMO_DATASET: Readonly<Record<string, unknown>> = {
  n_spirals: 2,
  n_points_per_spiral: 100,
  n_rotations: 1.5,
  noise: 0.1,
  seed: 42,
  train_ratio: 0.8,
  test_ratio: 0.2
}

/** §2.4 upstream settings: 1000 Adam output steps, 32 candidates × ≤600 Adam steps (lr 0.01, patience 30), r ≥ 0.001. */
export const DEMO_NETWORK: NetworkCreateRequest = {
  algorithm: "upstream",
  input_size: 2,
  output_size: 2,
  learning_rate: 0.01,
  candidate_learning_rate: 0.01,
  output_epochs: 1000,
  candidate_pool_size: 32,
  candidate_epochs: 600,
  candidate_patience: 30,
  correlation_threshold: 0.001,
  max_hidden_units: 1000,
  max_iterations: 1000,
  activation_function_name: "Tanh",
  optimizer_type: "Adam"
}

const errorOf = (e: SessionError): LinkError => {
  switch (e._tag) {
    case "SessionNotFound":
      return new LinkError({ kind: "not_found", message: e.message, status: 404 })
    case "SessionConflict":
      return new LinkError({ kind: "conflict", message: e.message, status: 409 })
    case "SessionInvalid":
      return new LinkError({ kind: "invalid", message: e.message, status: e.status })
    case "SessionInternal":
      return new LinkError({ kind: "failed", message: e.message, status: 500 })
  }
}

const orNull = <A, R>(effect: Effect.Effect<A, SessionError, R>): Effect.Effect<A | null, LinkError, R> =>
  effect.pipe(
    Effect.map((a): A | null => a),
    Effect.catchAll((e) => (e._tag === "SessionNotFound" ? Effect.succeed(null) : Effect.fail(errorOf(e))))
  )
const mapped = <A, R>(effect: Effect.Effect<A, SessionError, R>): Effect.Effect<A, LinkError, R> => Effect.mapError(effect, errorOf)

// ------------------------------------------------------------------------------------------------------------------
// Data: JuniperData when reachable, else the same generators in-process; inputs min-max scaled to [−1, 1].
// ------------------------------------------------------------------------------------------------------------------

const X_KEYS = ["X_train", "X_val", "X_test", "X_full", "X"]

/** Scales every X_* array of an NPZ per feature to [−1, 1] by the min/max of all its rows (train, val and test). */
export const scaleNpz = (npz: Readonly<Record<string, Float32Npy>>): Record<string, Float32Npy> => {
  const xs = X_KEYS.map((k) => npz[k]).filter((a): a is Float32Npy => a !== undefined && a.shape.length === 2)
  const F = xs[0]?.shape[1] ?? 0
  if (F === 0) return { ...npz }
  const lo = new Array<number>(F).fill(Infinity)
  const hi = new Array<number>(F).fill(-Infinity)
  for (const a of xs)
    for (let i = 0; i < a.data.length; i++) {
      const v = Number(a.data[i])
      const f = i % F
      if (v < lo[f]!) lo[f] = v
      if (v > hi[f]!) hi[f] = v
    }
  const out: Record<string, Float32Npy> = { ...npz }
  for (const k of X_KEYS) {
    const a = npz[k]
    if (!a || a.shape.length !== 2 || a.shape[1] !== F) continue
    const data = new Float32Array(a.data.length)
    for (let i = 0; i < data.length; i++) {
      const f = i % F
      const span = hi[f]! - lo[f]!
      data[i] = span > 0 ? (2 * (Number(a.data[i]) - lo[f]!)) / span - 1 : 0
    }
    out[k] = { descr: "<f4", shape: a.shape, data }
  }
  return out
}

const scalingClient = (c: JuniperDataClientShape): JuniperDataClientShape => ({
  ...c,
  downloadArtifactNpz: (id) => Effect.map(c.downloadArtifactNpz(id), scaleNpz)
})

/**
 * The data client of the demo: JuniperData at `url` when it answers, else an in-process client over the very same
 * generators (identical data), with a WARNING. Returns which one it is.
 */
export const demoDataClient = (url: string, apiKey: string | undefined) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const ctx = yield* Layer.buildWithScope(layerJuniperDataClient({ baseUrl: url, timeoutMs: 10_000, retries: 1, ...(apiKey ? { apiKey } : {}) }), scope)
    const remote = ctx.unsafeMap.get(JuniperDataClient.key) as JuniperDataClientShape
    const up = yield* remote.healthCheck().pipe(Effect.timeout("3 seconds"), Effect.as(true), Effect.orElseSucceed(() => false))
    if (up) {
      yield* Effect.logInfo(`demo dataset from JuniperData at ${url}`)
      return { client: scalingClient(remote), source: "juniper-data" as const }
    }
    yield* Effect.logWarning(`JuniperData unreachable at ${url} — the demo generates its two-spiral dataset locally`)
    const fake = yield* makeFakeDataClient({ baseUrl: "local://juniper-data" })
    return { client: scalingClient(fake.client), source: "local" as const }
  })

// ------------------------------------------------------------------------------------------------------------------
// Snapshots: three mock entries plus up to 100 in memory.
// ------------------------------------------------------------------------------------------------------------------

const MOCK_SNAPSHOTS: ReadonlyArray<SnapshotMeta> = [1, 2, 3].map((i) => ({
  snapshot_id: `demo_mock_snapshot_${i}`,
  path: `memory://demo/demo_mock_snapshot_${i}`,
  created_at: new Date(Date.UTC(2026, 0, i, 12, 0, 0)).toISOString(),
  description: `Demo mock snapshot ${i} (metadata only)`,
  network: { input_size: 2, output_size: 2, hidden_units: i * 4 },
  kind: "manual" as const,
  format: "juniper.canopy.demo",
  format_version: 1
}))

export const makeDemoSnapshotStore = (capacity = 100): SnapshotStoreShape => {
  const saved: Array<{ meta: SnapshotMeta; body: SaveInput["body"] }> = []
  const all = () => [...saved.map((s) => s.meta).reverse(), ...MOCK_SNAPSHOTS]
  const find = (id: string) => saved.find((s) => s.meta.snapshot_id === id)
  const missing = (id: string) => new SessionNotFound({ message: `Snapshot '${id.slice(0, 200)}' not found` })
  return {
    directory: "memory://demo",
    save: (input) =>
      Effect.sync(() => {
        const id = newSnapshotId()
        const meta: SnapshotMeta = {
          ...input.meta,
          snapshot_id: id,
          path: `memory://demo/${id}`,
          created_at: new Date().toISOString(),
          description: input.description,
          kind: input.kind,
          format: "juniper.cascor.snapshot",
          format_version: 1,
          size_bytes: JSON.stringify(input.body).length
        }
        saved.push({ meta, body: input.body })
        if (saved.length > capacity) saved.shift()
        return meta
      }),
    list: (o = {}) =>
      Effect.sync(() => {
        const list = all()
        const offset = o.offset ?? 0
        return { snapshots: list.slice(offset, o.limit === undefined ? undefined : offset + o.limit), total: list.length }
      }),
    meta: (id) =>
      Effect.suspend(() => {
        const m = find(id)?.meta ?? MOCK_SNAPSHOTS.find((s) => s.snapshot_id === id)
        return m ? Effect.succeed(m) : Effect.fail(missing(id))
      }),
    load: (id) =>
      Effect.suspend((): ReturnType<SnapshotStoreShape["load"]> => {
        const s = find(id)
        if (!s) {
          if (MOCK_SNAPSHOTS.some((m) => m.snapshot_id === id))
            return Effect.fail(
              new SessionInvalid({
                message: `Snapshot '${id}' is a demo mock (metadata only) and cannot be restored`,
                status: 422,
                issues: [{ type: "value_error", loc: ["path", "id"], msg: "demo mock snapshot: metadata only", input: id }]
              })
            )
          return Effect.fail(missing(id))
        }
        return Schema.decodeUnknown(SnapshotBody)(s.body).pipe(
          Effect.map((body) => ({ meta: s.meta, body })),
          Effect.mapError(() => new SessionInvalid({ message: `Snapshot '${id}' is corrupt`, status: 422, issues: [] }))
        )
      }),
    remove: (id) =>
      Effect.suspend(() => {
        const i = saved.findIndex((s) => s.meta.snapshot_id === id)
        if (i < 0) return Effect.fail(missing(id))
        saved.splice(i, 1)
        return Effect.void
      })
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Workers: the synthetic pair.
// ------------------------------------------------------------------------------------------------------------------

const demoWorkers = (busy: boolean, tasks: number): WorkerList => {
  const now = Date.now() / 1000
  const worker = (id: string, kind: "local" | "remote", busyNow: boolean, health: number) => ({
    worker_id: id,
    kind,
    status: busyNow ? ("busy" as const) : ("idle" as const),
    health_score: health,
    last_heartbeat_at: now - (kind === "remote" ? 3 : 0),
    current_task_id: busyNow ? `candidate-task-${tasks}` : null,
    capabilities: kind === "local" ? { cpu_cores: 2, gpu: false, backend: "ts", demo: true } : { cpu_cores: 8, gpu: false, demo: true },
    tasks_completed: kind === "local" ? Math.ceil(tasks / 2) : Math.floor(tasks / 2),
    tasks_failed: 0,
    in_flight_tasks: busyNow ? 1 : 0,
    rss_mb: kind === "local" ? 180 : 240,
    gpu_utilization_pct: null,
    last_task_duration_seconds: tasks > 0 ? 0.4 : null
  })
  const workers = [worker("worker-demo-01", "local", busy, 1), worker("worker-demo-02", "remote", busy, 0.95)]
  return { workers, count: workers.length }
}

const demoWorkerStats = (list: WorkerList): WorkerStats => ({
  total: list.count,
  idle: list.workers.filter((w) => w.status === "idle").length,
  busy: list.workers.filter((w) => w.status === "busy").length,
  stale: 0,
  total_tasks_completed: list.workers.reduce((a, w) => a + w.tasks_completed, 0),
  total_tasks_failed: 0,
  average_health_score: list.workers.reduce((a, w) => a + w.health_score, 0) / list.count,
  timestamp: Date.now() / 1000
})

// ------------------------------------------------------------------------------------------------------------------
// The link
// ------------------------------------------------------------------------------------------------------------------

/** Masks the pacing pause: PAUSED → STARTED in the status (the user did not pause). */
const unpausedStatus = (s: TrainingStatus): TrainingStatus => ({
  ...s,
  state_machine: { ...s.state_machine, status: "STARTED", paused_phase: null },
  monitor: { ...s.monitor, is_training: true },
  training_state: { ...s.training_state, status: "Started" },
  is_training: true
})

const decodeStart = Schema.decodeUnknown(TrainingStartRequest)
const decodeParams = Schema.decodeUnknown(TrainingParams)

const invalidBody = (what: string, e: { message: string }) => new LinkError({ kind: "invalid", message: `${what}: ${e.message.split("\n").slice(0, 4).join(" ")}`, status: 422 })

/** The demo as a CascorLink; starts the first run at once. Scoped: the session and its loop stop with the scope. */
export const makeDemoLink = (o: DemoOptions): Effect.Effect<CascorLink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const data = yield* demoDataClient(o.dataUrl, o.dataApiKey).pipe(
      Effect.catchAllCause((cause) =>
        Effect.flatMap(Effect.logWarning(`demo data client: ${Cause.pretty(cause).split("\n")[0]}`), () =>
          Effect.map(makeFakeDataClient({ baseUrl: "local://juniper-data" }), (f) => ({ client: scalingClient(f.client), source: "local" as const }))
        )
      )
    )
    const broadcaster = new Broadcaster({ replayBufferSize: 0, maxMessageSizeBytes: 0, chunkPayloadSizeBytes: 32_000 })
    const session = yield* TrainingSession.make({
      id: "demo",
      kernels: tsKernels,
      backend: tsKernels.backend,
      dataClient: data.client,
      dataClientFor: () => Effect.succeed(data.client),
      store: makeDemoSnapshotStore(),
      broadcaster,
      settings: defaultSessionSettings,
      scope
    })
    yield* Effect.addFinalizer(() => session.shutdown())

    // Pacing and looping state.
    let pacing = false
    let userPaused = false
    let userStopped = false
    let lastStepAt = 0
    let runs = 0
    let completedTasks = 0
    const intervalMs = Math.max(0, o.updateIntervalSeconds * 1000)
    const pubsub = yield* PubSub.unbounded<LinkEvent>()
    const loop = yield* Queue.unbounded<"completed">()

    const mask = (frame: UpstreamFrame): UpstreamFrame => {
      if (frame.type !== "state" || !pacing || userPaused) return frame
      const d = frame.data as Record<string, unknown>
      return d["status"] === "Paused" ? { ...frame, data: { ...d, status: "Started" } } : frame
    }

    const schedulePacing = () => {
      // Called synchronously as the step's metrics row is published: the pause lands before the next phase.
      const now = Date.now()
      const wait = intervalMs - (now - lastStepAt)
      lastStepAt = now
      if (intervalMs <= 0 || wait <= 0 || session.fsmState !== "STARTED" || pacing) return
      pacing = true
      Effect.runSync(Effect.ignore(session.pause()))
      const release = Effect.sleep(Duration.millis(wait)).pipe(
        Effect.zipRight(
          Effect.suspend(() => {
            if (userPaused || session.fsmState !== "PAUSED") return Effect.sync(() => (pacing = false))
            lastStepAt = Date.now()
            // `pacing` stays set until the session runs again, so a user command in between sees a running run.
            return Effect.ignore(session.resume()).pipe(Effect.ensuring(Effect.sync(() => (pacing = false))))
          })
        )
      )
      Effect.runFork(Effect.forkIn(release, scope))
    }

    const deliver = (f: OutFrame) => {
      let frame: UpstreamFrame
      try {
        frame = JSON.parse(f.text) as UpstreamFrame
      } catch {
        return
      }
      if (frame.type === "metrics" && (frame.data as { kind?: string }).kind === "training_step") schedulePacing()
      if (frame.type === "candidate_progress" && (frame.data as { final?: boolean }).final) completedTasks++
      if (frame.type === "event") {
        const ev = (frame.data as { event?: string }).event
        if (ev === "training_complete" || ev === "training_failed") loop.unsafeOffer("completed")
      }
      pubsub.unsafeOffer({ _tag: "Frame", frame: mask(frame) })
    }
    const unsubscribe = broadcaster.subscribe({ deliver })
    yield* Effect.addFinalizer(() => Effect.sync(unsubscribe))

    /** The dataset of the looping runs: the demo's two spirals until the user restarts with another one. */
    let dataset: DatasetRequest = { generator: "spiral", params: { ...DEMO_DATASET, ...o.dataset } }
    const startRun = Effect.gen(function* () {
      const seed = o.seed + runs
      runs++
      userStopped = false
      userPaused = false
      yield* session.createNetwork({ ...DEMO_NETWORK, ...o.network, random_seed: seed }).pipe(Effect.mapError(errorOf))
      lastStepAt = Date.now()
      yield* session.start({ dataset, start_fresh: true }).pipe(Effect.mapError(errorOf))
      yield* Effect.logInfo(`demo run ${runs} started (seed ${seed}, dataset from ${data.source === "local" ? "the local generator" : "JuniperData"})`)
    })

    // The loop: after a natural end (completed or failed), wait and start the next seeded run.
    const looper = Effect.forever(
      Effect.gen(function* () {
        yield* Queue.take(loop)
        yield* Effect.sleep(Duration.millis(o.restartDelaySeconds * 1000))
        const fsm = session.fsmState
        if (userStopped || (fsm !== "COMPLETED" && fsm !== "FAILED")) return
        yield* startRun.pipe(Effect.catchAll((e) => Effect.logWarning(`demo restart failed: ${e.message}`)))
      })
    )
    yield* Effect.forkIn(looper, scope)
    const activate = startRun.pipe(Effect.catchAll((e) => Effect.logError(`demo start failed: ${e.message}`)))

    const status = Effect.map(Effect.suspend(() => session.status()), (s) => (pacing && !userPaused && s.state_machine.status === "PAUSED" ? unpausedStatus(s) : s))

    const command: CascorLink["command"] = (name, params) =>
      Effect.gen(function* () {
        switch (name) {
          case "start": {
            const body = yield* decodeStart(params ?? {}).pipe(Effect.mapError((e) => invalidBody("start", e)))
            userStopped = false
            userPaused = false
            lastStepAt = Date.now()
            // A start without a dataset keeps the current one; one with a dataset makes it the loop's dataset too.
            const r = yield* mapped(session.start(body))
            if (body.dataset) dataset = body.dataset
            return r
          }
          case "stop":
            userStopped = true
            userPaused = false
            return yield* session.stop()
          case "pause": {
            if (pacing && session.fsmState === "PAUSED" && !userPaused) {
              userPaused = true
              session.publishState(true)
              return { status: "paused" as const }
            }
            const r = yield* mapped(session.pause())
            userPaused = true
            return r
          }
          case "resume": {
            if (pacing && session.fsmState === "PAUSED") {
              // Paused only for pacing, the run is running for the user: answer as the session does for a running
              // run (an idempotent resume).
              if (!userPaused) return { status: "resumed" as const }
              userPaused = false
              // The pacing timer resumes it; report success now.
              session.publishState(true)
              return { status: "resumed" as const }
            }
            userPaused = false
            lastStepAt = Date.now()
            return yield* mapped(session.resume())
          }
          case "reset":
            userStopped = true
            userPaused = false
            return yield* mapped(session.reset())
          case "set_params": {
            const body = yield* decodeParams(params ?? {}).pipe(Effect.mapError((e) => invalidBody("set_params", e)))
            return yield* mapped(session.patchParams(body))
          }
        }
      })

    const link: CascorLink = {
      mode: "demo",
      upstreamUrl: null,
      relayed: false,
      getStatus: status,
      getMetrics: orNull(Effect.suspend(() => session.metrics())),
      getMetricsHistory: (count) => Effect.map(Effect.suspend(() => session.metricsHistory(count)), (h) => h.metrics),
      getNetwork: orNull(Effect.suspend(() => session.networkInfo())),
      getTopology: orNull(Effect.suspend(() => session.topology())),
      getParams: orNull(Effect.suspend(() => session.trainingParams())) as Effect.Effect<HyperParameters | null, LinkError>,
      getDataset: Effect.suspend(() => session.datasetInfo()),
      getDatasetData: orNull(Effect.suspend(() => session.datasetData())),
      getDecisionBoundary: (resolution) => orNull(Effect.suspend(() => session.decisionBoundary(resolution))),
      command,
      listSnapshots: (limit, offset) => Effect.suspend(() => session.listSnapshots(limit, offset)),
      getSnapshot: (id) => mapped(Effect.suspend(() => session.getSnapshot(id))),
      createSnapshot: (description) => mapped(Effect.suspend(() => session.saveSnapshot(description))),
      restoreSnapshot: (id) => mapped(Effect.suspend(() => session.restoreSnapshot(id))),
      listWorkers: Effect.sync(() => demoWorkers(session.fsmState === "STARTED" && !pacing, completedTasks)),
      workerStats: Effect.sync(() => demoWorkerStats(demoWorkers(session.fsmState === "STARTED" && !pacing, completedTasks))),
      subscribe: PubSub.subscribe(pubsub),
      activate,
      controlState: Effect.succeed("n/a"),
      controlChannel: Effect.succeed("in-process")
    }
    return link
  })
