/**
 * A training session: one network, its data, its run and its state machine (§5), with the operations of the REST
 * routes, the control channel and the RPC group. Training runs off the request path in a fiber that pulls the
 * engine's event stream (one phase per pull) and turns each engine event into state, metrics rows and broadcast
 * frames.
 *
 * Design for many runs: a session's inputs and outputs are serialisable (wire payloads and a snapshot body), it
 * owns no global state (the broadcaster, the store and the kernels are injected), and the registry (./registry.ts)
 * keys sessions by run id; the upstream single-network routes use the registry's default run.
 *
 * FSM (§5): start: STOPPED/COMPLETED/FAILED/RESUME_READY/INVESTIGATING → STARTED; pause: STARTED → PAUSED; resume:
 * PAUSED → STARTED; stop: any → STOPPED (idempotent); reset: any → STOPPED/IDLE; natural end → COMPLETED; failure →
 * FAILED; restore → INVESTIGATING. Phases IDLE → OUTPUT → (CANDIDATE → OUTPUT)*.
 */
import { Cause, Effect, Fiber, Option, Schema, type Scope, Stream } from "effect"
import type {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  EvalMetrics,
  FsmPhase,
  FsmStatus,
  HyperParameters,
  MetricsResponse,
  MetricsRow,
  NetworkCreateRequest,
  NetworkInfo,
  NetworkStats,
  ParamsUpdateResult,
  SnapshotDeleteResult,
  SnapshotList,
  SnapshotMeta,
  SnapshotRestoreResult,
  StateFrameData,
  StopResult,
  Topology,
  TrainingParams,
  TrainingStartRequest,
  TrainingState,
  TrainingStatus,
  Worker,
  WorkerList,
  WorkerStats
} from "../api/schema.js"
import { cpus } from "node:os"
import { randomUUID } from "node:crypto"
import type { JuniperDataClientShape } from "@juniper/data"
import type { TrainingControl } from "../engine/control.js"
import { makeTrainingControl } from "../engine/control.js"
import type { TrainingEvent } from "../engine/events.js"
import type { Kernels } from "../engine/kernel.js"
import type { Network } from "../engine/network.js"
import type { CascorParams } from "../engine/params.js"
import type { CascorRun } from "../engine/run.js"
import { createRun, restoreRun } from "../engine/runs.js"
import { CascorKernels } from "../engine/service.js"
import { trainingEvents } from "../engine/training.js"
import { SnapshotBody } from "../snapshots/format.js"
import type { SnapshotStoreShape } from "../snapshots/store.js"
import { type Broadcaster, nowMs } from "./broadcaster.js"
import {
  builtinSpiral,
  decisionThreshold,
  type EngineData,
  engineData,
  fromInline,
  fromNpz,
  type LoadedDataset,
  placeholderDataset,
  toRows
} from "./dataset.js"
import { badRequest, invalidField, SessionConflict, type SessionError, SessionInternal, type SessionInvalid, SessionNotFound } from "./errors.js"
import { evaluate, MetricsRing } from "./metrics.js"
import { applyLive, configFromRequest, decodeStoredConfig, engineParams, type NetworkConfig, patchConfig, withSizes } from "./params.js"
import { decisionBoundaryOf, statsOf, topologyOf } from "./views.js"

export interface SessionSettings {
  readonly evalMetricsEnabled: boolean
  readonly initialMetricsCount: number
  /** Output epochs between two sampled `output_epoch` rows (§4.4: about every 25th). */
  readonly outputEpochSampling: number
  /** Candidate epochs between two `candidate_progress` frames (§5: every 50). */
  readonly candidateProgressEvery: number
  /** Minimum gap between two non-terminal `state` frames (§6.4: 1000 ms). */
  readonly stateCoalesceMs: number
}

export interface SessionDeps {
  readonly id: string
  readonly kernels: Kernels
  readonly backend: string
  /** The JuniperData client (default URL); `dataClientFor(url)` for a request that names another URL. */
  readonly dataClient: JuniperDataClientShape
  readonly dataClientFor: (url: string) => Effect.Effect<JuniperDataClientShape>
  readonly store: SnapshotStoreShape
  readonly broadcaster: Broadcaster
  readonly settings: SessionSettings
  readonly scope: Scope.Scope
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const statusSpelling: Record<FsmStatus, TrainingState["status"]> = {
  STOPPED: "Stopped",
  STARTED: "Started",
  PAUSED: "Paused",
  COMPLETED: "Completed",
  FAILED: "Failed",
  INVESTIGATING: "Stopped",
  REPLAYING: "Started",
  RESUME_READY: "Stopped"
}

const conflict = (what: string, state: FsmStatus) =>
  new SessionConflict({ message: `${what} in the current state (${state})`, state })

const noNetwork = () => new SessionNotFound({ message: "No network created" })
const noData = () => new SessionNotFound({ message: "No training data loaded" })

interface Progress {
  phaseStartedAt: number | null
  phaseDetail: TrainingState["phase_detail"]
  outputEpoch: number
  candidateEpoch: number
  lastProgressEpoch: number
  bestCorrelation: number | null
  best: number | null
  second: number | null
  allCorrelations: Array<number>
  candidatesTrained: number
  engineEpoch: number
  lastCandidateSeconds: number | null
  candidateTasks: number
  candidateFailures: number
}

const freshProgress = (): Progress => ({
  phaseStartedAt: null,
  phaseDetail: null,
  outputEpoch: 0,
  candidateEpoch: 0,
  lastProgressEpoch: 0,
  bestCorrelation: null,
  best: null,
  second: null,
  allCorrelations: [],
  candidatesTrained: 0,
  engineEpoch: 0,
  lastCandidateSeconds: null,
  candidateTasks: 0,
  candidateFailures: 0
})

/** Gauge values for Prometheus. */
export interface SessionGauges {
  readonly step: number
  readonly engineEpoch: number
  readonly hiddenUnits: number
  readonly loss: number | null
  readonly accuracy: number | null
  readonly candidatePhaseSeconds: number | null
  readonly training: boolean
  readonly fsm: FsmStatus
}

export class TrainingSession {
  readonly id: string
  private fsm: FsmStatus = "STOPPED"
  private phase: FsmPhase = "IDLE"
  private pausedPhase: FsmPhase | null = null
  private config: NetworkConfig | null = null
  private params: CascorParams | null = null
  /** The engine run: on the loaded data, or a preview on a one-row placeholder before any data arrives. */
  private run: CascorRun | null = null
  private runHasData = false
  private data: LoadedDataset | null = null
  private engine: EngineData | null = null
  private step = 0
  private completionReason: string | null = null
  private error: string | null = null
  private progress: Progress = freshProgress()
  private fiber: Fiber.RuntimeFiber<void, never> | null = null
  private control: TrainingControl | null = null
  private gen = 0
  private snapshotSeq = 0
  private bestLoss = Number.POSITIVE_INFINITY
  private latestEval: EvalMetrics | null = null
  private lastStateAt = 0
  private stateTimer: ReturnType<typeof setTimeout> | null = null
  readonly history = new MetricsRing()

