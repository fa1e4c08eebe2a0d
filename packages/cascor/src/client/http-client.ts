/**
 * JuniperCascorClient over HTTP, derived from the HttpApi definition (../api/http-api.ts): requests are encoded and
 * successes decoded by the same schemas the server uses. Upstream's behaviour on top: X-API-Key, a per-attempt
 * timeout, retries with backoff and jitter for GET/HEAD only (./retry.ts), Retry-After honoured, and typed failures
 * built from the status and the error envelope (./errors.ts). Error responses are classified by status (not by the
 * generated decoders), so a proxy's bare 502 or a body without `_tag` is still typed.
 */
import { HttpApiClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Layer, ParseResult, Random, Schedule } from "effect"
import { CascorApi } from "../api/http-api.js"
import {
  HiddenUnitAddRequest,
  MetricsHistoryUrlParams,
  NetworkCreateRequest,
  SnapshotCreateRequest,
  SnapshotListUrlParams,
  TrainingParams,
  TrainingStartRequest,
  WeightEditRequest
} from "../api/schema.js"
import {
  CascorClientError,
  type CascorClientFailure,
  type CascorConfigurationError,
  connectionError,
  statusFailure,
  timeoutError
} from "./errors.js"
import { type CascorClientOptions, checkBaseUrl, resolveApiKey, toHttpUrl } from "./options.js"
import { parseRetryAfter, retryDelayMs, shouldRetry } from "./retry.js"
import { check, checkResolution, checkUnitIndex } from "./validate.js"
import {
  DEFAULT_DECISION_BOUNDARY_RESOLUTION,
  JuniperCascorClient,
  type JuniperCascorClientShape,
  startBody
} from "./shape.js"

interface Attempt {
  readonly status: number | null
  readonly connection: boolean
  readonly retryAfterMs: number | null
  readonly failure: CascorClientFailure
}

const readBody = (res: { readonly json: Effect.Effect<unknown, unknown>; readonly text: Effect.Effect<string, unknown> }) =>
  Effect.orElse(res.json, () => Effect.orElseSucceed(res.text, () => null))

/** Any failure of one attempt → a typed failure, keeping what the retry policy needs. */
const classify = (url: string, e: unknown): Effect.Effect<Attempt> => {
  const plain = (failure: CascorClientFailure, connection = false): Attempt => ({ status: null, connection, retryAfterMs: null, failure })
  if (HttpClientError.isHttpClientError(e)) {
    if (e._tag === "RequestError") {
      if (e.reason === "Transport") return Effect.succeed(plain(connectionError(`Failed to connect to JuniperCascor at ${url}: ${e.description ?? e.message}`, e), true))
      return Effect.succeed(plain(new CascorClientError({ message: `Invalid request to ${url}: ${e.message}`, statusCode: null, detail: null, errorCode: null, cause: e })))
    }
    const res = e.response
    if (e.reason !== "StatusCode")
      return Effect.succeed(plain(new CascorClientError({ message: `Malformed response from ${url} (${res.status}): ${e.message}`, statusCode: res.status, detail: null, errorCode: null, cause: e })))
    return Effect.map(readBody(res), (body) => ({
      status: res.status,
      connection: false,
      retryAfterMs: parseRetryAfter(res.headers["retry-after"]),
      failure: statusFailure(res.status, body)
    }))
  }
  if (ParseResult.isParseError(e))
    return Effect.succeed(plain(new CascorClientError({ message: `Malformed response from ${url}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`, statusCode: null, detail: null, errorCode: null, cause: e })))
  const tagged = e as { _tag?: unknown; message?: unknown }
  if (tagged._tag === "RequestTimeout") return Effect.succeed(plain(timeoutError(`Request to ${url} timed out`)))
  return Effect.succeed(plain(new CascorClientError({ message: `Request to ${url} failed: ${String(tagged.message ?? e)}`, statusCode: null, detail: null, errorCode: null, cause: e })))
}

class RequestTimeout {
  readonly _tag = "RequestTimeout"
}

