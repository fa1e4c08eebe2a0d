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
 * FAILED; snapshot restore → INVESTIGATING, snapshot resume → RESUME_READY (a start from either continues the run
 * exactly), snapshot retrain → STOPPED. Network edits (E1–E3) only while INVESTIGATING. Phases IDLE → OUTPUT →
 * (CANDIDATE → OUTPUT)*.
 */
import { Effect, Either, Fiber, Schema, type Scope, Stream } from "effect"
import type {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  EvalMetrics,
  FsmStatus,
  HiddenUnitAddRequest,
  HiddenUnitAddResult,
  HiddenUnitRemoveResult,
  HyperParameters,
  MetricsClearResult,
  MetricsResponse,
  MetricsRow,
  MetricsUndoResult,
  NetworkCreateRequest,
  NetworkInfo,
  NetworkStats,
  ParamsUpdateResult,
  SnapshotDeleteResult,
  SnapshotList,
  SnapshotMeta,
  SnapshotRestoreResult,
  SnapshotResumeResult,
  SnapshotRetrainResult,
  StateFrameData,
  StopResult,
  Topology,
  TrainingParams,
  TrainingStartRequest,
  TrainingStatus,
  WeightEditRequest,
  WeightEditResult,
  Worker,
  WorkerList,
  WorkerStats
} from "../api/schema.js"
import { randomUUID } from "node:crypto"
import type { JuniperDataClientShape } from "@juniper/data"
import type { TrainingControl } from "../engine/control.js"
import { makeTrainingControl } from "../engine/control.js"
import {
  addHiddenUnit,
  type InvalidEdit,
  rebuildRun,
  removeHiddenUnit,
  retrainRun,
  retrainState,
  type RunState,
  runStateOf,
  setHiddenBias,
  setHiddenWeights,
  setOutputBias,
  setOutputWeights
} from "../engine/edit.js"
import type { Kernels } from "../engine/kernel.js"
import type { Network } from "../engine/network.js"
import type { CascorParams } from "../engine/params.js"
import type { CascorRun } from "../engine/run.js"
import { createRun, restoreRun } from "../engine/runs.js"
import { CascorKernels } from "../engine/service.js"
import { trainingEvents } from "../engine/training.js"
import { SnapshotBody } from "../snapshots/format.js"
import type { SaveInput, SnapshotStoreShape } from "../snapshots/store.js"
import type { Broadcaster } from "./broadcaster.js"
import { type EventContext, onCandidateEpoch, onEngineEvent, onTrainingFailure, withProgress } from "./events.js"
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
import { badRequest, invalidField, SessionConflict, type SessionError, SessionInternal, SessionInvalid, SessionNotFound } from "./errors.js"
import type { MetricsRing } from "./metrics.js"
import { applyLive, configFromRequest, decodeStoredConfig, engineParams, type NetworkConfig, patchConfig, withSizes } from "./params.js"
import { freshProgress, gaugesOf, initialState, isTrained, localWorkerOf, type SessionGauges, type SessionState, stateFrameDataOf, statusOf } from "./state.js"
import { activationDisplayName, decisionBoundaryOf, statsOf, topologyOf } from "./views.js"

