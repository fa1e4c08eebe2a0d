/**
 * FakeCascorClient (§13.4): the JuniperCascorClient interface served in-process by the fake backend (the service's
 * own session on the real engine; ./backend.ts), in one of the five scenarios (./scenarios.ts). Every result goes
 * through its wire schema and JSON, as the HTTP client's would, so a consumer sees the same values and types;
 * failures are the same typed client errors with the same messages. Test hooks (advanceEpoch, setState, …) are
 * the `FakeCascor` service, provided next to the client by `layerFakeCascorClient`.
 */
import { Context, Duration, Effect, Layer, Schedule, Schema, type Scope } from "effect"
import { DependencyStatus, LivenessResponse, ReadinessResponse } from "@juniper/core"
import {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  DeleteNetworkResult,
  HiddenUnitAddRequest,
  HiddenUnitAddResult,
  HiddenUnitRemoveResult,
  HyperParameters,
  MetricsClearResult,
  MetricsHistory,
  MetricsHistoryUrlParams,
  MetricsUndoResult,
  MetricsResponse,
  NetworkCreateRequest,
  NetworkInfo,
  NetworkStats,
  ParamsUpdateResult,
  PauseResult,
  ResetResult,
  ResumeResult,
  SnapshotCreateRequest,
  SnapshotList,
  SnapshotListUrlParams,
  SnapshotMeta,
  SnapshotRestoreResult,
  SnapshotResumeResult,
  SnapshotRetrainResult,
  StartResult,
  StopResult,
  Topology,
  TrainingParams,
  TrainingStartRequest,
  TrainingStatus,
  TransportMetrics,
  WeightEditRequest,
  WeightEditResult,
  Worker,
  WorkerList,
  WorkerStats
} from "../../api/schema.js"
import { type SessionError, SessionNotFound } from "../../session/errors.js"
import { CascorClientError, type CascorClientFailure } from "../errors.js"
import { DEFAULT_DECISION_BOUNDARY_RESOLUTION, JuniperCascorClient, type JuniperCascorClientShape, startBody } from "../shape.js"
import { type CascorPromiseClient, toPromiseClient } from "../promise.js"
import { check, checkResolution, checkUnitIndex } from "../validate.js"
import { transportMetricsOf } from "../../ws/transport-metrics.js"
import { type FakeBackendOptions, FakeCascorBackend, type FakeState } from "./backend.js"
import { ErrorInjector, fakeHealth, sessionFailure } from "./errors.js"
import { applyScenario, type ScenarioName, type ScenarioOptions } from "./scenarios.js"

export const FAKE_BASE_URL = "http://fake-cascor:8200"

export interface FakeCascorOptions extends FakeBackendOptions, ScenarioOptions {
  /** Default "idle". */
  readonly scenario?: ScenarioName
  readonly baseUrl?: string
  /** error_prone: the share of calls that fail (default 0.1). */
  readonly errorRate?: number
  /** error_prone: the seed of the failures (default 42): the same seed fails the same calls. */
  readonly seed?: number
}

/** The fake's test hooks (upstream `advance_epoch`, `set_state`), and the backend for streams. */
export interface FakeCascorControl {
  readonly scenario: ScenarioName
  readonly backend: FakeCascorBackend
  /** Runs n training steps of a running run (a candidate phase and an output phase each); the number run. */
  readonly advanceEpoch: (n?: number) => Effect.Effect<number>
  /** idle → stopped, training → started/resumed, paused → paused, complete → trained to the end. */
  readonly setState: (state: FakeState) => Effect.Effect<void, CascorClientFailure>
  /** Waits until nothing moves (training waits at the gate, or the run is not running). */
  readonly settle: Effect.Effect<void>
  /** error_prone: calls seen and failures injected. */
  readonly errorStats: () => { readonly calls: number; readonly failures: number }
}

export class FakeCascor extends Context.Tag("@juniper/cascor/FakeCascor")<FakeCascor, FakeCascorControl>() {}

/** A payload as the HTTP client would see it: through JSON and its wire schema. */
const wire = <A, I>(schema: Schema.Schema<A, I>, what: string) => (value: unknown): Effect.Effect<A, CascorClientFailure> =>
  Effect.mapError(Schema.decodeUnknown(schema)(JSON.parse(JSON.stringify(value))), (e) =>
    new CascorClientError({ message: `fake produced an invalid ${what}: ${e.message}`, statusCode: null, detail: null, errorCode: null })
  )

const fromSession = <A>(effect: Effect.Effect<A, SessionError>): Effect.Effect<A, CascorClientFailure> => Effect.mapError(effect, sessionFailure)

const noWorker = (id: string) => sessionFailure(new SessionNotFound({ message: `Worker '${id.slice(0, 200)}' not found` }))