/** Builds the HTTP client (needs an HttpClient; see layerCascorClient). */
export const makeJuniperCascorClient = (options: CascorClientOptions = {}): Effect.Effect<JuniperCascorClientShape, CascorConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const baseUrl = toHttpUrl(yield* checkBaseUrl(options.baseUrl))
    const apiKey = yield* resolveApiKey(options.apiKey)
    const timeout = Duration.millis(options.timeoutMs ?? 30_000)
    const retries = options.retries ?? 3
    const backoff = options.backoffMs ?? 500
    const jitter = options.jitterMs ?? 500
    const api = yield* HttpApiClient.make(CascorApi, {
      baseUrl,
      transformClient: (client) =>
        HttpClient.filterStatusOk(apiKey === undefined ? client : HttpClient.mapRequest(client, HttpClientRequest.setHeader("x-api-key", apiKey)))
    })

    /** One logical call: per-attempt timeout, typed failures, retries for GET/HEAD. */
    const call = <A>(method: string, path: string, effect: Effect.Effect<A, unknown>): Effect.Effect<A, CascorClientFailure> => {
      const url = `${baseUrl}${path}`
      const attempt = effect.pipe(
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new RequestTimeout() }),
        Effect.catchAll((e) => Effect.flatMap(classify(url, e), (a) => Effect.fail(a)))
      )
      const loop = (n: number): Effect.Effect<A, Attempt> =>
        Effect.catchAll(attempt, (a: Attempt) =>
          shouldRetry(method, a.status, a.connection, n, retries)
            ? Effect.flatMap(jitter > 0 ? Random.nextRange(0, jitter) : Effect.succeed(0), (j) =>
                Effect.zipRight(Effect.sleep(Duration.millis(retryDelayMs(n, backoff, j, a.retryAfterMs))), loop(n + 1))
              )
            : Effect.fail(a)
        )
      return Effect.mapError(loop(0), (a) => a.failure)
    }
    const data = <A>(method: string, path: string, effect: Effect.Effect<{ readonly data: A }, unknown>) =>
      Effect.map(call(method, path, effect), (env) => env.data)

    const readiness = () => call("GET", "/v1/health/ready", api.health.ready())
    const isReady = () => Effect.match(readiness(), { onFailure: () => false, onSuccess: (r) => r.details["network_loaded"] === true })
    const serviceUp = () => Effect.match(readiness(), { onFailure: () => false, onSuccess: (r) => r.status !== "not_ready" })

    const shape: JuniperCascorClientShape = {
      baseUrl,
      healthCheck: () => call("GET", "/v1/health", api.health.health()),
      liveness: () => call("GET", "/v1/health/live", api.health.live()),
      isAlive: () => Effect.match(call("GET", "/v1/health/live", api.health.live()), { onFailure: () => false, onSuccess: (r) => r.status === "alive" }),
      readiness,
      isReady,
      waitForReady: (o = {}) =>
        Effect.filterOrFail(o.requireNetwork === false ? serviceUp() : isReady(), (ready) => ready, () => "not ready").pipe(
          Effect.retry(Schedule.spaced(Duration.millis(o.pollIntervalMs ?? 500))),
          Effect.timeout(Duration.millis(o.timeoutMs ?? 30_000)),
          Effect.orElseSucceed(() => false)
        ),
      createNetwork: (request = {}) =>
        Effect.flatMap(check(NetworkCreateRequest, request, "network parameters"), (payload) =>
          data("POST", "/v1/network", api.network.createNetwork({ payload }))
        ),
      getNetwork: () => data("GET", "/v1/network", api.network.getNetwork()),
      deleteNetwork: () => data("DELETE", "/v1/network", api.network.deleteNetwork()),
      getTopology: () => data("GET", "/v1/network/topology", api.network.getTopology()),
      getStatistics: () => data("GET", "/v1/network/stats", api.network.getStatistics()),
      editWeights: (request) =>
        Effect.flatMap(check(WeightEditRequest, request, "weight edit"), (payload) => data("PATCH", "/v1/network/weights", api.network.editWeights({ payload }))),
      addHiddenUnit: (request) =>
        Effect.flatMap(check(HiddenUnitAddRequest, request, "hidden unit"), (payload) =>
          data("POST", "/v1/network/hidden-units", api.network.addHiddenUnit({ payload }))
        ),
      removeHiddenUnit: (index) =>
        Effect.flatMap(checkUnitIndex(index), (idx) =>
          data("DELETE", `/v1/network/hidden-units/${idx}`, api.network.removeHiddenUnit({ path: { idx: String(idx) } }))
        ),
      startTraining: (o = {}) => {
        const body = startBody(o)
        return Effect.flatMap(body === null ? Effect.succeed(null) : check(TrainingStartRequest, body, "training start request"), (payload) =>
          data("POST", "/v1/training/start", api.training.startTraining({ payload }))
        )
      },
      stopTraining: () => data("POST", "/v1/training/stop", api.training.stopTraining()),
      pauseTraining: () => data("POST", "/v1/training/pause", api.training.pauseTraining()),
      resumeTraining: () => data("POST", "/v1/training/resume", api.training.resumeTraining()),
      resetTraining: () => data("POST", "/v1/training/reset", api.training.resetTraining()),
      getTrainingStatus: () => data("GET", "/v1/training/status", api.training.getTrainingStatus()),
      getTrainingParams: () => data("GET", "/v1/training/params", api.training.getTrainingParams()),
      updateParams: (params) =>
        Effect.flatMap(check(TrainingParams, params, "training parameters"), (payload) =>
          data("PATCH", "/v1/training/params", api.training.updateTrainingParams({ payload }))
        ),
      getMetrics: () => data("GET", "/v1/metrics", api.metrics.getMetrics()),
      getMetricsHistory: (count) => {
        const urlParams = count === undefined ? {} : { count }
        return Effect.flatMap(check(MetricsHistoryUrlParams, urlParams, "count (an integer ≥ 1)"), (p) =>
          data("GET", "/v1/metrics/history", api.metrics.getMetricsHistory({ urlParams: p }))
        )
      },
      clearMetrics: () => data("POST", "/v1/training/metrics/clear", api.metrics.clearMetrics()),
      undoClearMetrics: () => data("POST", "/v1/training/metrics/clear/undo", api.metrics.undoClearMetrics()),
      getTransportMetrics: () => data("GET", "/v1/metrics/transport", api.metrics.getTransportMetrics()),
      getDataset: () => data("GET", "/v1/dataset", api.dataset.getDataset()),
      getDatasetData: () => data("GET", "/v1/dataset/data", api.dataset.getDatasetData()),
      getDecisionBoundary: (resolution = DEFAULT_DECISION_BOUNDARY_RESOLUTION) =>
        Effect.flatMap(checkResolution(resolution), (r) => data("GET", "/v1/decision-boundary", api.dataset.getDecisionBoundary({ urlParams: { resolution: r } }))),
      listSnapshots: (o = {}) => {
        const urlParams = { ...(o.limit !== undefined ? { limit: o.limit } : {}), ...(o.offset !== undefined ? { offset: o.offset } : {}) }
        return Effect.flatMap(check(SnapshotListUrlParams, urlParams, "limit/offset"), (p) =>
          data("GET", "/v1/snapshots", api.snapshots.listSnapshots({ urlParams: p }))
        )
      },
      getSnapshot: (id) => data("GET", `/v1/snapshots/${encodeURIComponent(id)}`, api.snapshots.getSnapshot({ path: { id } })),
      saveSnapshot: (description = "") =>
        Effect.flatMap(check(SnapshotCreateRequest, { description }, "snapshot description"), (payload) =>
          data("POST", "/v1/snapshots", api.snapshots.saveSnapshot({ payload }))
        ),
      loadSnapshot: (id) => data("POST", `/v1/snapshots/${encodeURIComponent(id)}/restore`, api.snapshots.restoreSnapshot({ path: { id } })),
      retrainSnapshot: (id) => data("POST", `/v1/snapshots/${encodeURIComponent(id)}/retrain`, api.snapshots.retrainSnapshot({ path: { id } })),
      resumeSnapshot: (id) => data("POST", `/v1/snapshots/${encodeURIComponent(id)}/resume`, api.snapshots.resumeSnapshot({ path: { id } })),
      listWorkers: () => data("GET", "/v1/workers", api.workers.listWorkers()),
      getWorker: (id) => data("GET", `/v1/workers/${encodeURIComponent(id)}`, api.workers.getWorker({ path: { worker_id: id } })),
      getWorkerStats: () => data("GET", "/v1/workers/stats", api.workers.getWorkerStats())
    }
    return shape
  })

/** The HTTP client as a Layer of JuniperCascorClient (undici connection pool). */
export const layerCascorClient = (options: CascorClientOptions = {}): Layer.Layer<JuniperCascorClient, CascorConfigurationError> =>
  Layer.effect(JuniperCascorClient, makeJuniperCascorClient(options)).pipe(Layer.provide(NodeHttpClient.layerUndici))
