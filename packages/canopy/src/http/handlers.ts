/**
 * Handlers of the Canopy HttpApi: thin adapters from the CanopyBackend (and the hub, CSRF, readiness, the JuniperData
 * client) to the wire. Backend failures become HTTP errors here, at the edge; no handler knows which backend runs.
 */
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import { Health } from "@juniper/core"
import { JuniperDataClient, listGeneratorInfo } from "@juniper/data"
import {
  badGateway,
  badRequest,
  conflict,
  ERROR_TITLES,
  forbidden,
  gatewayTimeout,
  notFound,
  notImplemented,
  unavailable,
  validationError
} from "../api/errors.js"
import { CanopyApi } from "../api/http-api.js"
import { type CanopyHealth, type ControlResult, SERVICE_NAME } from "../api/schema.js"
import { CanopyBackend } from "../backend/backend.js"
import type { BackendError } from "../backend/errors.js"
import { CanopyRuntime } from "../runtime.js"
import { CanopyHub } from "../ws/hub.js"
import { Csrf, keyMatches, originAllowed } from "./security.js"

/** Backend failure → the HTTP error of its meaning. */
export const httpError = (e: BackendError) => {
  switch (e._tag) {
    case "BackendUnavailable":
      return unavailable(e.message)
    case "BackendNotFound":
      return notFound(e.message)
    case "BackendConflict":
      return conflict(e.message)
    case "BackendInvalid":
      return e.status === 400 ? badRequest(e.message) : validationError(e.message)
    case "BackendRejected":
      return badGateway(e.message)
    case "BackendNotImplemented":
      return notImplemented(e.message)
    case "BackendTimeout":
      return gatewayTimeout(e.message)
  }
}

const orHttp = <A, R>(effect: Effect.Effect<A, BackendError, R>) => Effect.mapError(effect, httpError)

const FALLBACK_GENERATORS = ["spiral", "xor", "circles", "moon"]

const healthBody = (legacy: boolean) =>
  Effect.gen(function* () {
    const backend = yield* CanopyBackend
    const hub = yield* CanopyHub
    const health = yield* Health
    const { settings, version } = yield* CanopyRuntime
    const ready = yield* health.ready
    const training = yield* backend.isTrainingActive.pipe(Effect.timeout("1 second"), Effect.orElseSucceed(() => false))
    const body: CanopyHealth = {
      status: "ok",
      service: SERVICE_NAME,
      timestamp: Date.now() / 1000,
      version,
      active_connections: hub.connections,
      training_active: training,
      demo_mode: backend.backendType === "demo",
      juniper_data_available: ready.dependencies["juniper_data"]?.status === "healthy",
      ...(legacy ? {} : { git_sha: settings.http.gitSha, build_date: settings.http.buildDate }),
      mode: backend.backendType
    }
    return body
  })

const warned = new Set<string>()
const deprecated = (path: string) =>
  Effect.gen(function* () {
    const body = yield* healthBody(true)
    if (!warned.has(path)) {
      warned.add(path)
      yield* Effect.logWarning(`deprecated health alias ${path} called (warned once); use /v1/health`)
    }
    return HttpServerResponse.unsafeJson(body, { headers: { deprecation: "true", link: '</v1/health>; rel="successor-version"' } })
  })

const HealthLive = HttpApiBuilder.group(CanopyApi, "health", (h) =>
  h
    .handle("health", () => healthBody(false))
    .handle("live", () =>
      Effect.flatMap(Health, (health) => Effect.map(health.live, (body) => HttpServerResponse.unsafeJson(body, { status: body.status === "alive" ? 200 : 503 })))
    )
    .handle("ready", () =>
      Effect.flatMap(Health, (health) =>
        Effect.map(health.ready, (body) =>
          HttpServerResponse.unsafeJson(body, { status: body.status === "not_ready" ? 503 : 200, headers: { "x-juniper-readiness": body.status } })
        )
      )
    )
    .handle("legacyHealth", () => deprecated("/health"))
    .handle("legacyApiHealth", () => deprecated("/api/health"))
)

