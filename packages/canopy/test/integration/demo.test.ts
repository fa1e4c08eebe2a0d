// Demo mode end to end (`node dist/canopy`, no other service): the real engine trains a two-spiral network in-process
// and Canopy serves it — status advances, metrics arrive over /ws/training with real validation metrics, the
// topology grows, the decision boundary is the network's — and the demo loops to a new seeded run when one ends.
// Also the start-up fallback: an unreachable JuniperCascor URL → demo mode with a WARNING.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { canopyBuilt, get, post, type ServiceProcess, startCanopy, until, WsClient, wsUrl } from "../service/helpers.js"

describe.runIf(canopyBuilt)("demo mode serves real training", () => {
  let svc: ServiceProcess
  let base: string
  let ws: WsClient
  beforeAll(async () => {
    svc = await startCanopy({ JUNIPER_CANOPY_DEMO_MODE: "true", JUNIPER_CANOPY_DEMO_UPDATE_INTERVAL: "0.2" })
    base = svc.baseUrl
    ws = await WsClient.open(wsUrl(base, "/ws/training"))
    ws.send({ type: "subscribe_metrics", data: { max_count: 100 } })
    await ws.next((f) => f.type === "initial_metrics", 30_000)
  })
  afterAll(async () => {
    ws?.close()
    await svc?.stop()
  })

  it("logs the mode and the local-dataset WARNING, and reports demo in readiness", async () => {
    expect(svc.output()).toMatch(/backend mode: demo \(JUNIPER_CANOPY_DEMO_MODE=true\)/)
    expect(svc.output()).toMatch(/JuniperData unreachable at http:\/\/127\.0\.0\.1:9 — the demo generates its two-spiral dataset locally/)
    expect((await get(base, "/v1/health/ready")).body.details.mode).toBe("demo")
  })

  it("advances: steps count up, metrics stream in with real validation metrics, the network grows", async () => {
    const first = (await get(base, "/api/status")).body
    const grown = await until(async () => {
      const s = (await get(base, "/api/status")).body
      return s.hidden_units >= first.hidden_units + 2 && s.current_epoch > first.current_epoch ? s : undefined
    }, 60_000, "two more hidden units")
    expect(grown.is_training).toBe(true)
    const steps = ws.frames.filter((f) => f.type === "metrics" && f.data.kind === "training_step")
    expect(steps.length).toBeGreaterThan(1)
    const last = steps[steps.length - 1].data
    expect(last.validation_loss).toEqual(expect.any(Number))
    expect(last.validation_accuracy).toEqual(expect.any(Number))
    expect(last.f1).toEqual(expect.any(Number))
    expect(last.roc_auc).toEqual(expect.any(Number))
    const adds = ws.frames.filter((f) => f.type === "cascade_add")
    expect(adds.length).toBeGreaterThan(0)
    expect(adds[adds.length - 1].data).toMatchObject({ hidden_unit_index: expect.any(Number), correlation: expect.any(Number), total_hidden_units: expect.any(Number) })
    const topo = ws.frames.filter((f) => f.type === "topology").pop()
    expect(topo.data.hidden_units.length).toBeGreaterThan(0)
    expect(topo.data.hidden_units[0].activation).toBe("Tanh")
    expect(topo.data.output_activation).toBe("Linear")
    // Epochs count training steps: one per growth iteration (plus the initial output pass).
    const s = (await get(base, "/api/status")).body
    expect(s.current_epoch).toBeLessThanOrEqual(s.hidden_units + 2)
  })

  it("serves its dataset (200 two-spiral points scaled to [-1, 1], one-hot, held-out split) and the network's decision boundary", async () => {
    const ds = (await get(base, "/api/dataset")).body
    expect(ds.train_samples + ds.test_samples).toBe(200)
    expect(ds.test_samples).toBeGreaterThan(0)
    const xs = ds.X_train.flat()
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-1)
    expect(Math.max(...xs)).toBeLessThanOrEqual(1)
    expect(ds.y_train.every((r: Array<number>) => r.length === 2 && r[0]! + r[1]! === 1)).toBe(true)
    const db = (await get(base, "/api/decision_boundary?resolution=20")).body
    expect(db.Z.flat().every((z: number) => z === 0 || z === 1)).toBe(true)
    expect(new Set(db.Z.flat()).size).toBe(2)
    expect((await get(base, "/api/state")).body).toMatchObject({ optimizer_name: "Adam", threshold_function: "Tanh", candidates_total: 32 })
  })

  it("loops: when a run ends it starts the next seeded run by itself", async () => {
    const runs = () => ws.frames.filter((f) => f.type === "event" && f.data.event === "training_started").length
    const before = runs()
    // End this run soon: no more growth allowed.
    const r = await post(base, "/api/set_params", { nn_max_hidden_units: 1, nn_max_iterations: 1 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    await ws.next((f) => f.type === "event" && f.data.event === "training_complete", 60_000)
    await until(() => runs() > before, 30_000, "the next run")
    expect(svc.output()).toMatch(/demo run 2 started \(seed 43/)
    await until(async () => (await get(base, "/api/status")).body.is_training, 20_000, "training again")
  })

  it("stays stopped when the user stops it, and the user can start it again", async () => {
    expect((await post(base, "/api/train/stop")).body.ok).toBe(true)
    await new Promise((r) => setTimeout(r, 1500))
    expect((await get(base, "/api/status")).body.fsm_status).toBe("STOPPED")
    expect((await post(base, "/api/train/start")).body.ok).toBe(true)
    await until(async () => (await get(base, "/api/status")).body.is_training, 20_000, "training")
  })
})

describe.runIf(canopyBuilt)("start-up selection", () => {
  it("falls back to demo with a WARNING when the configured JuniperCascor is unreachable", async () => {
    const svc = await startCanopy({ JUNIPER_CANOPY_CASCOR_SERVICE_URL: "http://127.0.0.1:9" })
    try {
      expect(svc.output()).toMatch(/JuniperCascor unreachable at http:\/\/127\.0\.0\.1:9 — falling back to demo mode/)
      expect((await get(svc.baseUrl, "/v1/health/ready")).body.details.mode).toBe("demo")
      expect((await get(svc.baseUrl, "/v1/health")).body.demo_mode).toBe(true)
    } finally {
      await svc.stop()
    }
  })
})
