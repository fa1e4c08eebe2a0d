/**
 * JuniperDataClient over HTTP, derived from the HttpApi definition (typed requests and responses), with upstream's
 * behaviour: base-URL normalisation, X-API-Key, retries with exponential backoff on 429/5xx and connection errors
 * for GET only (POST and DELETE are never retried), Retry-After honoured, typed failures, an on-request hook.
 */
import { HttpApiClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Either, Layer, Schedule } from "effect"
import { decodeTabularNpz } from "../npz/npz.js"
import { DataApi } from "../http/api.js"
import { DataClientConnectionError, DataClientError, type DataClientFailure, DataClientTimeoutError, statusFailure } from "./errors.js"
import { createBody, JuniperDataClient, type JuniperDataClientShape, spiralParams } from "./shape.js"

export interface DataClientOptions {
  /** Default http://localhost:8100. Normalised: scheme added, query dropped, trailing "/" and "/v1" stripped. */
  readonly baseUrl?: string
  /** Per request, default 30 000 ms. */
  readonly timeoutMs?: number
  /** Retries of a GET, default 3. */
  readonly retries?: number
  /** Backoff factor in ms (the n-th retry waits factor·2ⁿ), default 500. */
  readonly backoffMs?: number
  readonly apiKey?: string
  /** Called once per call: (method, url, status | null, duration ms, error | null); its exceptions are swallowed. */
  readonly onRequest?: (method: string, url: string, status: number | null, durationMs: number, error: string | null) => void
}