export interface SessionSettings {
  readonly evalMetricsEnabled: boolean
  readonly initialMetricsCount: number
  /** Output epochs between two sampled `output_epoch` rows (§4.4: about every 25th). */
  readonly outputEpochSampling: number
  /** Candidate epochs between two `candidate_progress` frames (§5: every 50). */
  readonly candidateProgressEvery: number
  /** …and at least this many ms apart (fast native phases would otherwise send hundreds per second). */
  readonly candidateProgressMinMs?: number
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

const conflict = (what: string, state: FsmStatus) =>
  new SessionConflict({ message: `${what} in the current state (${state})`, state })

const noNetwork = () => new SessionNotFound({ message: "No network created" })

/** Where a run stands: every phase moves at least one of these (the stage alternates, a round or the end comes). */
const positionOf = (run: CascorRun): string => {
  const s = run.status()
  return `${s.stage}/${s.round}/${s.epoch}/${s.hiddenUnits}/${s.done}`
}
const noData = () => new SessionNotFound({ message: "No training data loaded" })

/** An edit the engine refused → 404 (no such hidden unit), 400 (shape, naming the part) or 422 (not finite). */
const editFailure = (e: InvalidEdit, prefix: ReadonlyArray<string>): SessionError => {
  const loc = [...prefix, ...e.loc]
  switch (e.reason) {
    case "index":
      return new SessionNotFound({ message: e.message })
    case "shape":
      return new SessionInvalid({ message: e.message, status: 400, issues: [{ type: "value_error.shape", loc, msg: e.message, input: null }] })
    case "value":
      return new SessionInvalid({ message: e.message, status: 422, issues: [{ type: "value_error", loc, msg: e.message, input: null }] })
  }
}

/** A 400 naming one field of the request. */
const badField = (loc: ReadonlyArray<string | number>, msg: string, input: unknown = null) =>
  new SessionInvalid({ message: `${loc.slice(1).join(".")}: ${msg}`, status: 400, issues: [{ type: "value_error", loc: [...loc], msg, input }] })

/** E1 `dtype` values: the engine stores float32; float64 values are rounded to float32. */
const FLOAT_DTYPES = new Set(["float32", "torch.float32", "np.float32", "numpy.float32", "float", "float64", "torch.float64", "np.float64", "numpy.float64", "double"])

/** A name compared as the activation's: case, "_", "-" and spaces ignored ("Tanh" ≡ "tanh", "symmetric_sigmoid" ≡ "SymmetricSigmoid"). */
const activationKey = (name: string) => name.toLowerCase().replace(/[_\s-]/g, "")

export class TrainingSession {
  readonly id: string
  private readonly st: SessionState = initialState()
  private readonly events: EventContext
  private fiber: Fiber.RuntimeFiber<void, never> | null = null
  private control: TrainingControl | null = null
  /** Generation of the training fiber: events of a fiber that was replaced are ignored. */
  private gen = 0
  private lastStateAt = 0
  private stateTimer: ReturnType<typeof setTimeout> | null = null
  /** A phase has been announced and its events are not all processed yet. */
  private phaseInFlight = false
  /** Where the run stood when the phase in flight was announced (./session.ts betweenPhases). */
  private phaseStartKey = ""
  /** Reads waiting for the end of the phase in flight (./session.ts betweenPhases). */
  private boundaryWaiters: Array<() => void> = []

  private constructor(
    private readonly deps: SessionDeps,
    private readonly lock: Effect.Semaphore
  ) {
    this.id = deps.id
    this.events = {
      st: this.st,
      broadcaster: deps.broadcaster,
      settings: deps.settings,
      publishState: (immediate) => this.publishState(immediate),
      runEnded: () => {
        this.fiber = null
        this.control = null
      },
      autoSnapshot: (row) => this.maybeAutoSnapshot(row)
    }
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

  private requireNetwork(): Effect.Effect<{ config: NetworkConfig; params: CascorParams; run: CascorRun }, SessionNotFound> {
    return this.st.config && this.st.params && this.st.run
      ? Effect.succeed({ config: this.st.config, params: this.st.params, run: this.st.run })
      : Effect.fail(noNetwork())
  }

  /** Builds an untrained run for the configuration: on the loaded data when its dimensions match, else a preview. */
  private buildRun(config: NetworkConfig, params: CascorParams): Effect.Effect<void, SessionInvalid> {
    return Effect.gen(this, function* () {
      const data = this.st.data
      if (data && data.train.x.cols === config.inputSize && data.train.y.cols === config.outputSize) {
        const engine = yield* engineData(data, params.outputActivation)
        this.st.engine = engine
        this.st.run = createRun(params, engine.train)
        this.st.runHasData = true
      } else {
        this.st.run = createRun(params, placeholderDataset(config.inputSize, config.outputSize))
        this.st.runHasData = false
      }
      this.st.config = config
      this.st.params = params
      this.st.customNetwork = false
      this.st.step = 0
      this.st.progress = freshProgress()
      this.st.bestLoss = Number.POSITIVE_INFINITY
    })
  }

  /** Stops the training fiber (between phases, or interrupting an async phase) and forgets it. */
  private haltFiber(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const f = this.fiber
      this.gen++
      this.fiber = null
      this.control = null
      return f ? Fiber.interrupt(f).pipe(Effect.zipRight(Effect.sync(() => this.atBoundary()))) : Effect.void
    })
  }

  /** The run rests between phases: release the reads that waited for it. */
  private atBoundary(): void {
    this.phaseInFlight = false
    for (const w of this.boundaryWaiters.splice(0)) w()
  }