  private constructor(
    private readonly deps: SessionDeps,
    private readonly lock: Effect.Semaphore
  ) {
    this.id = deps.id
  }

  static make(deps: SessionDeps): Effect.Effect<TrainingSession> {
    return Effect.map(Effect.makeSemaphore(1), (lock) => new TrainingSession(deps, lock))
  }

  get broadcaster(): Broadcaster {
    return this.deps.broadcaster
  }

  get backend(): string {
    return this.deps.backend
  }

  private serialized<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return this.lock.withPermits(1)(effect)
  }

  // -----------------------------------------------------------------------------------------------------------
  // Network
  // -----------------------------------------------------------------------------------------------------------

  private trained(): boolean {
    if (this.fsm === "STARTED" || this.fsm === "PAUSED") return true
    if (!this.run) return false
    const s = this.run.status()
    return this.step > 0 || s.epoch > 0 || s.hiddenUnits > 0
  }

  private requireNetwork(): Effect.Effect<{ config: NetworkConfig; params: CascorParams; run: CascorRun }, SessionNotFound> {
    return this.config && this.params && this.run
      ? Effect.succeed({ config: this.config, params: this.params, run: this.run })
      : Effect.fail(noNetwork())
  }

  /** Builds an untrained run for the configuration: on the loaded data when its dimensions match, else a preview. */
  private buildRun(config: NetworkConfig, params: CascorParams): Effect.Effect<void, SessionInvalid> {
    return Effect.gen(this, function* () {
      const data = this.data
      if (data && data.train.x.cols === config.inputSize && data.train.y.cols === config.outputSize) {
        const engine = yield* engineData(data, params.outputActivation)
        this.engine = engine
        this.run = createRun(params, engine.train)
        this.runHasData = true
      } else {
        this.run = createRun(params, placeholderDataset(config.inputSize, config.outputSize))
        this.runHasData = false
      }
      this.config = config
      this.params = params
      this.step = 0
      this.progress = freshProgress()
      this.bestLoss = Number.POSITIVE_INFINITY
    })
  }

