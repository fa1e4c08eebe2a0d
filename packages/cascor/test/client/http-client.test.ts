// The HTTP client against a local stub server: retry policy (GET/HEAD only, Retry-After), typed failures and their
// messages (error.message, then detail), X-API-Key (option or env through Config), client-side validation.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { ConfigProvider, Effect, Either, Layer, ManagedRuntime } from "effect"
import {
  CascorNotFoundError,
  createCascorClient,
  JuniperCascorClient,
  layerCascorClient,
  normalizeBaseUrl,
  parseRetryAfter,
  toWsUrl
} from "../../src/client/index.js"

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void
let server: Server
let base = ""
let handler: Handler = (_q, res) => res.end()
const seen: Array<{ method: string; url: string; key: string | undefined; body: string }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ""
    req.on("data", (c) => (body += c))
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", key: req.headers["x-api-key"] as string | undefined, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}
const envelope = (data: unknown) => ({ status: "success", data, meta: { timestamp: 1, version: "0.4.0" } })
const errorBody = (code: string, message: string, detail: unknown = message) => ({ status: "error", error: { code, message, detail: null }, detail, meta: { timestamp: 1, version: "0.4.0" } })
const stats = { total: 1, idle: 1, busy: 0, stale: 0, total_tasks_completed: 0, total_tasks_failed: 0, average_health_score: 1, timestamp: 1 }

const run = <A, E>(effect: Effect.Effect<A, E, JuniperCascorClient>, options: Parameters<typeof layerCascorClient>[0] = {}, env: Record<string, string> = {}) => {
  const rt = ManagedRuntime.make(
    layerCascorClient({ baseUrl: base, retries: 3, backoffMs: 5, jitterMs: 5, ...options }).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
  )
  return rt.runPromise(effect).finally(() => rt.dispose())
}
const client = JuniperCascorClient

