import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { request } from "node:http"
import { baseUrl, keys, settings, testServer } from "./fixture.js"

const withServer = <A>(s: Parameters<typeof testServer>[0], f: (base: string) => Promise<A>, probes?: Parameters<typeof testServer>[1]) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const ctx = yield* Layer.build(testServer(s, probes))
    const base = yield* Effect.provide(baseUrl, ctx)
    return yield* Effect.promise(() => f(base))
  })))

const json = async (res: Response) => ({ status: res.status, body: await res.json() as any, headers: res.headers })

describe("core HTTP edge", () => {
  it("serves the health trio, bare, with security headers and a request id", () =>
    withServer(settings(), async (base) => {
      const h = await json(await fetch(`${base}/v1/health`, { headers: { "x-request-id": "abc-123" } }))
      expect(h.status).toBe(200)
      expect(h.body).toEqual({ status: "ok", version: "1.2.3", service: "juniper-test", git_sha: null, build_date: null })
      expect(h.headers.get("x-request-id")).toBe("abc-123")
      expect(h.headers.get("x-content-type-options")).toBe("nosniff")
      const live = await json(await fetch(`${base}/v1/health/live`))
      expect(live.body.status).toBe("alive")
      const ready = await json(await fetch(`${base}/v1/health/ready`))
      expect(ready.status).toBe(200)
      expect(ready.body.status).toBe("ready")
      expect(ready.headers.get("x-juniper-readiness")).toBe("ready")
      expect(ready.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    }))

  it("reports not_ready (503) when a critical dependency is down and caches probe results", async () => {
    let calls = 0
    await withServer(settings(), async (base) => {
      const results = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/v1/health/ready`).then(json)))
      for (const r of results) {
        expect(r.status).toBe(503)
        expect(r.body.status).toBe("not_ready")
        expect(r.body.dependencies.store).toMatchObject({ name: "Store", status: "unhealthy" })
        expect(typeof r.body.dependencies.store.latency_ms).toBe("number")
      }
      expect(calls).toBe(1)
    }, [{ key: "store", name: "Store", critical: true, check: Effect.suspend(() => { calls++; return Effect.fail("down") }) }])
  })

  it("reports degraded (200) when a non-critical dependency times out", () =>
    withServer(settings(), async (base) => {
      const r = await json(await fetch(`${base}/v1/health/ready`))
      expect(r.status).toBe(200)
      expect(r.body.status).toBe("degraded")
      expect(r.body.dependencies.peer.status).toBe("unhealthy")
      expect(r.body.dependencies.peer.latency_ms).toBeGreaterThanOrEqual(50)
    }, [{ key: "peer", name: "Peer", critical: false, timeout: "50 millis", check: Effect.never }]))

  it("renders 404, 405, malformed JSON, 422 naming the field, 413, invalid Content-Length and 500", () =>
    withServer(settings(), async (base) => {
      expect(await json(await fetch(`${base}/v1/nope`))).toMatchObject({ status: 404, body: { detail: "Not Found" } })
      expect(await json(await fetch(`${base}/v1/items`, { method: "DELETE" }))).toMatchObject({ status: 405, body: { detail: "Method Not Allowed" } })
      const post = (body: string) => fetch(`${base}/v1/items`, { method: "POST", body, headers: { "content-type": "application/json" } }).then(json)
      const bad = await post("{oops")
      expect(bad.status).toBe(400)
      expect(bad.body._tag).toBe("MalformedJson")
      const missing = await post(JSON.stringify({ name: "x" }))
      expect(missing.status).toBe(422)
      expect(missing.body.detail).toEqual([{ type: "missing", loc: ["body", "count"], msg: "Field required", input: { name: "x" } }])
      const range = await post(JSON.stringify({ name: "x", count: 99 }))
      expect(range.status).toBe(422)
      expect(range.body.detail[0]).toMatchObject({ loc: ["body", "count"], input: 99 })
      const wrongType = await post(JSON.stringify({ name: 5, count: 2 }))
      expect(wrongType.body.detail[0]).toMatchObject({ type: "type_error", loc: ["body", "name"], input: 5 })
      const query = await json(await fetch(`${base}/v1/items?limit=1000`))
      expect(query.status).toBe(422)
      expect(query.body.detail[0]).toMatchObject({ loc: ["query", "limit"], input: "1000" })
      expect((await post(JSON.stringify({ name: "x".repeat(2000), count: 1 }))).status).toBe(413)
      expect(await json(await fetch(`${base}/v1/items/zz`))).toMatchObject({ status: 404, body: { detail: "Item 'zz' not found" } })
      const boom = await json(await fetch(`${base}/v1/boom`))
      expect(boom).toMatchObject({ status: 500, body: { detail: "Internal server error" } })
      // Content-Length that is not a number, sent raw.
      const status = await new Promise<number>((resolve) => {
        const req = request(`${base}/v1/items`, { method: "POST", headers: { "content-length": "12x", "content-type": "application/json" } }, (res) => resolve(res.statusCode ?? 0))
        req.on("error", () => resolve(-1))
        req.end()
      })
      expect([400, -1]).toContain(status) // node may reject the header before it reaches us
      // Still serving.
      expect((await fetch(`${base}/v1/items/a`)).status).toBe(200)
    }))

  it("streams a chunked body over the limit → 413", () =>
    withServer(settings(), async (base) => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${base}/v1/items`, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => resolve(res.statusCode ?? 0))
        req.on("error", reject)
        for (let i = 0; i < 10; i++) req.write("x".repeat(300))
        req.end()
      })
      expect(status).toBe(413)
      expect((await fetch(`${base}/v1/items/a`)).status).toBe(200)
    }))

  it("requires X-API-Key when keys are configured (health and metrics exempt; unknown paths 401 first)", () =>
    withServer(settings({ apiKeys: keys("k1", "second-key") }), async (base) => {
      expect(await json(await fetch(`${base}/v1/items/a`))).toMatchObject({ status: 401, body: { detail: "Missing API key. Provide X-API-Key header." } })
      expect(await json(await fetch(`${base}/v1/items/a`, { headers: { "x-api-key": "nope" } }))).toMatchObject({ status: 401, body: { detail: "Invalid API key." } })
      expect((await fetch(`${base}/v1/nope`)).status).toBe(401)
      expect((await fetch(`${base}/v1/items/a`, { headers: { "x-api-key": "second-key" } })).status).toBe(200)
      expect((await fetch(`${base}/v1/health/ready`)).status).toBe(200)
      expect((await fetch(`${base}/metrics`)).status).toBe(200)
    }))

  it("rate-limits with 429, Retry-After and X-RateLimit headers", () =>
    withServer(settings({ rateLimit: { enabled: true, requests: 3, windowSeconds: 60 } }), async (base) => {
      const statuses: Array<number> = []
      let last: Response | undefined
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${base}/v1/items/a`)
        statuses.push(last.status)
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      expect(last!.headers.get("retry-after")).toMatch(/^\d+$/)
      expect(last!.headers.get("x-ratelimit-remaining")).toBe("0")
      expect((await fetch(`${base}/v1/health`)).status).toBe(200)
    }))

  it("answers CORS preflights before auth when origins are configured", () =>
    withServer(settings({ corsOrigins: ["http://ui.example"], apiKeys: keys("k") }), async (base) => {
      const res = await fetch(`${base}/v1/items`, { method: "OPTIONS", headers: { origin: "http://ui.example", "access-control-request-method": "POST" } })
      expect(res.status).toBeLessThan(300)
      expect(res.headers.get("access-control-allow-origin")).toBe("http://ui.example")
    }))

  it("exposes Prometheus metrics per route pattern, OpenAPI and offline docs", () =>
    withServer(settings(), async (base) => {
      await fetch(`${base}/v1/items/a`)
      await fetch(`${base}/v1/items/b`)
      await fetch(`${base}/v1/health`)
      const text = await (await fetch(`${base}/metrics`)).text()
      expect(text).toMatch(/juniper_test_http_requests_total\{method="GET",endpoint="\/v1\/items\/:id",status="200"\} 1/)
      expect(text).toMatch(/juniper_test_http_requests_total\{method="GET",endpoint="\/v1\/items\/:id",status="404"\} 1/)
      expect(text).toMatch(/juniper_test_http_request_duration_seconds_bucket/)
      expect(text).toMatch(/juniper_test_process_cpu_seconds_total/)
      const spec = await json(await fetch(`${base}/openapi.json`))
      expect(spec.body.openapi).toMatch(/^3\./)
      expect(Object.keys(spec.body.paths)).toContain("/v1/items/{id}")
      const docs = await fetch(`${base}/docs`)
      expect(docs.status).toBe(200)
      const html = await docs.text()
      expect(html).not.toMatch(/<script[^>]+src="https?:/) // the UI bundle is inlined: works offline
    }))
})

describe("core /metrics access", () => {
  it("answers 403 outside the trusted ranges and 404 when metrics are off", async () => {
    const { fastApiErrors, layerHealth, layerMetrics, layerSdNotify, serve } = await import("@juniper/core")
    const { HttpApi } = await import("@effect/platform")
    const { HealthGroup, healthHandlers } = await import("@juniper/core")
    class Api extends HttpApi.make("m").add(HealthGroup).prefix("/v1") {}
    const run = (metricsAccess: { enabled: boolean; trustedIps?: ReadonlyArray<string> }) =>
      Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const layer = serve({ api: Api, handlers: healthHandlers(Api), settings: settings(), errors: fastApiErrors, metricsAccess, healthFastPath: false }).pipe(
          Layer.provide(layerHealth({ service: "m", version: "1", gitSha: null, buildDate: null, probes: [] })),
          Layer.provide(layerMetrics("juniper_m", { version: "1", gitSha: null, buildDate: null })),
          Layer.provide(layerSdNotify)
        )
        const ctx = yield* Layer.build(layer)
        const base = yield* Effect.provide(baseUrl, ctx)
        return yield* Effect.promise(async () => ({ metrics: (await fetch(`${base}/metrics`)).status, health: (await fetch(`${base}/v1/health`)).status }))
      })))
    expect(await run({ enabled: true, trustedIps: ["10.0.0.0/8"] })).toEqual({ metrics: 403, health: 200 })
    expect(await run({ enabled: true, trustedIps: ["127.0.0.0/8"] })).toEqual({ metrics: 200, health: 200 })
    expect(await run({ enabled: false })).toEqual({ metrics: 404, health: 200 })
  })
})