const ReadLive = HttpApiBuilder.group(CanopyApi, "read", (h) =>
  h
    .handle("status", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getStatus)))
    .handle("state", () =>
      Effect.gen(function* () {
        const b = yield* CanopyBackend
        const { settings: s } = yield* CanopyRuntime
        const state = yield* orHttp(b.getState)
        // The dashboard's settings (§5 "UI" and "control" rows), so the browser needs no configuration of its own.
        return {
          ...state,
          ui_settings: {
            enable_ws_control_buttons: s.enableWsControlButtons,
            use_websocket_set_params: s.useWebsocketSetParams,
            metrics_smoothing_window: s.metricsSmoothingWindow,
            snapshots_refresh_interval_ms: s.snapshotsRefreshIntervalMs,
            enable_ws_latency_beacon: s.enableWsLatencyBeacon,
            ws_control_timeouts: { start: s.wsControlStartTimeout, stop: s.wsControlStopTimeout, set_params: s.wsControlSetParamsTimeout },
            csrf_enabled: s.csrfEnabled
          }
        }
      })
    )
    .handle("streamHealth", () => Effect.flatMap(CanopyBackend, (b) => b.streamHealth))
    .handle("metrics", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getMetrics)))
    .handle("metricsHistory", ({ urlParams }) =>
      Effect.flatMap(CanopyBackend, (b) => orHttp(Effect.map(b.getMetricsHistory(urlParams.limit ?? 100), (history) => ({ history: [...history], count: history.length }))))
    )
    .handle("topology", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getNetworkTopology)))
    .handle("rawTopology", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getRawTopology)))
    .handle("networkStats", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getNetworkStats)))
    .handle("dataset", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getDataset)))
    .handle("generators", () =>
      Effect.gen(function* () {
        const client = yield* JuniperDataClient
        return yield* client.listGenerators().pipe(
          Effect.timeout("3 seconds"),
          Effect.map((list) => ({
            generators: list.map((g) => ({ ...g, name: g.name, description: g.description, schema: g.schema as Record<string, unknown> })),
            source: "juniper-data" as const
          })),
          Effect.orElse(() =>
            Effect.succeed({
              generators: listGeneratorInfo()
                .filter((g) => FALLBACK_GENERATORS.includes(g.name))
                .map((g) => ({ name: g.name, description: g.description, schema: g.schema })),
              source: "fallback" as const
            })
          )
        )
      })
    )
    .handle("decisionBoundary", ({ urlParams }) =>
      Effect.flatMap(CanopyBackend, (b) => orHttp(b.getDecisionBoundary(Math.min(200, Math.max(5, urlParams.resolution ?? 100)))))
    )
    .handle("csrf", () =>
      Effect.gen(function* () {
        const req = yield* HttpServerRequest.HttpServerRequest
        const { settings } = yield* CanopyRuntime
        const csrf = yield* Csrf
        if (!originAllowed(req.headers["origin"], req.headers["host"], settings.allowedOrigins))
          return yield* Effect.fail(forbidden(`Origin ${req.headers["origin"]} is not allowed`))
        return { csrf_token: yield* csrf.issue, enabled: csrf.enabled, expires_in: csrf.ttlSeconds }
      })
    )
    .handle("setParams", ({ payload }) => Effect.flatMap(CanopyBackend, (b) => orHttp(b.applyParams(payload))))
    .handle("statistics", () =>
      Effect.gen(function* () {
        const hub = yield* CanopyHub
        const b = yield* CanopyBackend
        return {
          active_connections: hub.connections,
          total_broadcasts: hub.counters.broadcasts,
          total_bytes: hub.counters.bytes,
          current_seq: hub.currentSeq,
          replay_buffer_capacity: hub.capacity,
          replay_buffer_occupancy: hub.replayOccupancy,
          server_instance_id: hub.instanceId,
          server_start_time: hub.startTime,
          stream: yield* b.streamHealth
        }
      })
    )
)

/**
 * The "browser" gate of the control routes (§3.1): a valid API key, or an allow-listed Origin plus a valid
 * X-CSRF-Token. Requests with neither a key nor an Origin (scripts) pass when no key is configured.
 */
const browserGate = Effect.gen(function* () {
  const req = yield* HttpServerRequest.HttpServerRequest
  const { settings } = yield* CanopyRuntime
  const csrf = yield* Csrf
  const keys = settings.http.apiKeys
  if (keys.length > 0 && keyMatches(req.headers["x-api-key"], keys)) return
  const origin = req.headers["origin"]
  if (keys.length === 0 && origin === undefined) return
  if (origin !== undefined && !originAllowed(origin, req.headers["host"], settings.allowedOrigins))
    return yield* Effect.fail(forbidden(`Origin ${origin} is not allowed`))
  if (!(yield* csrf.verify(req.headers["x-csrf-token"])))
    return yield* Effect.fail(forbidden(keys.length > 0 && origin === undefined ? "A valid X-API-Key is required" : "Missing or invalid X-CSRF-Token (GET /api/csrf)"))
})