describe("JuniperCascorClient over HTTP (stub server)", () => {
  it("retries a GET on 503/502/504/429 with backoff and honours Retry-After, then succeeds", async () => {
    let n = 0
    handler = (_q, res) => {
      n++
      if (n === 1) return json(res, 503, errorBody("SERVICE_UNAVAILABLE", "starting"), { "retry-after": "0" })
      if (n === 2) return json(res, 502, { detail: "bad gateway" })
      if (n === 3) return json(res, 429, errorBody("RATE_LIMITED", "slow down"), { "retry-after": "0" })
      json(res, 200, envelope(stats))
    }
    const t0 = Date.now()
    const out = await run(Effect.flatMap(client, (c) => c.getWorkerStats()))
    expect(out.total).toBe(1)
    expect(n).toBe(4)
    expect(Date.now() - t0).toBeLessThan(2_000)
  })

  it("gives up after `retries` with the last typed failure; a Retry-After longer than the backoff is waited for", async () => {
    let n = 0
    handler = (_q, res) => {
      n++
      json(res, 503, errorBody("SERVICE_UNAVAILABLE", "Lifecycle manager not initialized"), { "retry-after": "1" })
    }
    const t0 = Date.now()
    const r = await run(Effect.either(Effect.flatMap(client, (c) => c.getTrainingStatus())), { retries: 1 })
    expect(n).toBe(2)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
    expect(Either.isLeft(r) && r.left).toMatchObject({ _tag: "CascorServiceUnavailableError", statusCode: 503, message: "Lifecycle manager not initialized", errorCode: "SERVICE_UNAVAILABLE" })
  })

  it("never retries POST/PATCH/DELETE", async () => {
    let n = 0
    handler = (_q, res) => {
      n++
      json(res, 503, errorBody("SERVICE_UNAVAILABLE", "busy"))
    }
    const calls: ReadonlyArray<(c: typeof JuniperCascorClient.Service) => Effect.Effect<unknown, { readonly _tag: string }>> = [
      (c: typeof JuniperCascorClient.Service) => c.startTraining(),
      (c: typeof JuniperCascorClient.Service) => c.updateParams({ learning_rate: 0.1 }),
      (c: typeof JuniperCascorClient.Service) => c.deleteNetwork()
    ]
    for (const call of calls) {
      n = 0
      const r = await run(Effect.either(Effect.flatMap(client, call)))
      expect(n).toBe(1)
      expect(Either.isLeft(r) && r.left._tag).toBe("CascorServiceUnavailableError")
    }
  })

  it("maps statuses to the typed failures, with the message from error.message, then detail", async () => {
    const cases: Array<[number, unknown, string, string]> = [
      [404, errorBody("NOT_FOUND", "No network created"), "CascorNotFoundError", "No network created"],
      [409, errorBody("CONFLICT", "Training cannot be paused in the current state (STOPPED)"), "CascorConflictError", "Training cannot be paused in the current state (STOPPED)"],
      [400, errorBody("VALIDATION_ERROR", "Invalid snapshot id 'a b'"), "CascorValidationError", "Invalid snapshot id 'a b'"],
      [422, { ...errorBody("VALIDATION_ERROR", "Request validation failed"), detail: [{ type: "value_error", loc: ["body", "x"], msg: "bad", input: 1 }] }, "CascorValidationError", "Request validation failed"],
      [422, { detail: [{ type: "missing", loc: ["body", "count"], msg: "Field required", input: null }] }, "CascorValidationError", "body.count: Field required"],
      [429, errorBody("RATE_LIMITED", "Rate limit exceeded"), "CascorOverloadError", "Rate limit exceeded"],
      [500, errorBody("INTERNAL_ERROR", "Failed to extract topology"), "CascorClientError", "Failed to extract topology"],
      [401, { detail: "Authentication required" }, "CascorClientError", "Authentication required"],
      [502, "<html>bad gateway</html>", "CascorClientError", "<html>bad gateway</html>"]
    ]
    for (const [status, body, tag, message] of cases) {
      handler = (_q, res) => (typeof body === "string" ? (res.writeHead(status), res.end(body)) : json(res, status, body))
      const r = await run(Effect.either(Effect.flatMap(client, (c) => c.getTopology())), { retries: 0 })
      expect(Either.isLeft(r) && { tag: r.left._tag, message: r.left.message, status: r.left.statusCode }).toEqual({ tag, message, status })
    }
  })

  it("reports connection failures, timeouts and malformed responses", async () => {
    const refused = await run(Effect.either(Effect.flatMap(client, (c) => c.getNetwork())), { baseUrl: "http://127.0.0.1:1", retries: 1 })
    expect(Either.isLeft(refused) && refused.left._tag).toBe("CascorConnectionError")
    handler = () => undefined // never answers
    const slow = await run(Effect.either(Effect.flatMap(client, (c) => c.getNetwork())), { timeoutMs: 100, retries: 0 })
    expect(Either.isLeft(slow) && slow.left._tag).toBe("CascorTimeoutError")
    handler = (_q, res) => json(res, 200, envelope({ nope: true }))
    const bad = await run(Effect.either(Effect.flatMap(client, (c) => c.getNetwork())))
    expect(Either.isLeft(bad) && bad.left).toMatchObject({ _tag: "CascorClientError", message: expect.stringMatching(/^Malformed response/) })
    const config = await run(Effect.either(Effect.flatMap(client, (c) => c.getNetwork())), { baseUrl: "ftp://x" }).catch((e) => e)
    expect(String(config)).toMatch(/Invalid JuniperCascor base URL/)
  })

  it("sends X-API-Key from the option, else from JUNIPER_CASCOR_API_KEY, and unwraps data / bare health", async () => {
    handler = (req, res) => {
      if (req.url === "/v1/health") return json(res, 200, { status: "ok", version: "1", service: "juniper-cascor", git_sha: null, build_date: null })
      if (req.url === "/v1/health/ready")
        return json(res, 200, { status: "degraded", version: "1", service: "juniper-cascor", timestamp: 1, git_sha: null, build_date: null, dependencies: {}, details: { network_loaded: false, training_state: "STOPPED" } })
      if (req.url === "/v1/health/live") return json(res, 503, { status: "unresponsive", tick: "juniper-cascor", duration_ms: 9, error: "stuck" })
      json(res, 200, envelope(stats))
    }
    seen.length = 0
    await run(Effect.flatMap(client, (c) => c.getWorkerStats()), { apiKey: "opt-key" }, { JUNIPER_CASCOR_API_KEY: "env-key" })
    await run(Effect.flatMap(client, (c) => c.getWorkerStats()), {}, { JUNIPER_CASCOR_API_KEY: "env-key" })
    await run(Effect.flatMap(client, (c) => c.getWorkerStats()))
    expect(seen.map((s) => s.key)).toEqual(["opt-key", "env-key", undefined])
    const out = await run(
      Effect.flatMap(client, (c) =>
        Effect.all({ health: c.healthCheck(), alive: c.isAlive(), ready: c.isReady(), up: c.waitForReady({ requireNetwork: false, timeoutMs: 500 }), network: c.waitForReady({ timeoutMs: 200, pollIntervalMs: 50 }) })
      )
    )
    expect(out).toMatchObject({ health: { status: "ok", service: "juniper-cascor" }, alive: false, ready: false, up: true, network: false })
  })

  it("encodes requests from the HttpApi definition and validates arguments client-side", async () => {
    handler = (req, res, body) => {
      if (req.url?.startsWith("/v1/decision-boundary"))
        return json(res, 200, envelope({ x_range: [0, 1], y_range: [0, 1], resolution: 5, grid_x: [[0]], grid_y: [[0]], predictions: [[1]] }))
      if (req.url?.startsWith("/v1/metrics/history")) return json(res, 200, envelope({ metrics: [] }))
      if (req.url === "/v1/training/start") return json(res, 200, envelope({ status: "training_started", timestamp: 1, echo: JSON.parse(body || "null") }))
      json(res, 404, errorBody("NOT_FOUND", "Snapshot 'x' not found"))
    }
    seen.length = 0
    await run(
      Effect.flatMap(client, (c) =>
        Effect.all([c.getDecisionBoundary(5), c.getMetricsHistory(3), c.startTraining({ epochs: 5, dataset: { generator: "spiral" }, startFresh: true }), c.startTraining()])
      )
    )
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
      "GET /v1/decision-boundary?resolution=5 ",
      "GET /v1/metrics/history?count=3 ",
      'POST /v1/training/start {"epochs":5,"dataset":{"generator":"spiral"},"start_fresh":true}',
      "POST /v1/training/start null"
    ])
    seen.length = 0
    const bads: ReadonlyArray<(c: typeof JuniperCascorClient.Service) => Effect.Effect<unknown, { readonly _tag: string; readonly statusCode: number | null }>> = [
      (c: typeof JuniperCascorClient.Service) => c.getDecisionBoundary(4),
      (c: typeof JuniperCascorClient.Service) => c.getDecisionBoundary(513),
      (c: typeof JuniperCascorClient.Service) => c.getMetricsHistory(0),
      (c: typeof JuniperCascorClient.Service) => c.updateParams({ nope: 1 } as never),
      (c: typeof JuniperCascorClient.Service) => c.createNetwork({ learning_rate: -1 })
    ]
    for (const bad of bads) {
      const r = await run(Effect.either(Effect.flatMap(client, bad)))
      expect(Either.isLeft(r) && { tag: r.left._tag, status: r.left.statusCode }).toEqual({ tag: "CascorValidationError", status: null })
    }
    expect(seen).toHaveLength(0)
  })

  it("the Promise facade rejects with the typed error itself", async () => {
    handler = (_q, res) => json(res, 404, errorBody("NOT_FOUND", "Snapshot 'x' not found"))
    const c = createCascorClient({ baseUrl: `${base}/v1/`, retries: 0 })
    expect(c.baseUrl).toBe(base)
    const e = await c.getSnapshot("x").catch((err: unknown) => err)
    expect(e).toBeInstanceOf(CascorNotFoundError)
    expect(e).toBeInstanceOf(Error)
    expect((e as CascorNotFoundError).message).toBe("Snapshot 'x' not found")
    await c.close()
  })

  it("normalises URLs and parses Retry-After", () => {
    expect(normalizeBaseUrl(" localhost:8200/v1/?x=1 ")).toBe("http://localhost:8200")
    expect(toWsUrl("https://h:1/v1", "/ws/training")).toBe("wss://h:1/ws/training")
    expect(toWsUrl("ws://h:1", "ws/control")).toBe("ws://h:1/ws/control")
    expect(parseRetryAfter("2")).toBe(2000)
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(1000)
    expect(parseRetryAfter("soon")).toBeNull()
  })
})