export const makeFakeCascor = (options: FakeCascorOptions = {}): Effect.Effect<{ client: JuniperCascorClientShape; control: FakeCascorControl }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scenario = options.scenario ?? "idle"
    const backend = yield* FakeCascorBackend.make(options)
    yield* Effect.orDie(applyScenario(backend, scenario, options))
    const session = backend.session
    const injector = new ErrorInjector(scenario === "error_prone" ? options.errorRate ?? 0.1 : 0, options.seed ?? 42)
    const empty = scenario === "empty"

    /** One call: maybe an injected failure (error_prone), then the operation. */
    const call = <A>(method: string, effect: Effect.Effect<A, CascorClientFailure>): Effect.Effect<A, CascorClientFailure> =>
      Effect.suspend(() => {
        const injected = injector.next(method)
        return injected ? Effect.fail(injected) : effect
      })
    const op = <A, I>(method: string, schema: Schema.Schema<A, I>, effect: Effect.Effect<unknown, SessionError | CascorClientFailure>) =>
      call(method, Effect.flatMap(Effect.mapError(effect, (e) => ("statusCode" in e ? e : sessionFailure(e))), wire(schema, method)))

    const readiness = () =>
      call(
        "readiness",
        Effect.sync(
          () =>
            new ReadinessResponse({
              status: "ready",
              version: "fake",
              service: "juniper-cascor",
              timestamp: Date.now() / 1000,
              git_sha: null,
              build_date: null,
              dependencies: { juniper_data: new DependencyStatus({ name: "JuniperData Service", status: "healthy", latency_ms: 0, message: "fake" }) },
              details: { network_loaded: session.networkLoaded, training_state: session.fsmState }
            })
        )
      )
    const liveness = () => call("liveness", Effect.succeed(new LivenessResponse({ status: "alive", tick: "juniper-cascor", duration_ms: 0 })))
    const isReady = () => Effect.match(readiness(), { onFailure: () => false, onSuccess: (r) => r.details["network_loaded"] === true })

    const client: JuniperCascorClientShape = {
      baseUrl: options.baseUrl ?? FAKE_BASE_URL,
      healthCheck: () => call("healthCheck", Effect.succeed(fakeHealth())),
      liveness,
      isAlive: () => Effect.match(liveness(), { onFailure: () => false, onSuccess: (r) => r.status === "alive" }),
      readiness,
      isReady,
      waitForReady: (o = {}) =>
        Effect.filterOrFail(o.requireNetwork === false ? Effect.match(readiness(), { onFailure: () => false, onSuccess: () => true }) : isReady(), (r) => r, () => "not ready").pipe(
          Effect.retry(Schedule.spaced(Duration.millis(o.pollIntervalMs ?? 500))),
          Effect.timeout(Duration.millis(o.timeoutMs ?? 30_000)),
          Effect.orElseSucceed(() => false)
        ),
      createNetwork: (request = {}) =>
        op("createNetwork", NetworkInfo, Effect.flatMap(check(NetworkCreateRequest, request, "network parameters"), (r) => backend.createNetwork(r))),
      getNetwork: () => op("getNetwork", NetworkInfo, session.networkInfo()),
      deleteNetwork: () => op("deleteNetwork", DeleteNetworkResult, backend.deleteNetwork()),
      getTopology: () => op("getTopology", Topology, session.topology()),
      getStatistics: () => op("getStatistics", NetworkStats, session.stats()),
      editWeights: (request) =>
        op("editWeights", WeightEditResult, Effect.flatMap(check(WeightEditRequest, request, "weight edit"), (r) => session.editWeights(r))),
      addHiddenUnit: (request) =>
        op("addHiddenUnit", HiddenUnitAddResult, Effect.flatMap(check(HiddenUnitAddRequest, request, "hidden unit"), (r) => session.addHiddenUnit(r))),
      removeHiddenUnit: (index) => op("removeHiddenUnit", HiddenUnitRemoveResult, Effect.flatMap(checkUnitIndex(index), (i) => session.removeHiddenUnit(i))),
      startTraining: (o = {}) => {
        const body = startBody(o)
        return op(
          "startTraining",
          StartResult,
          Effect.flatMap(body === null ? Effect.succeed(null) : check(TrainingStartRequest, body, "training start request"), (b) => backend.start(b))
        )
      },
      stopTraining: () => op("stopTraining", StopResult, backend.stop()),
      pauseTraining: () => op("pauseTraining", PauseResult, backend.pause()),
      resumeTraining: () => op("resumeTraining", ResumeResult, backend.resume()),
      resetTraining: () => op("resetTraining", ResetResult, backend.reset()),
      getTrainingStatus: () => op("getTrainingStatus", TrainingStatus, session.status()),
      getTrainingParams: () => op("getTrainingParams", HyperParameters, session.trainingParams()),
      updateParams: (params) =>
        op("updateParams", ParamsUpdateResult, Effect.flatMap(check(TrainingParams, params, "training parameters"), (p) => backend.patchParams(p))),
      getMetrics: () => op("getMetrics", MetricsResponse, session.metrics()),
      getMetricsHistory: (count) =>
        op(
          "getMetricsHistory",
          MetricsHistory,
          Effect.flatMap(check(MetricsHistoryUrlParams, count === undefined ? {} : { count }, "count (an integer ≥ 1)"), () => session.metricsHistory(count))
        ),
      clearMetrics: () => op("clearMetrics", MetricsClearResult, session.clearMetrics()),
      undoClearMetrics: () => op("undoClearMetrics", MetricsUndoResult, session.undoClearMetrics()),
      // A fake has no WebSocket server: the counters are its in-process broadcast's, connections 0.
      getTransportMetrics: () => op("getTransportMetrics", TransportMetrics, Effect.sync(() => transportMetricsOf(session.broadcaster, null))),
      getDataset: () => op("getDataset", DatasetInfo, session.datasetInfo()),
      getDatasetData: () => op("getDatasetData", DatasetData, session.datasetData()),
      getDecisionBoundary: (resolution = DEFAULT_DECISION_BOUNDARY_RESOLUTION) =>
        op("getDecisionBoundary", DecisionBoundary, Effect.flatMap(checkResolution(resolution), (r) => session.decisionBoundary(r))),
      listSnapshots: (o = {}) => {
        const params = { ...(o.limit !== undefined ? { limit: o.limit } : {}), ...(o.offset !== undefined ? { offset: o.offset } : {}) }
        return op("listSnapshots", SnapshotList, Effect.flatMap(check(SnapshotListUrlParams, params, "limit/offset"), () => session.listSnapshots(o.limit, o.offset)))
      },
      getSnapshot: (id) => op("getSnapshot", SnapshotMeta, session.getSnapshot(id)),
      saveSnapshot: (description = "") =>
        op("saveSnapshot", SnapshotMeta, Effect.flatMap(check(SnapshotCreateRequest, { description }, "snapshot description"), () => session.saveSnapshot(description))),
      loadSnapshot: (id) => op("loadSnapshot", SnapshotRestoreResult, backend.restoreSnapshot(id)),
      retrainSnapshot: (id) => op("retrainSnapshot", SnapshotRetrainResult, backend.retrainSnapshot(id)),
      resumeSnapshot: (id) => op("resumeSnapshot", SnapshotResumeResult, backend.resumeSnapshot(id)),
      listWorkers: () => op("listWorkers", WorkerList, empty ? Effect.succeed({ workers: [], count: 0 }) : session.workers()),
      getWorker: (id) => op("getWorker", Worker, empty ? Effect.fail(noWorker(id)) : session.worker(id)),
      getWorkerStats: () =>
        op(
          "getWorkerStats",
          WorkerStats,
          empty
            ? Effect.sync(() => ({ total: 0, idle: 0, busy: 0, stale: 0, total_tasks_completed: 0, total_tasks_failed: 0, average_health_score: 0, timestamp: Date.now() / 1000 }))
            : session.workerStats()
        )
    }

    const control: FakeCascorControl = {
      scenario,
      backend,
      advanceEpoch: (n = 1) => backend.advanceEpoch(n),
      setState: (state) => fromSession(backend.setState(state)),
      settle: backend.settle,
      errorStats: () => injector.stats
    }
    return { client, control }
  })