  /** Stops the training fiber (between phases, or interrupting an async phase) and forgets it. */
  private haltFiber(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const f = this.fiber
      this.gen++
      this.fiber = null
      this.control = null
      return f ? Fiber.interrupt(f).pipe(Effect.asVoid) : Effect.void
    })
  }

  createNetwork(req: NetworkCreateRequest): Effect.Effect<NetworkInfo, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (this.fsm === "STARTED" || this.fsm === "PAUSED") return yield* Effect.fail(conflict("Network cannot be created", this.fsm))
        const sizes = this.data && req.input_size === undefined && req.output_size === undefined
          ? { inputSize: this.data.train.x.cols, outputSize: this.data.train.y.cols }
          : {}
        const { config, params } = yield* configFromRequest(req, randomUUID(), sizes)
        yield* this.haltFiber()
        yield* this.buildRun(config, params)
        this.fsm = "STOPPED"
        this.phase = "IDLE"
        this.pausedPhase = null
        this.completionReason = null
        this.error = null
        this.publishState(true)
        return this.networkInfoOf(config, this.run!)
      })
    )
  }

  deleteNetwork(): Effect.Effect<{ deleted: true }, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (["STARTED", "PAUSED", "REPLAYING", "INVESTIGATING"].includes(this.fsm))
          return yield* Effect.fail(conflict("Network cannot be deleted", this.fsm))
        yield* this.haltFiber()
        this.config = null
        this.params = null
        this.run = null
        this.runHasData = false
        this.step = 0
        this.fsm = "STOPPED"
        this.phase = "IDLE"
        this.completionReason = null
        this.progress = freshProgress()
        this.publishState(true)
        return { deleted: true as const }
      })
    )
  }

  private networkInfoOf(config: NetworkConfig, run: CascorRun): NetworkInfo {
    return {
      input_size: config.inputSize,
      output_size: config.outputSize,
      hidden_units: run.status().hiddenUnits,
      uuid: config.uuid,
      ...config.hyper,
      engine_params: run.params as unknown as Record<string, unknown>,
      backend: this.deps.backend,
      trained: this.trained()
    }
  }

  networkInfo(): Effect.Effect<NetworkInfo, SessionNotFound> {
    return Effect.map(this.requireNetwork(), ({ config, run }) => this.networkInfoOf(config, run))
  }

  /** The engine's network (a copy). */
  network(): Effect.Effect<Network, SessionNotFound> {
    return Effect.map(this.requireNetwork(), ({ run }) => run.network())
  }

  topology(): Effect.Effect<Topology, SessionNotFound> {
    return Effect.map(this.requireNetwork(), ({ run }) => topologyOf(run.network()))
  }

  stats(): Effect.Effect<NetworkStats, SessionNotFound> {
    return Effect.map(this.requireNetwork(), ({ run }) => statsOf(run.network()))
  }

  // -----------------------------------------------------------------------------------------------------------
  // Data
  // -----------------------------------------------------------------------------------------------------------

  /** §3.2 data resolution: inline_data → dataset → the dataset already loaded → 404. */
  private resolveData(req: TrainingStartRequest): Effect.Effect<LoadedDataset, SessionError> {
    return Effect.gen(this, function* () {
      if (req.inline_data) return yield* fromInline(req.inline_data)
      const d = req.dataset
      if (d && (d.generator || d.dataset_id || d.source === "juniper-data" || d.url)) return yield* this.loadFromJuniperData(d)
      if (d && d.source && d.source !== "juniper-data")
        return yield* Effect.fail(invalidField(["body", "dataset", "source"], `unknown source '${d.source}' (expected "juniper-data")`, d.source))
      if (this.data) return this.data
      return yield* Effect.fail(noData())
    })
  }

  private loadFromJuniperData(d: NonNullable<TrainingStartRequest["dataset"]>): Effect.Effect<LoadedDataset, SessionError> {
    return Effect.gen(this, function* () {
      const client = d.url ? yield* this.deps.dataClientFor(d.url) : this.deps.dataClient
      const generator = d.generator ?? (d.dataset_id ? undefined : "spiral")
      const params = d.params ?? {}
      const unreachable = (e: { _tag: string }) => e._tag === "DataClientConnectionError" || e._tag === "DataClientTimeoutError"
      const id = d.dataset_id
        ? d.dataset_id
        : yield* client.createDataset(generator!, params, { persist: true }).pipe(
            Effect.map((r) => r.dataset_id),
            Effect.catchAll((e) =>
              unreachable(e) && generator === "spiral"
                ? Effect.succeed(null)
                : Effect.fail(
                    e._tag === "DataClientValidationError"
                      ? invalidField(["body", "dataset", "params"], `JuniperData refused the dataset: ${e.message}`, params)
                      : unreachable(e)
                        ? new SessionInternal({ message: `JuniperData is unreachable at ${client.baseUrl}: ${e.message}` })
                        : new SessionInternal({ message: `JuniperData failed: ${e.message}` })
                  )
            )
          )
      if (id === null) {
        yield* Effect.logWarning(`JuniperData unreachable at ${client.baseUrl}; using the built-in two-spiral generator`)
        return builtinSpiral(params)
      }
      const npz = yield* client.downloadArtifactNpz(id).pipe(
        Effect.mapError((e) =>
          e._tag === "DataClientNotFoundError"
            ? new SessionNotFound({ message: `Dataset '${id}' not found in JuniperData` })
            : new SessionInternal({ message: `JuniperData failed: ${e.message}` })
        )
      )
      const loaded = fromNpz(npz, { type: "juniper-data", generator: generator ?? null, params, dataset_id: id, url: client.baseUrl }, id)
      if (loaded.error !== undefined) return yield* Effect.fail(invalidField(["body", "dataset"], loaded.error, id))
      return loaded.value
    })
  }

  datasetInfo(): Effect.Effect<DatasetInfo> {
    return Effect.sync(() => {
      const d = this.data
      return d
        ? {
            loaded: true,
            train_samples: d.train.x.rows,
            test_samples: d.val?.x.rows ?? 0,
            input_features: d.train.x.cols,
            output_features: d.train.y.cols,
            source: { ...d.source, ...(this.engine ? { target_transform: this.engine.transform } : {}) }
          }
        : { loaded: false, train_samples: 0, test_samples: 0, input_features: 0, output_features: 0, source: null }
    })
  }

  datasetData(): Effect.Effect<DatasetData, SessionNotFound> {
    return Effect.suspend(() => {
      const d = this.data
      if (!d) return Effect.fail(noData())
      return Effect.succeed({
        X_train: toRows(d.train.x),
        y_train: toRows(d.train.y),
        X_val: d.val ? toRows(d.val.x) : null,
        y_val: d.val ? toRows(d.val.y) : null
      })
    })
  }

  decisionBoundary(resolution: number): Effect.Effect<DecisionBoundary, SessionError> {
    return Effect.gen(this, function* () {
      const { run } = yield* this.requireNetwork()
      const d = this.data
      if (!d || !this.runHasData || !this.engine) return yield* Effect.fail(noData())
      if (d.train.x.cols !== 2)
        return yield* Effect.fail(invalidField(["query", "resolution"], `the decision boundary needs 2-D inputs (the data has ${d.train.x.cols})`, resolution))
      return yield* decisionBoundaryOf(run.network(), d.train.x, resolution, decisionThreshold(this.engine.transform)).pipe(
        Effect.catchAllDefect((e) => Effect.fail(new SessionInternal({ message: `Failed to compute decision boundary: ${String(e)}` })))
      )
    })
  }

  // -----------------------------------------------------------------------------------------------------------
  // Training commands
  // -----------------------------------------------------------------------------------------------------------

  start(req: TrainingStartRequest | null): Effect.Effect<{ status: "training_started"; timestamp: number }, SessionError> {
    const body = req ?? {}
    return this.serialized(
      Effect.gen(this, function* () {
        if (this.fsm === "STARTED" || this.fsm === "PAUSED") return yield* Effect.fail(conflict("Training cannot be started", this.fsm))
        // A run that was just stopped finishes its phase first.
        if (this.fiber) yield* Fiber.await(this.fiber)
        this.fiber = null
        const data = yield* this.resolveData(body)
        return yield* Effect.uninterruptible(this.commitStart(body, data))
      })
    )
  }

  /** The rest of a start, once the data is there: never cut half-way (a control command's timeout interrupts). */
  private commitStart(body: TrainingStartRequest, data: LoadedDataset): Effect.Effect<{ status: "training_started"; timestamp: number }, SessionError> {
    return Effect.gen(this, function* () {
        const dataChanged = data !== this.data
        const I = data.train.x.cols
        const O = data.train.y.cols
        // The network: created on demand (defaults) or rebuilt for a fresh start / other dimensions.
        if (!this.config) {
          const { config, params } = yield* configFromRequest({ input_size: I, output_size: O }, randomUUID())
          this.config = config
          this.params = params
        }
        let config = this.config
        const dimsDiffer = config.inputSize !== I || config.outputSize !== O
        const fresh = body.start_fresh === true
        if (dimsDiffer && this.trained() && !fresh)
          return yield* Effect.fail(
            new SessionConflict({
              message: `The network is ${config.inputSize}×${config.outputSize} but the data is ${I}×${O}; use start_fresh to rebuild it`,
              state: this.fsm
            })
          )
        if (dataChanged && this.trained() && !fresh && this.runHasData && !["COMPLETED", "FAILED"].includes(this.fsm))
          return yield* Effect.fail(
            new SessionConflict({ message: "The network was trained on other data; use start_fresh to train a new one", state: this.fsm })
          )
        if (body.params) {
          const patched = yield* patchConfig(config, body.params, false)
          config = patched.config
        }
        if (dimsDiffer) config = withSizes(config, I, O)
        const params = yield* engineParams(config)
        this.data = data
        const rebuild = fresh || dimsDiffer || dataChanged || !this.runHasData || this.fsm === "COMPLETED" || this.fsm === "FAILED" || body.params !== undefined && body.params !== null && !this.trained()
        if (fresh) this.history.clear()
        if (rebuild) yield* this.buildRun(config, params)
        else if (body.params) {
          this.config = config
          this.params = params
          applyLive(this.run!.params, params)
        }
        const run = this.run!
        const restored = this.fsm === "INVESTIGATING"
        this.fsm = "STARTED"
        this.phase = "IDLE"
        this.pausedPhase = null
        this.completionReason = null
        this.error = null
        yield* this.launch(run, restored)
        return { status: "training_started" as const, timestamp: Date.now() / 1000 }
    })
  }

  /** Forks the training fiber for `run`. */
  private launch(run: CascorRun, restored: boolean): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const control = yield* makeTrainingControl
      const gen = ++this.gen
      this.control = control
      const kernels = this.progressKernels(gen)
      const program = Stream.runForEach(trainingEvents(run, { control, epochMetrics: "all", restored }), (ev) =>
        Effect.sync(() => this.onEvent(gen, run, ev))
      ).pipe(
        Effect.provideService(CascorKernels, kernels),
        Effect.catchAllCause((cause) => Effect.sync(() => this.onFailure(gen, cause)))
      )
      // Forked from the uninterruptible commit of a start: the fiber itself must stay interruptible (stop, reset, shutdown).
      this.fiber = yield* Effect.forkIn(Effect.interruptible(program), this.deps.scope)
    })
  }

  stop(): Effect.Effect<StopResult> {
    return Effect.gen(this, function* () {
      if (this.control && (this.fsm === "STARTED" || this.fsm === "PAUSED")) yield* this.control.stop
      if (this.fsm !== "STOPPED") {
        this.fsm = "STOPPED"
        this.pausedPhase = null
        if (!this.fiber) this.phase = "IDLE"
        this.publishState(true)
      }
      return { status: "stop_requested" as const, stopped: true as const, epoch: this.step }
    })
  }

  pause(): Effect.Effect<{ status: "paused" }, SessionConflict> {
    return Effect.gen(this, function* () {
      if (this.fsm !== "STARTED" || !this.control) return yield* Effect.fail(conflict("Training cannot be paused", this.fsm))
      yield* this.control.pause
      this.fsm = "PAUSED"
      this.pausedPhase = this.phase
      this.publishState(true)
      return { status: "paused" as const }
    })
  }

  resume(): Effect.Effect<{ status: "resumed" }, SessionConflict> {
    return Effect.gen(this, function* () {
      if (this.fsm !== "PAUSED" || !this.control) return yield* Effect.fail(conflict("Training cannot be resumed", this.fsm))
      yield* this.control.resume
      this.fsm = "STARTED"
      this.pausedPhase = null
      this.publishState(true)
      return { status: "resumed" as const }
    })
  }

  /** Clears the history, the counters and the auto-snapshot ratchet; the network becomes untrained again. */
  reset(): Effect.Effect<{ status: "reset" }, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        yield* this.haltFiber()
        this.history.clear()
        this.latestEval = null
        if (this.config && this.params) yield* this.buildRun(this.config, this.params)
        this.step = 0
        this.fsm = "STOPPED"
        this.phase = "IDLE"
        this.pausedPhase = null
        this.completionReason = null
        this.error = null
        this.publishState(true)
        return { status: "reset" as const }
      })
    )
  }

  // -----------------------------------------------------------------------------------------------------------
  // Parameters
  // -----------------------------------------------------------------------------------------------------------

  trainingParams(): Effect.Effect<HyperParameters, SessionNotFound> {
    return Effect.map(this.requireNetwork(), ({ config }) => config.hyper)
  }

  patchParams(body: TrainingParams): Effect.Effect<ParamsUpdateResult, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        const { config, run } = yield* this.requireNetwork()
        const trained = this.trained()
        const out = yield* patchConfig(config, body, trained)
        if (trained) {
          this.config = out.config
          this.params = out.params
          applyLive(run.params, out.params)
        } else {
          yield* this.buildRun(out.config, out.params)
        }
        this.publishState(false)
        return { ...out.config.hyper, applied: [...out.applied], skipped: [...out.skipped] }
      })
    )
  }

  // -----------------------------------------------------------------------------------------------------------
  // Metrics and status
  // -----------------------------------------------------------------------------------------------------------

  metrics(): Effect.Effect<MetricsResponse, SessionNotFound> {
    return Effect.suspend(() => {
      const row = this.history.latest()
      if (!row) return Effect.fail(new SessionNotFound({ message: "No metrics available" }))
      const evalMetrics: EvalMetrics = this.latestEval ?? {
        enabled: this.deps.settings.evalMetricsEnabled,
        average: null,
        split: null,
        n_samples: 0,
        n_classes: 0,
        undefined: "empty_batch"
      }
      return Effect.succeed({ ...row, eval_metrics: evalMetrics })
    })
  }

  metricsHistory(count?: number): Effect.Effect<{ metrics: Array<MetricsRow> }> {
    return Effect.sync(() => ({ metrics: this.history.last(count) }))
  }

  private trainingState(): TrainingState {
    const c = this.config
    const h = c?.hyper
    const p = this.params
    const s = this.run?.status()
    const upstream = p?.algorithm === "upstream"
    return {
      status: statusSpelling[this.fsm],
      phase: this.phase,
      learning_rate: h?.learning_rate ?? null,
      max_hidden_units: h?.max_hidden_units ?? 0,
      max_epochs: h?.epochs_max ?? 0,
      current_epoch: this.step,
      current_step: s?.epoch ?? 0,
      network_name: c ? `CasCor-${c.inputSize}x${c.outputSize}` : "CasCor",
      dataset_name: this.data?.name ?? null,
      threshold_function: h?.activation_function_name ?? "SymmetricSigmoid",
      optimizer_name: p ? (upstream ? "Adam" : "Quickprop") : "Quickprop",
      timestamp: Date.now() / 1000,
      phase_detail: this.phase === "IDLE" ? null : this.progress.phaseDetail,
      grow_iteration: s?.hiddenUnits ?? 0,
      grow_max: p?.rounds ?? 0,
      best_correlation: this.progress.bestCorrelation,
      candidates_trained: this.progress.candidatesTrained,
      candidates_total: p?.poolSize ?? 0,
      phase_started_at: this.progress.phaseStartedAt,
      candidate_epoch: this.progress.candidateEpoch,
      candidate_total_epochs: p ? (upstream ? p.upstream.candidateEpochs : p.inLimit) : 0,
      output_epoch: this.progress.outputEpoch,
      output_total_epochs: p ? (upstream ? p.upstream.outputEpochs : p.outLimit) : 0,
      max_iterations: h?.max_iterations ?? 0
    }
  }

  stateFrameData(): StateFrameData {
    const h = this.config?.hyper
    return {
      ...this.trainingState(),
      best_candidate_id: this.progress.best,
      second_candidate_id: this.progress.second,
      all_correlations: this.progress.allCorrelations,
      candidate_pool_size: this.params?.poolSize ?? 0,
      correlation_threshold: h?.correlation_threshold ?? 0,
      convergence_threshold: h?.convergence_threshold ?? 0
    }
  }

  statusNow(): TrainingStatus {
    const training = this.fsm === "STARTED" || this.fsm === "PAUSED"
    const hidden = this.run?.status().hiddenUnits ?? 0
    return {
      state_machine: {
        status: this.fsm,
        phase: this.phase,
        paused_phase: this.pausedPhase,
        has_candidate_state: this.phase === "CANDIDATE" || this.pausedPhase === "CANDIDATE"
      },
      monitor: {
        is_training: this.fsm === "STARTED",
        current_epoch: this.step,
        current_hidden_units: hidden,
        current_phase: this.phase,
        total_metrics: this.history.size
      },
      training_state: this.trainingState(),
      network_loaded: this.config !== null,
      training_active: training,
      completion_reason: this.completionReason,
      metrics_clear_undo_available: false,
      snapshot_seq: this.snapshotSeq,
      server_instance_id: this.deps.broadcaster.instanceId,
      is_training: this.fsm === "STARTED",
      current_epoch: this.step,
      backend: this.deps.backend,
      algorithm: this.params?.algorithm ?? null,
      error: this.error
    }
  }

  status(): Effect.Effect<TrainingStatus> {
    return Effect.sync(() => this.statusNow())
  }

  get fsmState(): FsmStatus {
    return this.fsm
  }

  get networkLoaded(): boolean {
    return this.config !== null
  }

  gauges(): SessionGauges {
    const row = this.history.latest()
    const s = this.run?.status()
    return {
      step: this.step,
      engineEpoch: s?.epoch ?? 0,
      hiddenUnits: s?.hiddenUnits ?? 0,
      loss: row?.loss ?? null,
      accuracy: row?.accuracy ?? null,
      candidatePhaseSeconds: this.progress.lastCandidateSeconds,
      training: this.fsm === "STARTED",
      fsm: this.fsm
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // Workers (local only: the in-process candidate executor)
  // -----------------------------------------------------------------------------------------------------------

  private localWorker(): Worker {
    const busy = this.fsm === "STARTED" && this.phase === "CANDIDATE"
    return {
      worker_id: `local-${process.pid}`,
      kind: "local",
      status: busy ? "busy" : "idle",
      health_score: 1,
      last_heartbeat_at: Date.now() / 1000,
      current_task_id: busy ? `candidate-${this.run?.status().hiddenUnits ?? 0}` : null,
      capabilities: {
        cpu_cores: cpus().length,
        gpu: this.deps.backend === "cuda",
        backend: this.deps.backend,
        node_version: process.version,
        os: `${process.platform}-${process.arch}`
      },
      tasks_completed: this.progress.candidateTasks,
      tasks_failed: this.progress.candidateFailures,
      in_flight_tasks: busy ? 1 : 0,
      rss_mb: Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10,
      gpu_utilization_pct: null,
      last_task_duration_seconds: this.progress.lastCandidateSeconds
    }
  }

  workers(): Effect.Effect<WorkerList> {
    return Effect.sync(() => {
      const w = this.localWorker()
      return { workers: [w], count: 1 }
    })
  }

  worker(id: string): Effect.Effect<Worker, SessionNotFound> {
    return Effect.suspend(() => {
      const w = this.localWorker()
      return w.worker_id === id ? Effect.succeed(w) : Effect.fail(new SessionNotFound({ message: `Worker '${id.slice(0, 200)}' not found` }))
    })
  }

  workerStats(): Effect.Effect<WorkerStats> {
    return Effect.sync(() => {
      const w = this.localWorker()
      return {
        total: 1,
        idle: w.status === "idle" ? 1 : 0,
        busy: w.status === "busy" ? 1 : 0,
        stale: 0,
        total_tasks_completed: w.tasks_completed,
        total_tasks_failed: w.tasks_failed,
        average_health_score: 1,
        timestamp: Date.now() / 1000
      }
    })
  }

  // -----------------------------------------------------------------------------------------------------------
  // Snapshots
  // -----------------------------------------------------------------------------------------------------------

  /** The session's state as a snapshot body (synchronous: a consistent cut between two phases). */
  private snapshotBody(): Effect.Effect<typeof SnapshotBody.Encoded, SessionInternal> {
    return Effect.try({
      try: () =>
        Schema.encodeSync(SnapshotBody)({
          network: { ...this.config!, hyper: { ...this.config!.hyper }, engineOverrides: { ...this.config!.engineOverrides } },
          dataset: this.data ? { ...this.data, source: { ...this.data.source } } : null,
          run: this.runHasData && this.run ? this.run.snapshot() : null,
          session: {
            step: this.step,
            fsm_state: this.fsm,
            completion_reason: this.completionReason,
            backend: this.deps.backend,
            saved_at: Date.now() / 1000
          },
          metrics: this.history.last()
        }),
      catch: (e) => new SessionInternal({ message: `Failed to serialise the snapshot: ${String(e)}` })
    })
  }

  saveSnapshot(description: string, kind: "manual" | "auto" = "manual"): Effect.Effect<SnapshotMeta, SessionError> {
    return Effect.gen(this, function* () {
      const { config, run } = yield* this.requireNetwork()
      const body = yield* this.snapshotBody()
      const s = run.status()
      const meta = yield* this.deps.store.save({
        kind,
        description,
        body,
        meta: {
          network: { input_size: config.inputSize, output_size: config.outputSize, hidden_units: s.hiddenUnits },
          algorithm: config.hyper.algorithm,
          fsm_state: this.fsm,
          current_epoch: this.step,
          engine_epoch: s.epoch
        }
      })
      this.snapshotSeq++
      return meta
    })
  }

  listSnapshots(limit?: number, offset?: number): Effect.Effect<SnapshotList> {
    return this.deps.store.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })
  }

  getSnapshot(id: string): Effect.Effect<SnapshotMeta, SessionError> {
    return this.deps.store.meta(id)
  }

  deleteSnapshot(id: string): Effect.Effect<SnapshotDeleteResult, SessionError> {
    return Effect.as(this.deps.store.remove(id), { snapshot_id: id, deleted: true as const })
  }

  /** Restores a snapshot: network, data, the run (exact continuation), counters and history; FSM → INVESTIGATING. */
  restoreSnapshot(id: string): Effect.Effect<SnapshotRestoreResult, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (this.fsm === "STARTED" || this.fsm === "PAUSED") return yield* Effect.fail(conflict("Snapshot cannot be restored", this.fsm))
        const { body } = yield* this.deps.store.load(id)
        const corrupt = (msg: string) =>
          invalidField(["path", "id"], `corrupt snapshot: ${msg}`, id)
        const stored = decodeStoredConfig(body.network)
        if (stored._tag === "Left") return yield* Effect.fail(corrupt(stored.left))
        const config = stored.right
        const params = yield* Effect.mapError(engineParams(config), (e) => corrupt(e.message))
        if (body.session.backend !== this.deps.backend)
          yield* Effect.logWarning(`snapshot ${id} was trained on the ${body.session.backend} backend, this service uses ${this.deps.backend}: the continuation is not bit-exact`)
        yield* this.haltFiber()
        const data = body.dataset as LoadedDataset | null
        let run: CascorRun
        let engine: EngineData | null = null
        if (data && body.run !== null) {
          engine = yield* Effect.mapError(engineData(data, params.outputActivation), (e) => corrupt(e.message))
          run = yield* restoreRun(body.run, engine.train, this.deps.kernels).pipe(Effect.mapError((e) => corrupt(e.message)))
        } else {
          run = createRun(params, placeholderDataset(config.inputSize, config.outputSize))
        }
        this.config = config
        this.params = run.params
        this.data = data
        this.engine = engine
        this.run = run
        this.runHasData = engine !== null
        this.step = body.session.step
        this.history.replace(body.metrics)
        this.completionReason = body.session.completion_reason
        this.error = null
        this.progress = { ...freshProgress(), engineEpoch: run.status().epoch }
        this.bestLoss = Number.POSITIVE_INFINITY
        this.fsm = "INVESTIGATING"
        this.phase = "IDLE"
        this.pausedPhase = null
        this.publishState(true)
        const s = run.status()
        return {
          snapshot_id: id,
          operation: "restore" as const,
          fsm_state: this.fsm,
          time_index: { snapshot_window: { current_epoch: this.step, engine_epoch: s.epoch, hidden_units: s.hiddenUnits } },
          training_params: config.hyper,
          status: "restored" as const
        }
      })
    )
  }

  // -----------------------------------------------------------------------------------------------------------
  // Engine events → state, rows and frames
  // -----------------------------------------------------------------------------------------------------------

  /** The session's kernels, with the native backend's progress callback wired to `candidate_progress` frames. */
  private progressKernels(gen: number): Kernels {
    const k = this.deps.kernels as Kernels & { readonly addon?: unknown; readonly candidatePhaseAsync: (input: never, onProgress?: (epoch: number, best: number) => void) => Promise<never> }
    if (k.addon === undefined) return this.deps.kernels
    const native = k as unknown as { candidatePhaseAsync: (i: unknown, p: (e: number, b: number) => void) => Promise<unknown> }
    return {
      ...this.deps.kernels,
      candidatePhaseAsync: (input) => native.candidatePhaseAsync(input, (epoch, best) => this.onCandidateEpoch(gen, epoch, best)) as never
    }
  }

  private onCandidateEpoch(gen: number, epoch: number, best: number): void {
    if (gen !== this.gen) return
    this.progress.candidateEpoch = epoch
    this.progress.bestCorrelation = Number.isFinite(best) ? best : null
    const every = this.deps.settings.candidateProgressEvery
    if (epoch - this.progress.lastProgressEpoch >= every) {
      this.progress.lastProgressEpoch = epoch - (epoch % every)
      const p = this.params
      this.deps.broadcaster.publish("candidate_progress", {
        candidate_id: null,
        candidate_uuid: null,
        epoch,
        total_epochs: p ? (p.algorithm === "upstream" ? p.upstream.candidateEpochs : p.inLimit) : 0,
        correlation: this.progress.bestCorrelation,
        unit: this.run?.status().hiddenUnits ?? 0,
        final: false
      })
    }
  }

  private publishEvent(event: string, extra: Record<string, unknown> = {}): void {
    this.deps.broadcaster.publish("event", { event, current_epoch: this.step, hidden_units: this.run?.status().hiddenUnits ?? 0, ...extra })
  }

  /** `state` frames: at most one per `stateCoalesceMs` (the latest state wins), terminal ones at once. */
  publishState(immediate: boolean): void {
    const gap = this.deps.settings.stateCoalesceMs
    const now = Date.now()
    if (immediate || now - this.lastStateAt >= gap) {
      if (this.stateTimer) clearTimeout(this.stateTimer)
      this.stateTimer = null
      this.lastStateAt = now
      this.deps.broadcaster.publish("state", this.stateFrameData())
      return
    }
    if (this.stateTimer) return
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null
      this.lastStateAt = Date.now()
      this.deps.broadcaster.publish("state", this.stateFrameData())
    }, gap - (now - this.lastStateAt))
    this.stateTimer.unref?.()
  }

  private row(kind: MetricsRow["kind"], fields: Partial<MetricsRow>): MetricsRow {
    return {
      epoch: this.step,
      timestamp: new Date().toISOString(),
      loss: null,
      accuracy: null,
      learning_rate: this.config?.hyper.learning_rate ?? null,
      hidden_units: this.run?.status().hiddenUnits ?? 0,
      phase: this.phase,
      validation_loss: null,
      validation_accuracy: null,
      kind,
      f1: null,
      precision: null,
      recall: null,
      roc_auc: null,
      engine_epoch: this.progress.engineEpoch,
      ...fields
    }
  }

  private pushRow(row: MetricsRow, at: number): void {
    this.history.push(row)
    this.deps.broadcaster.publish("metrics", row, at)
  }

  /** The terminal row of a training step: training loss/accuracy, validation and classification metrics. */
  private trainingStepRow(run: CascorRun): MetricsRow {
    const s = run.status()
    const { P, O } = run.dataset
    const engine = this.engine!
    const net = run.network()
    const threshold = decisionThreshold(engine.transform)
    const enabled = this.deps.settings.evalMetricsEnabled
    const val = engine.val
    const v = val ? evaluate(net, val.inputs, val.targets, val.P, threshold, "validation", enabled) : null
    const cls = v ?? evaluate(net, run.dataset.inputs, run.dataset.targets, P, threshold, "train", enabled)
    this.latestEval = cls.eval
    const finite = (x: number) => (Number.isFinite(x) ? x : null)
    return this.row("training_step", {
      loss: finite(s.trueError / (P * O)),
      accuracy: finite(s.accuracy),
      validation_loss: v?.loss ?? null,
      validation_accuracy: v?.accuracy ?? null,
      f1: cls.f1,
      precision: cls.precision,
      recall: cls.recall,
      roc_auc: cls.roc_auc
    })
  }

  private onEvent(gen: number, run: CascorRun, ev: TrainingEvent): void {
    if (gen !== this.gen) return
    const at = nowMs()
    const pr = this.progress
    switch (ev._tag) {
      case "TrainingStarted":
        pr.engineEpoch = ev.epoch
        this.publishEvent("training_started", { restored: ev.restored, backend: ev.backend })
        this.publishState(true)
        return
      case "PhaseStarted":
        if (this.fsm === "STARTED" || this.fsm === "PAUSED") this.phase = ev.phase === "output" ? "OUTPUT" : "CANDIDATE"
        pr.phaseStartedAt = at / 1000
        pr.phaseDetail = ev.phase === "output" ? "training_output" : "training_candidates"
        if (ev.phase === "output") pr.outputEpoch = 0
        else {
          pr.candidateEpoch = 0
          pr.lastProgressEpoch = 0
          pr.bestCorrelation = null
          pr.candidatesTrained = 0
        }
        this.publishState(false)
        return
      case "EpochMetrics": {
        pr.engineEpoch = ev.epoch
        if (ev.phase !== "output") return
        pr.outputEpoch = ev.phaseEpoch + 1
        const every = this.deps.settings.outputEpochSampling
        if (every > 0 && (ev.phaseEpoch + 1) % every === 0 && ev.accuracy === undefined)
          this.pushRow(this.row("output_epoch", { loss: Number.isFinite(ev.loss) ? ev.loss : null }), at)
        return
      }
      case "CandidateProgress": {
        const order = ev.scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0])
        pr.best = ev.best
        pr.second = order[1]?.[1] ?? null
        pr.allCorrelations = [...ev.scores]
        pr.bestCorrelation = Number.isFinite(ev.bestScore) ? ev.bestScore : null
        pr.candidatesTrained = ev.scores.length
        pr.candidateEpoch = ev.epochs
        const p = run.params
        this.deps.broadcaster.publish(
          "candidate_progress",
          {
            candidate_id: ev.best,
            candidate_uuid: null,
            epoch: ev.epochs,
            total_epochs: p.algorithm === "upstream" ? p.upstream.candidateEpochs : p.inLimit,
            correlation: pr.bestCorrelation,
            unit: ev.unit,
            final: true,
            all_correlations: ev.scores
          },
          at
        )
        return
      }
      case "UnitInstalled":
        pr.phaseDetail = "adding_candidate"
        this.deps.broadcaster.publish(
          "cascade_add",
          { timestamp: at / 1000, hidden_unit_index: ev.index, correlation: ev.score, total_hidden_units: ev.index + 1 },
          at
        )
        this.deps.broadcaster.publish("topology", topologyOf(run.network()), at)
        return
      case "PhaseEnded":
        pr.engineEpoch = ev.epoch
        if (ev.phase === "candidate") {
          pr.lastCandidateSeconds = ev.ms / 1000
          pr.candidateTasks++
          return
        }
        this.step++
        {
          const row = this.trainingStepRow(run)
          this.pushRow(row, at)
          // The output weights changed: dashboards keep the drawn network current (§6.3 "grew or changed").
          this.deps.broadcaster.publish("topology", topologyOf(run.network()), at)
          this.maybeAutoSnapshot(row)
        }
        this.publishState(false)
        return
      case "TrainingPaused":
      case "TrainingResumed":
        this.publishState(false)
        return
      case "TrainingCompleted":
        this.fiber = null
        this.control = null
        this.phase = "IDLE"
        this.pausedPhase = null
        if (ev.outcome === "stopped") {
          this.fsm = "STOPPED"
          this.publishEvent("training_stopped")
        } else {
          this.fsm = "COMPLETED"
          this.completionReason = this.completionReasonOf(ev.reason)
          this.publishEvent("training_complete", { completion_reason: this.completionReason })
        }
        this.publishState(true)
        return
    }
  }

  private completionReasonOf(reason: string): string {
    const h = this.config?.hyper
    const limit = h && h.max_hidden_units <= h.max_iterations ? "max_hidden_units" : "max_iterations"
    switch (reason) {
      case "victory":
        return "target_accuracy"
      case "rounds":
      case "max_iterations":
        return limit
      case "maxUnits":
        return "max_hidden_units"
      default:
        return reason
    }
  }

  private maybeAutoSnapshot(row: MetricsRow): void {
    if (!this.config?.hyper.auto_snap_best) return
    const loss = row.validation_loss ?? row.loss
    if (loss === null || !(loss < this.bestLoss)) return
    this.bestLoss = loss
    const save = this.saveSnapshot(`auto-snap-best: step ${row.epoch}, loss ${loss.toPrecision(4)}`, "auto").pipe(
      Effect.catchAll((e) => Effect.logWarning(`auto snapshot failed: ${e.message}`))
    )
    Effect.runFork(save)
  }

  private onFailure(gen: number, cause: Cause.Cause<unknown>): void {
    if (gen !== this.gen || Cause.isInterruptedOnly(cause)) return
    const failure = Cause.failureOption(cause)
    const message = Option.match(failure, {
      onNone: () => Cause.pretty(cause).split("\n")[0] ?? "training failed",
      onSome: (e) => (e as { message?: string }).message ?? String(e)
    })
    this.fiber = null
    this.control = null
    this.fsm = "FAILED"
    this.phase = "IDLE"
    this.pausedPhase = null
    this.error = message
    this.completionReason = this.progress.phaseDetail === "training_candidates" ? "candidate_training_failed" : null
    if (this.progress.phaseDetail === "training_candidates") this.progress.candidateFailures++
    Effect.runFork(Effect.logError(`training failed: ${message}`))
    this.publishEvent("training_failed", { error: message })
    this.publishState(true)
  }

  /** `initial_metrics` rows for a fresh WebSocket connection. */
  initialMetrics(count = this.deps.settings.initialMetricsCount): { metrics: Array<MetricsRow>; count: number; current_seq: number } {
    const metrics = this.history.last(Math.max(1, Math.min(100, count)))
    return { metrics, count: metrics.length, current_seq: this.deps.broadcaster.currentSeq }
  }

  /** Test and shutdown support: stop the fiber. */
  shutdown(): Effect.Effect<void> {
    return this.haltFiber()
  }
}

export { badRequest }