  /**
   * `read()` where the run and the session agree. A phase in flight has not touched the run until its kernels return:
   * until then the run is as before the phase (and a snapshot of it replays the phase exactly). Between that commit
   * and the processing of the phase's events (a few microtasks, but another fiber may run in between) the run is
   * ahead of the session's step counter and history: the read then waits until the events are processed, before the
   * next phase can start.
   */
  private betweenPhases<A>(read: () => A): Effect.Effect<A> {
    return Effect.async<A>((resume) => {
      if (!this.phaseInFlight || (this.st.run !== null && positionOf(this.st.run) === this.phaseStartKey)) return resume(Effect.sync(read))
      const waiter = () => resume(Effect.succeed(read()))
      this.boundaryWaiters.push(waiter)
      return Effect.sync(() => {
        this.boundaryWaiters = this.boundaryWaiters.filter((w) => w !== waiter)
      })
    })
  }

  createNetwork(req: NetworkCreateRequest): Effect.Effect<NetworkInfo, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (this.st.fsm === "STARTED" || this.st.fsm === "PAUSED") return yield* Effect.fail(conflict("Network cannot be created", this.st.fsm))
        const sizes = this.st.data && req.input_size === undefined && req.output_size === undefined
          ? { inputSize: this.st.data.train.x.cols, outputSize: this.st.data.train.y.cols }
          : {}
        const { config, params } = yield* configFromRequest(req, randomUUID(), sizes)
        yield* this.haltFiber()
        yield* this.buildRun(config, params)
        this.st.fsm = "STOPPED"
        this.st.phase = "IDLE"
        this.st.pausedPhase = null
        this.st.completionReason = null
        this.st.error = null
        this.publishState(true)
        return this.networkInfoOf(config, this.st.run!)
      })
    )
  }

  deleteNetwork(): Effect.Effect<{ deleted: true }, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (["STARTED", "PAUSED", "REPLAYING", "INVESTIGATING"].includes(this.st.fsm))
          return yield* Effect.fail(conflict("Network cannot be deleted", this.st.fsm))
        yield* this.haltFiber()
        this.st.config = null
        this.st.params = null
        this.st.run = null
        this.st.runHasData = false
        this.st.customNetwork = false
        this.st.step = 0
        this.st.fsm = "STOPPED"
        this.st.phase = "IDLE"
        this.st.completionReason = null
        this.st.progress = freshProgress()
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
      if (this.st.data) return this.st.data
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
      const d = this.st.data
      return d
        ? {
            loaded: true,
            train_samples: d.train.x.rows,
            test_samples: d.val?.x.rows ?? 0,
            input_features: d.train.x.cols,
            output_features: d.train.y.cols,
            source: { ...d.source, ...(this.st.engine ? { target_transform: this.st.engine.transform } : {}) }
          }
        : { loaded: false, train_samples: 0, test_samples: 0, input_features: 0, output_features: 0, source: null }
    })
  }

  datasetData(): Effect.Effect<DatasetData, SessionNotFound> {
    return Effect.suspend(() => {
      const d = this.st.data
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
      const d = this.st.data
      if (!d || !this.st.runHasData || !this.st.engine) return yield* Effect.fail(noData())
      if (d.train.x.cols !== 2)
        return yield* Effect.fail(invalidField(["query", "resolution"], `the decision boundary needs 2-D inputs (the data has ${d.train.x.cols})`, resolution))
      return yield* decisionBoundaryOf(run.network(), d.train.x, resolution, decisionThreshold(this.st.engine.transform)).pipe(
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
        if (this.st.fsm === "STARTED" || this.st.fsm === "PAUSED") return yield* Effect.fail(conflict("Training cannot be started", this.st.fsm))
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
        const dataChanged = data !== this.st.data
        const I = data.train.x.cols
        const O = data.train.y.cols
        // The network: created on demand (defaults) or rebuilt for a fresh start / other dimensions.
        if (!this.st.config) {
          const { config, params } = yield* configFromRequest({ input_size: I, output_size: O }, randomUUID())
          this.st.config = config
          this.st.params = params
        }
        let config = this.st.config
        const dimsDiffer = config.inputSize !== I || config.outputSize !== O
        const fresh = body.start_fresh === true
        if (dimsDiffer && this.trained() && !fresh)
          return yield* Effect.fail(
            new SessionConflict({
              message: `The network is ${config.inputSize}×${config.outputSize} but the data is ${I}×${O}; use start_fresh to rebuild it`,
              state: this.st.fsm
            })
          )
        if (dataChanged && this.trained() && !fresh && this.st.runHasData && !["COMPLETED", "FAILED"].includes(this.st.fsm))
          return yield* Effect.fail(
            new SessionConflict({ message: "The network was trained on other data; use start_fresh to train a new one", state: this.st.fsm })
          )
        if (body.params) {
          const patched = yield* patchConfig(config, body.params, false)
          config = patched.config
        }
        if (dimsDiffer) config = withSizes(config, I, O)
        const params = yield* engineParams(config)
        this.st.data = data
        const rebuild = fresh || dimsDiffer || dataChanged || !this.st.runHasData || this.st.fsm === "COMPLETED" || this.st.fsm === "FAILED" || body.params !== undefined && body.params !== null && !this.trained()
        if (fresh) {
          this.st.history.clear()
          this.st.clearedMetrics = null
        }
        // An edited (or retrained) network without data yet is carried onto the data: training starts from it.
        const carried = rebuild && this.st.customNetwork && !this.st.runHasData && !fresh && !dimsDiffer && !body.params && this.st.run ? runStateOf(this.st.run) : null
        if (rebuild) yield* this.buildRun(config, params)
        else if (body.params) {
          this.st.config = config
          this.st.params = params
          applyLive(this.st.run!.params, params)
        }
        if (carried && this.st.runHasData) {
          const base = this.st.run!
          this.st.run = yield* rebuildRun(retrainState(carried, runStateOf(base)), base.dataset, this.deps.kernels).pipe(
            Effect.mapError((e) => new SessionInternal({ message: `Failed to carry the edited network onto the data: ${e.message}` }))
          )
          this.st.customNetwork = true
        }
        const run = this.st.run!
        // A restored run (INVESTIGATING) and a resumed one (RESUME_READY) continue exactly where the snapshot was.
        const restored = this.st.fsm === "INVESTIGATING" || this.st.fsm === "RESUME_READY"
        this.st.fsm = "STARTED"
        this.st.phase = "IDLE"
        this.st.pausedPhase = null
        this.st.completionReason = null
        this.st.error = null
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
      const kernels = withProgress(this.deps.kernels, (epoch, best) => {
        if (gen === this.gen) onCandidateEpoch(this.events, epoch, best)
      })
      const program = Stream.runForEach(trainingEvents(run, { control, epochMetrics: "all", restored }), (ev) =>
        Effect.sync(() => {
          if (gen !== this.gen) return
          if (ev._tag === "PhaseStarted") {
            this.phaseInFlight = true
            this.phaseStartKey = positionOf(run)
          }
          onEngineEvent(this.events, run, ev)
          if (ev._tag === "PhaseEnded") this.atBoundary()
        })
      ).pipe(
        Effect.provideService(CascorKernels, kernels),
        Effect.catchAllCause((cause) =>
          Effect.sync(() => {
            if (gen === this.gen) onTrainingFailure(this.events, cause)
          })
        ),
        Effect.ensuring(
          Effect.sync(() => {
            if (gen === this.gen) this.atBoundary()
          })
        )
      )
      // Forked from the uninterruptible commit of a start: the fiber itself must stay interruptible (stop, reset, shutdown).
      this.fiber = yield* Effect.forkIn(Effect.interruptible(program), this.deps.scope)
    })
  }

  stop(): Effect.Effect<StopResult> {
    return Effect.gen(this, function* () {
      if (this.control && (this.st.fsm === "STARTED" || this.st.fsm === "PAUSED")) yield* this.control.stop
      if (this.st.fsm !== "STOPPED") {
        this.st.fsm = "STOPPED"
        this.st.pausedPhase = null
        if (!this.fiber) this.st.phase = "IDLE"
        this.publishState(true)
      }
      return { status: "stop_requested" as const, stopped: true as const, epoch: this.st.step }
    })
  }

  pause(): Effect.Effect<{ status: "paused" }, SessionConflict> {
    return Effect.gen(this, function* () {
      // A repeated pause is idempotent (the issue's rule); pausing anything but a running run is a 409.
      if (this.st.fsm === "PAUSED") return { status: "paused" as const }
      if (this.st.fsm !== "STARTED" || !this.control) return yield* Effect.fail(conflict("Training cannot be paused", this.st.fsm))
      yield* this.control.pause
      this.st.fsm = "PAUSED"
      this.st.pausedPhase = this.st.phase
      this.publishState(true)
      return { status: "paused" as const }
    })
  }

  resume(): Effect.Effect<{ status: "resumed" }, SessionConflict> {
    return Effect.gen(this, function* () {
      // A repeated resume (already running) is idempotent; resuming a run that is not paused or running is a 409.
      if (this.st.fsm === "STARTED") return { status: "resumed" as const }
      if (this.st.fsm !== "PAUSED" || !this.control) return yield* Effect.fail(conflict("Training cannot be resumed", this.st.fsm))
      yield* this.control.resume
      this.st.fsm = "STARTED"
      this.st.pausedPhase = null
      this.publishState(true)
      return { status: "resumed" as const }
    })
  }

  /** Clears the history, the counters and the auto-snapshot ratchet; the network becomes untrained again. */
  reset(): Effect.Effect<{ status: "reset" }, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        yield* this.haltFiber()
        this.st.history.clear()
        this.st.clearedMetrics = null
        this.st.latestEval = null
        if (this.st.config && this.st.params) yield* this.buildRun(this.st.config, this.st.params)
        this.st.step = 0
        this.st.fsm = "STOPPED"
        this.st.phase = "IDLE"
        this.st.pausedPhase = null
        this.st.completionReason = null
        this.st.error = null
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
          this.st.config = out.config
          this.st.params = out.params
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
      const row = this.st.history.latest()
      if (!row) return Effect.fail(new SessionNotFound({ message: "No metrics available" }))
      const evalMetrics: EvalMetrics = this.st.latestEval ?? {
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
    return Effect.sync(() => ({ metrics: this.st.history.last(count) }))
  }

  /** M3: sets the history aside (replacing what an earlier clear set aside) and empties it; training goes on. */
  clearMetrics(): Effect.Effect<MetricsClearResult> {
    return this.serialized(
      Effect.sync(() => {
        const rows = this.st.history.last()
        this.st.clearedMetrics = rows
        this.st.history.clear()
        this.publishState(true)
        return { status: "cleared" as const, cleared_count: rows.length, undo_available: true as const }
      })
    )
  }

  /** M4: the rows of the last clear come back, in front of those recorded since (the ring keeps the newest). */
  undoClearMetrics(): Effect.Effect<MetricsUndoResult, SessionConflict> {
    return this.serialized(
      Effect.gen(this, function* () {
        const cleared = this.st.clearedMetrics
        if (cleared === null)
          return yield* Effect.fail(new SessionConflict({ message: "Nothing to undo: no metrics clear since the last reset or restore", state: this.st.fsm }))
        this.st.history.replace([...cleared, ...this.st.history.last()])
        this.st.clearedMetrics = null
        this.publishState(true)
        return { status: "restored" as const, restored_count: cleared.length, undo_available: false as const }
      })
    )
  }

  stateFrameData(): StateFrameData {
    return stateFrameDataOf(this.st)
  }

  statusNow(): TrainingStatus {
    return statusOf(this.st, this.deps.broadcaster.instanceId, this.deps.backend)
  }

  gauges(): SessionGauges {
    return gaugesOf(this.st)
  }

  get history(): MetricsRing {
    return this.st.history
  }

  private trained(): boolean {
    return isTrained(this.st)
  }

  private localWorker(): Worker {
    return localWorkerOf(this.st, this.deps.backend)
  }

  status(): Effect.Effect<TrainingStatus> {
    return Effect.sync(() => this.statusNow())
  }

  get fsmState(): FsmStatus {
    return this.st.fsm
  }

  /** A training fiber is still running (a stopped run finishes its phase first). */
  get runActive(): boolean {
    return this.fiber !== null
  }

  get networkLoaded(): boolean {
    return this.st.config !== null
  }

  // -----------------------------------------------------------------------------------------------------------
  // Workers (local only: the in-process candidate executor)
  // -----------------------------------------------------------------------------------------------------------

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
  /** The snapshot of this instant (body and listing metadata), read in one go; null without a network. */
  private snapshotNow(): Either.Either<{ body: SaveInput["body"]; meta: SaveInput["meta"] } | null, SessionInternal> {
    const { config, run } = this.st
    if (!config || !this.st.params || !run) return Either.right(null)
    try {
      const body = Schema.encodeSync(SnapshotBody)({
        network: { ...config, hyper: { ...config.hyper }, engineOverrides: { ...config.engineOverrides } },
        dataset: this.st.data ? { ...this.st.data, source: { ...this.st.data.source } } : null,
        run: this.st.runHasData ? run.snapshot() : null,
        session: {
          step: this.st.step,
          fsm_state: this.st.fsm,
          completion_reason: this.st.completionReason,
          backend: this.deps.backend,
          saved_at: Date.now() / 1000
        },
        metrics: this.st.history.last()
      })
      const s = run.status()
      return Either.right({
        body,
        meta: {
          network: { input_size: config.inputSize, output_size: config.outputSize, hidden_units: s.hiddenUnits },
          algorithm: config.hyper.algorithm,
          fsm_state: this.st.fsm,
          current_epoch: this.st.step,
          engine_epoch: s.epoch
        }
      })
    } catch (e) {
      return Either.left(new SessionInternal({ message: `Failed to serialise the snapshot: ${String(e)}` }))
    }
  }

  /** Saves the run where it and the session agree (a phase in flight and not yet committed is replayed on restore). */
  saveSnapshot(description: string, kind: "manual" | "auto" = "manual"): Effect.Effect<SnapshotMeta, SessionError> {
    return Effect.gen(this, function* () {
      yield* this.requireNetwork()
      const captured = yield* Effect.flatten(this.betweenPhases(() => this.snapshotNow()))
      if (captured === null) return yield* Effect.fail(noNetwork())
      const meta = yield* this.deps.store.save({ kind, description, body: captured.body, meta: captured.meta })
      this.st.snapshotSeq++
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

  /**
   * Loads a snapshot into the session (P4 restore, R2 resume, R1 retrain): its network, data and run. Restore and
   * resume keep the run (exact continuation), the training step and the history; retrain starts a new run from the
   * snapshot's network (engine/edit.ts `retrainRun`) with the history and counters cleared.
   */
  private loadSnapshot(id: string, mode: "restore" | "resume" | "retrain"): Effect.Effect<{ config: NetworkConfig; run: CascorRun }, SessionError> {
    return Effect.gen(this, function* () {
      const verb = { restore: "restored", resume: "resumed", retrain: "retrained" }[mode]
      if (this.st.fsm === "STARTED" || this.st.fsm === "PAUSED") return yield* Effect.fail(conflict(`Snapshot cannot be ${verb}`, this.st.fsm))
      const { body } = yield* this.deps.store.load(id)
      const corrupt = (msg: string) =>
        invalidField(["path", "id"], `corrupt snapshot: ${msg}`, id)
      const stored = decodeStoredConfig(body.network)
      if (stored._tag === "Left") return yield* Effect.fail(corrupt(stored.left))
      const config = stored.right
      const params = yield* Effect.mapError(engineParams(config), (e) => corrupt(e.message))
      if (mode !== "retrain" && body.session.backend !== this.deps.backend)
        yield* Effect.logWarning(`snapshot ${id} was trained on the ${body.session.backend} backend, this service uses ${this.deps.backend}: the continuation is not bit-exact`)
      yield* this.haltFiber()
      const data = body.dataset as LoadedDataset | null
      let run: CascorRun
      let engine: EngineData | null = null
      if (data && body.run !== null) {
        engine = yield* Effect.mapError(engineData(data, params.outputActivation), (e) => corrupt(e.message))
        run = yield* restoreRun(body.run, engine.train, this.deps.kernels).pipe(Effect.mapError((e) => corrupt(e.message)))
        if (mode === "retrain") run = yield* retrainRun(run, this.deps.kernels).pipe(Effect.mapError((e) => corrupt(e.message)))
      } else {
        run = createRun(params, placeholderDataset(config.inputSize, config.outputSize))
      }
      this.st.config = config
      this.st.params = run.params
      this.st.data = data
      this.st.engine = engine
      this.st.run = run
      this.st.runHasData = engine !== null
      this.st.clearedMetrics = null
      this.st.error = null
      this.st.progress = { ...freshProgress(), engineEpoch: run.status().epoch }
      this.st.bestLoss = Number.POSITIVE_INFINITY
      this.st.phase = "IDLE"
      this.st.pausedPhase = null
      if (mode === "retrain") {
        this.st.step = 0
        this.st.history.clear()
        this.st.latestEval = null
        this.st.completionReason = null
        this.st.customNetwork = engine !== null
        this.st.fsm = "STOPPED"
      } else {
        this.st.step = body.session.step
        this.st.history.replace(body.metrics)
        this.st.completionReason = body.session.completion_reason
        this.st.customNetwork = false
        this.st.fsm = mode === "restore" ? "INVESTIGATING" : "RESUME_READY"
      }
      this.publishState(true)
      return { config, run }
    })
  }

  /** P4: restores a snapshot: network, data, the run (exact continuation), counters and history; FSM → INVESTIGATING. */
  restoreSnapshot(id: string): Effect.Effect<SnapshotRestoreResult, SessionError> {
    return this.serialized(
      Effect.map(this.loadSnapshot(id, "restore"), ({ config, run }) => {
        const s = run.status()
        return {
          snapshot_id: id,
          operation: "restore" as const,
          fsm_state: this.st.fsm,
          time_index: { snapshot_window: { current_epoch: this.st.step, engine_epoch: s.epoch, hidden_units: s.hiddenUnits } },
          training_params: config.hyper,
          status: "restored" as const
        }
      })
    )
  }

  /** R2: as a restore (exact continuation), ready to start; FSM → RESUME_READY. */
  resumeSnapshot(id: string): Effect.Effect<SnapshotResumeResult, SessionError> {
    return this.serialized(
      Effect.map(this.loadSnapshot(id, "resume"), ({ run }) => {
        const s = run.status()
        return {
          snapshot_id: id,
          operation: "resume" as const,
          status: "ready" as const,
          resume_point_epoch: this.st.step,
          fsm_state: this.st.fsm,
          engine_epoch: s.epoch,
          hidden_units: s.hiddenUnits
        }
      })
    )
  }

  /** R1: the snapshot's network with the history and the run's counters cleared: a start trains it anew; FSM → STOPPED. */
  retrainSnapshot(id: string): Effect.Effect<SnapshotRetrainResult, SessionError> {
    return this.serialized(
      Effect.map(this.loadSnapshot(id, "retrain"), ({ run }) => ({
        snapshot_id: id,
        operation: "retrain" as const,
        status: "ready" as const,
        fsm_state: this.st.fsm,
        hidden_units: run.status().hiddenUnits
      }))
    )
  }

  // -----------------------------------------------------------------------------------------------------------
  // Network editing (E1–E3): while INVESTIGATING, on the run's state (engine/edit.ts), then the run is rebuilt
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Applies `edit` to the run's state and rebuilds the run from it (the values cache refilled by the kernels), on
   * the run's own dataset (the loaded data, or the placeholder of a network without data). Publishes the new
   * topology and a state frame.
   */
  private editRun(
    check: (run: CascorRun) => Either.Either<void, SessionError>,
    edit: (s: RunState) => Either.Either<RunState, InvalidEdit>,
    prefix: ReadonlyArray<string>
  ): Effect.Effect<{ config: NetworkConfig; before: CascorRun; run: CascorRun }, SessionError> {
    return this.serialized(
      Effect.gen(this, function* () {
        if (this.st.fsm !== "INVESTIGATING")
          return yield* Effect.fail(
            new SessionConflict({
              message: `Network cannot be edited in the current state (${this.st.fsm}): edits need INVESTIGATING (restore a snapshot first)`,
              state: this.st.fsm
            })
          )
        const { config, run: before } = yield* this.requireNetwork()
        yield* check(before)
        const edited = edit(runStateOf(before))
        if (Either.isLeft(edited)) return yield* Effect.fail(editFailure(edited.left, prefix))
        const run = yield* rebuildRun(edited.right, before.dataset, this.deps.kernels).pipe(
          Effect.mapError((e) => new SessionInternal({ message: `Failed to rebuild the edited network: ${e.message}` }))
        )
        this.st.run = run
        this.st.params = run.params
        this.st.customNetwork = true
        this.deps.broadcaster.publish("topology", topologyOf(run.network()))
        this.publishState(true)
        return { config, before, run }
      })
    )
  }

  /** E1: sets the output weights or biases, or a hidden unit's weights or bias, in the topology's shapes (§4.2). */
  editWeights(req: WeightEditRequest): Effect.Effect<WeightEditResult, SessionError> {
    const index = req.hidden_unit_index
    const check = (): Either.Either<void, SessionError> => {
      if (req.dtype !== undefined && !FLOAT_DTYPES.has(req.dtype.toLowerCase()))
        return Either.left(invalidField(["body", "dtype"], `unsupported dtype '${req.dtype}' (the network's weights are float32; float32 or float64 values are accepted)`, req.dtype))
      if (req.target === "hidden_unit" && index === undefined)
        return Either.left(badField(["body", "hidden_unit_index"], "required when target is \"hidden_unit\""))
      return Either.void
    }
    const edit = (s: RunState) =>
      req.target === "output"
        ? req.field === "weights"
          ? setOutputWeights(s, req.values)
          : setOutputBias(s, req.values)
        : req.field === "weights"
          ? setHiddenWeights(s, index!, req.values)
          : setHiddenBias(s, index!, req.values)
    return Effect.map(this.editRun(check, edit, ["body"]), ({ config, run }) => ({
      ...this.networkInfoOf(config, run),
      operation: "edit_weights" as const,
      fsm_state: this.st.fsm,
      target: req.target,
      field: req.field,
      hidden_unit_index: req.target === "hidden_unit" ? index! : null
    }))
  }

  /** E2: appends a hidden unit fed by every input and hidden unit; its output weights are zero (outputs unchanged). */
  addHiddenUnit(req: HiddenUnitAddRequest): Effect.Effect<HiddenUnitAddResult, SessionError> {
    const check = (run: CascorRun): Either.Either<void, SessionError> => {
      if (req.position !== undefined && req.position !== "tail")
        return Either.left(badField(["body", "position"], `only "tail" is supported (a cascade unit reads every earlier unit), got '${req.position}'`, req.position))
      if (req.activation !== undefined) {
        const own = run.network().hiddenActivation
        const name = activationDisplayName[own] ?? own
        if (activationKey(req.activation) !== activationKey(own))
          return Either.left(
            invalidField(["body", "activation"], `the network's hidden units are ${name}; a unit with another activation ('${req.activation}') is not supported`, req.activation)
          )
      }
      return Either.void
    }
    return Effect.map(this.editRun(check, (s) => addHiddenUnit(s, req.weights, req.bias), ["body"]), ({ before, run }) => ({
      unit_index: before.status().hiddenUnits,
      num_hidden_units: run.status().hiddenUnits,
      operation: "add_hidden_unit" as const,
      fsm_state: this.st.fsm
    }))
  }

  /** E3: removes hidden unit `idx`; later hidden units and the outputs lose the weight that read it. */
  removeHiddenUnit(idx: number): Effect.Effect<HiddenUnitRemoveResult, SessionError> {
    return Effect.map(this.editRun(() => Either.void, (s) => removeHiddenUnit(s, idx), ["path"]), ({ run }) => ({
      removed_index: idx,
      num_hidden_units: run.status().hiddenUnits,
      operation: "remove_hidden_unit" as const,
      fsm_state: this.st.fsm
    }))
  }

  // -----------------------------------------------------------------------------------------------------------
  // Engine events → state, rows and frames
  // -----------------------------------------------------------------------------------------------------------

  /** `state` frames: at most one per `stateCoalesceMs` (the latest state wins), terminal ones at once. */
  publishState(immediate: boolean): void {
    const gap = this.deps.settings.stateCoalesceMs
    const now = Date.now()
    if (immediate || now - this.lastStateAt >= gap) {
      if (this.stateTimer) clearTimeout(this.stateTimer)
      this.stateTimer = null
      this.lastStateAt = now
      this.deps.broadcaster.publish("state", stateFrameDataOf(this.st))
      return
    }
    if (this.stateTimer) return
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null
      this.lastStateAt = Date.now()
      this.deps.broadcaster.publish("state", stateFrameDataOf(this.st))
    }, gap - (now - this.lastStateAt))
    this.stateTimer.unref?.()
  }

  private maybeAutoSnapshot(row: MetricsRow): void {
    if (!this.st.config?.hyper.auto_snap_best) return
    const loss = row.validation_loss ?? row.loss
    if (loss === null || !(loss < this.st.bestLoss)) return
    this.st.bestLoss = loss
    const save = this.saveSnapshot(`auto-snap-best: step ${row.epoch}, loss ${loss.toPrecision(4)}`, "auto").pipe(
      Effect.catchAll((e) => Effect.logWarning(`auto snapshot failed: ${e.message}`))
    )
    Effect.runFork(save)
  }

  /** `initial_metrics` rows for a fresh WebSocket connection. */
  initialMetrics(count = this.deps.settings.initialMetricsCount): { metrics: Array<MetricsRow>; count: number; current_seq: number } {
    const metrics = this.st.history.last(Math.max(1, Math.min(100, count)))
    return { metrics, count: metrics.length, current_seq: this.deps.broadcaster.currentSeq }
  }

  /** Test and shutdown support: stop the fiber. */
  shutdown(): Effect.Effect<void> {
    return this.haltFiber()
  }
}

export { badRequest }