/** A control command over REST: one acknowledgement, broadcast to every browser; failure → 409 (§3.1). */
const controlRoute = (command: string, run: Effect.Effect<ControlResult, never, CanopyBackend>) =>
  Effect.gen(function* () {
    yield* browserGate
    const hub = yield* CanopyHub
    const result = yield* run
    hub.publish("control_ack", { command, success: result.ok, message: result.ok ? (result.message ?? `${command} accepted`) : (result.error ?? `${command} failed`) })
    if (result.ok) return HttpServerResponse.unsafeJson(result)
    const detail = result.error ?? `${command} failed`
    return HttpServerResponse.unsafeJson({ ...result, error: detail, detail, status_code: 409, title: ERROR_TITLES[409] }, { status: 409 })
  })

const TrainingLive = HttpApiBuilder.group(CanopyApi, "training", (h) =>
  h
    .handle("start", ({ urlParams }) =>
      controlRoute(
        "start",
        Effect.flatMap(CanopyBackend, (b) => b.startTraining({ reset: urlParams.reset ?? true, startFresh: urlParams.start_fresh ?? false }))
      )
    )
    .handle("pause", () => controlRoute("pause", Effect.flatMap(CanopyBackend, (b) => b.pauseTraining)))
    .handle("resume", () => controlRoute("resume", Effect.flatMap(CanopyBackend, (b) => b.resumeTraining)))
    .handle("stop", () => controlRoute("stop", Effect.flatMap(CanopyBackend, (b) => b.stopTraining)))
    .handle("reset", () => controlRoute("reset", Effect.flatMap(CanopyBackend, (b) => b.resetTraining)))
    .handle("status", () =>
      Effect.gen(function* () {
        yield* browserGate
        const b = yield* CanopyBackend
        const s = yield* orHttp(b.getStatus)
        return { ...s, backend: b.backendType, execution: b.execution }
      })
    )
    .handle("restart", ({ payload }) =>
      Effect.gen(function* () {
        yield* browserGate
        const b = yield* CanopyBackend
        const hub = yield* CanopyHub
        const result = yield* b.restartTraining({ reset: payload?.reset ?? true, startFresh: payload?.start_fresh ?? false }).pipe(
          Effect.tapError((e) => Effect.sync(() => hub.publish("control_ack", { command: "restart", success: false, message: e.message }))),
          Effect.mapError((e) =>
            e._tag === "BackendTimeout" ? HttpServerResponse.unsafeJson({ error: ERROR_TITLES[504], detail: e.message, status_code: 504, retriable: true }, { status: 504 }) : httpError(e)
          ),
          Effect.catchIf(HttpServerResponse.isServerResponse, (r) => Effect.succeed(r))
        )
        if (!HttpServerResponse.isServerResponse(result)) hub.publish("control_ack", { command: "restart", success: true, message: "restarted" })
        return result
      })
    )
)

const DatasetLive = HttpApiBuilder.group(CanopyApi, "dataset", (h) =>
  h
    .handle("stage", ({ payload }) =>
      Effect.flatMap(CanopyBackend, (b) => orHttp(Effect.map(b.stageDataset(payload), (pending) => ({ status: "staged" as const, pending_dataset: pending }))))
    )
    .handle("cancel", () =>
      Effect.flatMap(CanopyBackend, (b) => Effect.map(b.cancelPendingDataset, (had) => ({ status: had ? ("cancelled" as const) : ("nothing_pending" as const), cancelled: had })))
    )
)

const SnapshotsLive = HttpApiBuilder.group(CanopyApi, "snapshots", (h) =>
  h
    .handle("list", ({ urlParams }) => Effect.flatMap(CanopyBackend, (b) => orHttp(b.listSnapshots(urlParams.limit ?? 50, urlParams.offset ?? 0))))
    .handle("create", ({ urlParams }) =>
      Effect.flatMap(CanopyBackend, (b) =>
        orHttp(b.createSnapshot(urlParams.name ?? "", urlParams.description ?? "")).pipe(Effect.map((s) => HttpServerResponse.unsafeJson(s, { status: 201 })))
      )
    )
    .handle("get", ({ path }) => Effect.flatMap(CanopyBackend, (b) => orHttp(b.getSnapshot(path.id))))
    .handle("restore", ({ path }) => Effect.flatMap(CanopyBackend, (b) => orHttp(b.restoreSnapshot(path.id))))
)

const WorkersLive = HttpApiBuilder.group(CanopyApi, "workers", (h) =>
  h
    .handle("list", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.listWorkers)))
    .handle("stats", () => Effect.flatMap(CanopyBackend, (b) => orHttp(b.workerStats)))
)

/** Every handler; needs CanopyBackend, CanopyHub, Csrf, CanopyRuntime, core's Health and the JuniperData client. */
export const CanopyApiLive = Layer.mergeAll(HealthLive, ReadLive, TrainingLive, DatasetLive, SnapshotsLive, WorkersLive)