/** FakeCascorClient as a Layer of JuniperCascorClient, plus its test hooks (FakeCascor). */
export const layerFakeCascorClient = (scenarioOrOptions: ScenarioName | FakeCascorOptions = "idle"): Layer.Layer<JuniperCascorClient | FakeCascor> =>
  Layer.scopedContext(
    Effect.map(makeFakeCascor(typeof scenarioOrOptions === "string" ? { scenario: scenarioOrOptions } : scenarioOrOptions), ({ client, control }) =>
      Context.make(JuniperCascorClient, client).pipe(Context.add(FakeCascor, control))
    )
  )


/** Upstream's name: `FakeCascorClient(scenario)` is the fake as a Layer of JuniperCascorClient (and FakeCascor). */
export const FakeCascorClient = layerFakeCascorClient

/** FakeCascorClient with the Promise API (the test hooks are on the Effect side: layerFakeCascorClient + FakeCascor). */
export const createFakeCascorClient = (scenarioOrOptions: ScenarioName | FakeCascorOptions = "idle"): CascorPromiseClient =>
  toPromiseClient(layerFakeCascorClient(scenarioOrOptions), typeof scenarioOrOptions === "string" ? FAKE_BASE_URL : (scenarioOrOptions.baseUrl ?? FAKE_BASE_URL))
