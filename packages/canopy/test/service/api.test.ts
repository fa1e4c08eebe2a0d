// The Service-layer suite: every /api route and control command against a real `node dist/canopy`, once per backend
// (Demo: the real engine in-process; Fake: the Service link over FakeCascorClient). The same assertions hold for both,
// so the fake honours the interface. Bad input on every route and command → a clear 4xx, and the service keeps running.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { canopyBuilt, get, post, request, type ServiceProcess, startCanopy, until, WsClient, wsUrl } from "./helpers.js"

const BACKENDS = [
  { mode: "demo", env: { JUNIPER_CANOPY_BACKEND: "demo" } },
  { mode: "fake", env: { JUNIPER_CANOPY_BACKEND: "fake", JUNIPER_CANOPY_FAKE_SCENARIO: "two_spiral_training" } }
] as const

const expectErrorBody = (r: { status: number; body: any }, status: number) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expect(typeof r.body.error).toBe("string")
  expect(r.body.status_code).toBe(status)
  expect(r.body).toHaveProperty("detail")
}

describe.runIf(canopyBuilt).each(BACKENDS)("Canopy API on the $mode backend", ({ mode, env }) => {
  let svc: ServiceProcess
  let base: string
  let ws: WsClient
  beforeAll(async () => {
    svc = await startCanopy(env)
    base = svc.baseUrl
    ws = await WsClient.open(wsUrl(base, "/ws/training"))
    ws.send({ type: "subscribe_metrics", data: { max_count: 10 } }) // a fresh connect at once (no resume wait)
    await ws.next((f) => f.type === "initial_metrics", 30_000)
    await until(async () => (await get(base, "/api/metrics")).status === 200, 60_000, "first metrics")
  })
  afterAll(async () => {
    ws?.close()
    await svc?.stop()
  })

  it("answers the health trio, with readiness details and a degraded status while JuniperData is down", async () => {
    const h = await get(base, "/v1/health")
    expect(h.status).toBe(200)
    expect(h.body).toMatchObject({ status: "ok", service: "juniper-canopy", demo_mode: mode === "demo", juniper_data_available: false, mode })
    expect(h.body.active_connections).toBeGreaterThanOrEqual(1)
    expect(typeof h.body.version).toBe("string")
    expect((await get(base, "/v1/health/live")).body.status).toBe("alive")
    const r = await get(base, "/v1/health/ready")
    expect(r.status).toBe(200)
    expect(r.body.status).toBe("degraded")
    expect(r.body.dependencies.juniper_data).toMatchObject({ status: "unhealthy", message: "http://127.0.0.1:9" })
    expect(r.body.dependencies.juniper_cascor.status).toBe(mode === "demo" ? "not_configured" : "healthy")
    expect(r.body.details).toMatchObject({ mode, training_active: expect.any(Boolean), active_connections: expect.any(Number) })
    for (const alias of ["/health", "/api/health"]) {
      const d = await get(base, alias)
      expect(d.status).toBe(200)
      expect(d.headers.get("deprecation")).toBe("true")
      expect(d.body).not.toHaveProperty("git_sha")
      expect(d.body.status).toBe("ok")
    }
  })

  it("serves the read routes in the contract's shapes", async () => {
    const status = (await get(base, "/api/status")).body
    expect(status).toMatchObject({ network_connected: true, input_size: 2, output_size: 2, backend: mode })
    for (const k of ["is_training", "is_running", "is_paused", "completed", "failed", "fsm_status", "phase", "current_epoch", "hidden_units", "max_hidden_units", "max_epochs", "completion_reason", "pending_dataset", "learning_rate", "monitoring_active"])
      expect(status, k).toHaveProperty(k)
    const state = (await get(base, "/api/state")).body
    expect(state).toHaveProperty("status")
    expect(state).toHaveProperty("candidates_total")
    expect(state.param_bounds.nn_learning_rate).toMatchObject({ min: 0.0001, max: 1, default: 0.01, type: "float" })
    expect(state.ui_settings).toMatchObject({ enable_ws_control_buttons: true, use_websocket_set_params: true, metrics_smoothing_window: 10, snapshots_refresh_interval_ms: 10000 })
    for (const k of ["nn_learning_rate", "nn_max_hidden_units", "cn_pool_size", "nn_dataset_type", "cn_candidate_selection"]) expect(state, k).toHaveProperty(k)
    const sh = (await get(base, "/api/stream_health")).body
    expect(sh).toMatchObject({ overall: mode === "demo" ? "n/a" : "healthy", mode })
    const m = (await get(base, "/api/metrics")).body
    expect(m).toMatchObject({ metrics: expect.any(Object), network_topology: { input_units: 2, output_units: 2 } })
    expect(m).toHaveProperty("train_loss")
    const hist = (await get(base, "/api/metrics/history?limit=3")).body.history
    expect(hist.length).toBeGreaterThan(0)
    expect(hist.length).toBeLessThanOrEqual(3)
    expect((await get(base, "/api/metrics/history?limit=0")).body.history.length).toBeGreaterThanOrEqual(hist.length)
    const raw = (await get(base, "/api/topology/raw")).body
    expect(raw).toMatchObject({ input_size: 2, output_size: 2 })
    const topo = (await get(base, "/api/topology")).body
    expect(topo.nodes.filter((n: any) => n.type === "input").length).toBe(2)
    expect(topo.hidden_units).toBeGreaterThanOrEqual(raw.hidden_units.length) // the network may grow between the two calls
    const stats = (await get(base, "/api/network/stats")).body
    expect(stats.weight_statistics.total_weights).toBe(stats.total_edges)
    const ds = (await get(base, "/api/dataset")).body
    expect(ds).toMatchObject({ loaded: true, input_features: 2, output_features: 2 })
    expect(ds.X_train.length).toBe(ds.train_samples)
    const gens = (await get(base, "/api/dataset/generators")).body
    expect(gens.source).toBe("fallback")
    expect(gens.generators.map((g: any) => g.name)).toEqual(["spiral", "xor", "circles", "moon"])
    const db = (await get(base, "/api/decision_boundary?resolution=7")).body
    expect(db.resolution).toBe(7)
    expect(db.Z.length).toBe(7)
    expect((await get(base, "/api/decision_boundary?resolution=2")).body.resolution).toBe(5)
    expect((await get(base, "/api/decision_boundary?resolution=900")).body.resolution).toBe(200)
    const ts = (await get(base, "/api/train/status")).body
    expect(ts).toMatchObject({ backend: mode, execution: "live" })
    const csrf = (await get(base, "/api/csrf")).body
    expect(csrf).toMatchObject({ enabled: true, csrf_token: expect.any(String) })
    const relay = (await get(base, "/api/statistics")).body
    expect(relay).toMatchObject({ active_connections: expect.any(Number), replay_buffer_capacity: 1024, stream: { mode } })
    expect(relay.current_seq).toBeGreaterThan(0)
    const workers = (await get(base, "/api/v1/workers/list")).body
    expect(workers.count).toBeGreaterThanOrEqual(1)
    expect(workers.workers[0]).toHaveProperty("kind")
    const wstats = (await get(base, "/api/v1/workers/stats")).body
    expect(wstats.total).toBe(workers.count)
  })

  it("refuses bad input on every route with a clear 4xx and keeps running", async () => {
    const cases: Array<[string, Promise<{ status: number; body: any }>, number]> = [
      ["history limit -1", get(base, "/api/metrics/history?limit=-1"), 422],
      ["history limit abc", get(base, "/api/metrics/history?limit=abc"), 422],
      ["boundary resolution x", get(base, "/api/decision_boundary?resolution=x"), 422],
      ["start reset=maybe", post(base, "/api/train/start?reset=maybe"), 422],
      ["set_params not JSON", post(base, "/api/set_params", "{nope"), 400],
      ["set_params array", post(base, "/api/set_params", [1, 2]), 422],
      ["set_params empty", post(base, "/api/set_params", {}), 400],
      ["set_params type", post(base, "/api/set_params", { nn_learning_rate: "fast" }), 422],
      ["set_params enum", post(base, "/api/set_params", { nn_optimizer_type: "Quickprop" }), 422],
      ["set_params selection", post(base, "/api/set_params", { cn_multi_candidate: true, cn_pool_size: 4, cn_selected_candidates: 3, cn_top_candidates: 1, cn_random_candidates: 1 }), 422],
      ["unknown route", get(base, "/api/nope"), 404],
      ["wrong method", get(base, "/api/set_params"), 405],
      ["snapshot bad id", get(base, "/api/v1/snapshots/bad%20id"), 400],
      ["snapshot unknown", get(base, "/api/v1/snapshots/no_such_snapshot"), 404],
      ["snapshot restore unknown", post(base, "/api/v1/snapshots/no_such_snapshot/restore"), 404],
      ["snapshots limit 0", get(base, "/api/v1/snapshots?limit=0"), 422],
      ["snapshot name too long", post(base, `/api/v1/snapshots?name=${"x".repeat(300)}`), 422],
      ["csrf bad origin", get(base, "/api/csrf", { origin: "http://evil.example" }), 403],
      ["control bad origin", post(base, "/api/train/pause", undefined, { origin: "http://evil.example" }), 403],
      ["control origin without token", post(base, "/api/train/pause", undefined, { origin: "http://localhost:8050" }), 403],
      ["control bad token", post(base, "/api/train/pause", undefined, { origin: "http://localhost:8050", "x-csrf-token": "forged.token" }), 403]
    ]
    for (const [label, res, status] of cases) {
      const r = await res
      expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(status)
      expectErrorBody(r, status)
    }
    const big = await request(base, "/api/set_params", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nn_dataset_type: "x".repeat(11 * 1024 * 1024) }) })
    expect(big.status).toBe(413)
    expect((await get(base, "/v1/health/live")).status).toBe(200)
    expect((await get(base, "/api/status")).status).toBe(200)
  })

  it("runs the control commands: one ControlResult each, a control_ack broadcast, 409 when not valid now", async () => {
    const from = ws.frames.length
    const stop = await post(base, "/api/train/stop")
    expect(stop.status).toBe(200)
    expect(stop.body.ok).toBe(true)
    await until(async () => (await get(base, "/api/status")).body.fsm_status === "STOPPED", 20_000, "STOPPED")
    await ws.next((f) => f.type === "control_ack" && f.data.command === "stop" && f.data.success === true, 10_000, from)
    const pause = await post(base, "/api/train/pause")
    expect(pause.status).toBe(409)
    expect(pause.body).toMatchObject({ ok: false, status_code: 409 })
    await ws.next((f) => f.type === "control_ack" && f.data.command === "pause" && f.data.success === false, 10_000, from)
    expect((await post(base, "/api/train/resume")).status).toBe(409)
    // A browser: allowed Origin plus the CSRF token. Pause right after the start, before the run can end.
    const token = (await get(base, "/api/csrf")).body.csrf_token
    const browser = { origin: "http://localhost:8050", "x-csrf-token": token }
    const start = await post(base, "/api/train/start?reset=true", undefined, browser)
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    expect(start.body.ok).toBe(true)
    const p = await post(base, "/api/train/pause", undefined, browser)
    expect(p.body.ok, JSON.stringify(p.body)).toBe(true)
    await until(async () => (await get(base, "/api/status")).body.is_paused, 20_000, "paused")
    expect((await post(base, "/api/train/resume")).body.ok).toBe(true)
    await until(async () => !(await get(base, "/api/status")).body.is_paused, 20_000, "resumed")
    expect((await post(base, "/api/train/reset")).body.ok).toBe(true)
    await until(async () => (await get(base, "/api/status")).body.current_epoch === 0, 20_000, "reset")
    expect((await post(base, "/api/train/start")).body.ok).toBe(true)
  })

  it("applies parameters: clamped, applied/skipped reported, params_updated broadcast", async () => {
    const from = ws.frames.length
    const r = await post(base, "/api/set_params", { nn_learning_rate: 5, cn_pool_size: 12, nn_spiral_rotations: 2, nn_max_total_epochs: 5000, nn_growth_trigger: "preset_epochs", surprise: 1 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.applied).toEqual(expect.arrayContaining(["nn_learning_rate", "cn_pool_size", "nn_spiral_rotations"]))
    expect(r.body.skipped).toEqual(expect.arrayContaining(["nn_max_total_epochs", "nn_growth_trigger", "surprise"]))
    expect(r.body.skipped_detail).toContainEqual({ key: "nn_max_total_epochs", reason: "not-updatable" })
    expect(r.body.clamped).toContainEqual({ key: "nn_learning_rate", requested: 5, applied: 1 })
    expect(r.body.state).toMatchObject({ nn_learning_rate: 1, cn_pool_size: 12, nn_spiral_rotations: 2 })
    const frame = await ws.next((f) => f.type === "params_updated", 10_000, from)
    expect(frame.data.applied).toContain("cn_pool_size")
    expect((await get(base, "/api/state")).body).toMatchObject({ nn_learning_rate: 1, cn_pool_size: 12 })
  })

  it("stages a dataset from the JuniperData generators, cancels it, and restarts training on it", async () => {
    expect((await post(base, "/api/stage_dataset", { nn_dataset_type: "nope" })).status).toBe(422)
    expect((await post(base, "/api/stage_dataset", { nn_dataset_noise: 0.1 })).status).toBe(422)
    const bad = await post(base, "/api/stage_dataset", { nn_dataset_type: "spiral", nn_dataset_params: { noise: -1 } })
    expectErrorBody(bad, 422)
    expect(bad.body.detail).toMatch(/noise/)
    expect((await post(base, "/api/train/restart", { start_fresh: "yes" })).status).toBe(422)
    const staged = await post(base, "/api/stage_dataset", { nn_dataset_type: "spiral", nn_spiral_number: 2, nn_dataset_elements: 100, nn_dataset_noise: 0.2 })
    expect(staged.status, JSON.stringify(staged.body)).toBe(200)
    expect(staged.body.pending_dataset).toMatchObject({ generator: "spiral", params: { n_spirals: 2, n_points_per_spiral: 50, noise: 0.2 } })
    expect((await get(base, "/api/status")).body.pending_dataset).toMatchObject({ generator: "spiral" })
    expect((await request(base, "/api/cancel_pending_dataset", { method: "DELETE" })).body).toEqual({ status: "cancelled", cancelled: true })
    expect((await request(base, "/api/cancel_pending_dataset", { method: "DELETE" })).body.cancelled).toBe(false)
    expect((await get(base, "/api/status")).body.pending_dataset).toBeNull()
    await post(base, "/api/stage_dataset", { nn_dataset_type: "spiral", nn_dataset_elements: 100, nn_dataset_params: { seed: 7 } })
    const restarted = await post(base, "/api/train/restart", { start_fresh: true, reset: true })
    expect(restarted.status, JSON.stringify(restarted.body)).toBe(200)
    expect(restarted.body).toMatchObject({ success: true, status: "restarted", start_fresh: true, dataset: { generator: "spiral" } })
    expect(restarted.body.steps.map((x: any) => x.step)).toContain("start")
    expect((await get(base, "/api/status")).body.pending_dataset).toBeNull()
    const ds = await until(async () => {
      const d = (await get(base, "/api/dataset")).body
      return d.train_samples + d.test_samples === 100 ? d : undefined
    }, 20_000, "the staged dataset")
    expect(ds.loaded).toBe(true)
  })

  it("creates, lists, shows and restores snapshots (409 while training)", async () => {
    const created = await post(base, "/api/v1/snapshots?name=test&description=from%20the%20suite")
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.snapshot_id
    expect(created.body.description).toContain("from the suite")
    const list = (await get(base, "/api/v1/snapshots?limit=2&offset=0")).body
    expect(list.snapshots[0].snapshot_id).toBe(id)
    expect(list.snapshots.length).toBeLessThanOrEqual(2)
    expect(list).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) })
    expect((await get(base, `/api/v1/snapshots/${id}`)).body).toMatchObject({ snapshot_id: id, meta_params: null })
    // While training (started now, paused at once so that the run cannot end meanwhile): 409.
    await post(base, "/api/train/stop")
    await until(async () => !(await get(base, "/api/status")).body.is_running, 20_000, "stopped")
    // A fresh run (reset) cannot finish between start and pause, even on a loaded machine.
    expect((await post(base, "/api/train/start?reset=true")).body.ok).toBe(true)
    await post(base, "/api/train/pause")
    await until(async () => (await get(base, "/api/status")).body.is_paused === true, 20_000, "paused")
    expect((await post(base, `/api/v1/snapshots/${id}/restore`)).status).toBe(409)
    await post(base, "/api/train/stop")
    await until(async () => !(await get(base, "/api/status")).body.is_running, 20_000, "stopped")
    const from = ws.frames.length
    const restored = await post(base, `/api/v1/snapshots/${id}/restore`)
    expect(restored.status, JSON.stringify(restored.body)).toBe(200)
    expect(restored.body).toMatchObject({ snapshot_id: id, status: "restored" })
    await ws.next((f) => f.type === "state" && f.data.action === "snapshot_restored", 10_000, from)
    expect((await post(base, "/api/train/start?reset=false")).body.ok).toBe(true)
  })

  it("documents the API at /openapi.json and serves the dashboard with its CSP", async () => {
    const spec = (await get(base, "/openapi.json")).body
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/api/status", "/api/set_params", "/api/v1/snapshots/{id}/restore", "/v1/health/ready"]))
    const root = await get(base, "/")
    expect(root.status).toBe(307)
    expect(root.headers.get("location")).toBe("/dashboard/")
    const page = await request(base, "/dashboard/")
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toMatch(/text\/html/)
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/)
    expect(page.headers.get("content-security-policy")).not.toMatch(/unsafe-inline|https?:/)
    expect((await get(base, "/dashboard/../../package.json")).status).not.toBe(200)
    expect((await get(base, "/dashboard/assets/nothing-here.js")).status).toBe(404)
  })
})