export const normalizeBaseUrl = (raw = "http://localhost:8100"): string => {
  let url = raw.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`
  url = url.replace(/[?#].*$/, "").replace(/\/+$/, "")
  if (url.endsWith("/v1")) url = url.slice(0, -3)
  return url.replace(/\/+$/, "")
}

const retryable = new Set([429, 500, 502, 503, 504])

interface Attempt {
  readonly status: number | null
  readonly failure: DataClientFailure
  readonly retryAfterMs: number | null
}

/** Any failure of a generated-client call → a typed failure, keeping the status for the retry policy. */
const classify = (url: string, e: unknown): Effect.Effect<Attempt> => {
  if (HttpClientError.isHttpClientError(e)) {
    if (e._tag === "RequestError")
      return Effect.succeed({ status: null, retryAfterMs: null, failure: new DataClientConnectionError({ message: `Failed to connect to JuniperData at ${url}: ${e.message}`, cause: e }) })
    const res = e.response
    const after = res.headers["retry-after"]
    const retryAfterMs = after !== undefined && /^\d+$/.test(after) && [413, 429, 503].includes(res.status) ? Number(after) * 1000 : null
    return Effect.map(Effect.orElseSucceed(res.json, () => null), (body) => ({
      status: res.status,
      retryAfterMs,
      failure: statusFailure(res.status, (body as { detail?: unknown } | null)?.detail ?? body)
    }))
  }
  const tagged = e as { _tag?: string; detail?: unknown }
  const status = tagged._tag === "NotFound" ? 404 : tagged._tag === "BadRequest" ? 400 : tagged._tag === "InternalError" ? 500 : undefined
  if (status !== undefined) return Effect.succeed({ status, retryAfterMs: null, failure: statusFailure(status, tagged.detail) })
  if (tagged._tag === "TimeoutException")
    return Effect.succeed({ status: null, retryAfterMs: null, failure: new DataClientTimeoutError({ message: `Request to ${url} timed out` }) })
  return Effect.succeed({
    status: null,
    retryAfterMs: null,
    failure: new DataClientError({ message: `Malformed JSON response from ${url}: ${String((e as Error)?.message ?? e)}`, statusCode: null, detail: null })
  })
}

export const makeJuniperDataClient = (options: DataClientOptions = {}) =>
  Effect.gen(function* () {
    const baseUrl = normalizeBaseUrl(options.baseUrl)
    const timeout = Duration.millis(options.timeoutMs ?? 30_000)
    const retries = options.retries ?? 3
    const backoff = options.backoffMs ?? 500
    const apiKey = options.apiKey
    const client = yield* HttpApiClient.make(DataApi, {
      baseUrl,
      transformClient: apiKey === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.setHeader("x-api-key", apiKey))
    })

    /** One logical call: timeout per attempt, typed failures, retries (GET only), the on-request hook. */
    const call = <A>(method: string, path: string, effect: Effect.Effect<A, unknown>): Effect.Effect<A, DataClientFailure> => {
      const url = `${baseUrl}${path}`
      const start = Date.now()
      const attempt = effect.pipe(
        Effect.timeout(timeout),
        Effect.catchAll((e) => Effect.flatMap(classify(url, e), Effect.fail))
      )
      const canRetry = (a: Attempt) =>
        a.status === null ? a.failure._tag !== "DataClientError" : retryable.has(a.status)
      // Exponential backoff (factor·2ⁿ), or the server's Retry-After when longer; GET only.
      const loop = (n: number): Effect.Effect<A, Attempt> =>
        Effect.catchAll(attempt, (a: Attempt) => {
          if (method !== "GET" || !canRetry(a)) return Effect.fail(a)
          if (n >= retries)
            return Effect.fail<Attempt>(
              a.status === null
                ? a
                : { ...a, failure: new DataClientError({ message: `Retries exhausted for ${method} ${url}: ${a.failure.message}`, statusCode: null, detail: "detail" in a.failure ? a.failure.detail : null }) }
            )
          return Effect.zipRight(Effect.sleep(Duration.millis(Math.max(backoff * 2 ** n, a.retryAfterMs ?? 0))), loop(n + 1))
        })
      const withRetry = loop(0)
      return withRetry.pipe(
        Effect.mapError((a) => a.failure),
        Effect.tapBoth({
          onFailure: (f) => hook(method, url, "statusCode" in f ? f.statusCode : null, start, f.message),
          onSuccess: () => hook(method, url, 200, start, null)
        })
      )
    }
    const hook = (method: string, url: string, status: number | null, start: number, error: string | null) =>
      Effect.sync(() => {
        try {
          options.onRequest?.(method, url, status, Date.now() - start, error)
        } catch {
          // a failing hook never fails the call
        }
      })

    const health = () => call("GET", "/v1/health", client.health.health())
    const readiness = () => call("GET", "/v1/health/ready", client.health.ready())
    const isReady = () =>
      Effect.match(readiness(), { onFailure: () => false, onSuccess: (r) => r.status === "ready" })
    const getArtifact = (id: string) =>
      call("GET", `/v1/datasets/${id}/artifact`, client.datasets.downloadArtifact({ path: { id } }))
    const createDataset: JuniperDataClientShape["createDataset"] = (generator, params = {}, o = {}) =>
      call("POST", "/v1/datasets", client.datasets.createDataset({ payload: createBody(generator, params, o) }))

    const shape: JuniperDataClientShape = {
      baseUrl,
      healthCheck: health,
      readiness,
      isReady,
      waitForReady: (o = {}) =>
        Effect.filterOrFail(isReady(), (ready) => ready, () => "not ready").pipe(
          Effect.retry(Schedule.spaced(Duration.millis(o.pollIntervalMs ?? 500))),
          Effect.timeout(Duration.millis(o.timeoutMs ?? 30_000)),
          Effect.orElseSucceed(() => false)
        ),
      listGenerators: () => call("GET", "/v1/generators", client.generators.listGenerators()),
      getGeneratorSchema: (name) => call("GET", `/v1/generators/${name}/schema`, client.generators.getGeneratorSchema({ path: { name } })),
      createDataset,
      createSpiralDataset: (o = {}) => createDataset("spiral", spiralParams(o)),
      listDatasets: (o = {}) =>
        call("GET", "/v1/datasets", client.datasets.listDatasets({ urlParams: { limit: o.limit ?? 100, offset: o.offset ?? 0 } })),
      getDatasetMetadata: (id) => call("GET", `/v1/datasets/${id}`, client.datasets.getDataset({ path: { id } })),
      downloadArtifactBytes: getArtifact,
      downloadArtifactNpz: (id) =>
        Effect.flatMap(getArtifact(id), (bytes) =>
          Either.match(decodeTabularNpz(bytes), {
            onLeft: (reason) => Effect.fail(new DataClientError({ message: `Malformed NPZ from ${baseUrl}: ${reason}`, statusCode: 200, detail: null })),
            onRight: Effect.succeed
          })
        ),
      getPreview: (id, n = 100) => call("GET", `/v1/datasets/${id}/preview`, client.datasets.getPreview({ path: { id }, urlParams: { n } })),
      deleteDataset: (id) => Effect.as(call("DELETE", `/v1/datasets/${id}`, client.datasets.deleteDataset({ path: { id } })), true as const)
    }
    return shape
  })

/** The HTTP client as a Layer (undici connection pool). */
export const layerJuniperDataClient = (options: DataClientOptions = {}): Layer.Layer<JuniperDataClient> =>
  Layer.effect(JuniperDataClient, makeJuniperDataClient(options)).pipe(Layer.provide(NodeHttpClient.layerUndici))

export const isDataClientFailure = (e: unknown): e is DataClientFailure =>
  typeof e === "object" && e !== null && "_tag" in e && String(e._tag).startsWith("DataClient")
