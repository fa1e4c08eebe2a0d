// Service mode end to end with all three services on 127.0.0.1 — `node dist/data`, `node dist/cascor` (auto-start
// training through JuniperData) and `node dist/canopy` in service mode:
// - Canopy shows JuniperCascor's real training (REST and relayed frames, re-numbered with Canopy's own seq);
// - commands reach JuniperCascor through its control channel;
// - JuniperCascor killed → readiness `degraded`, the stream reports the disconnection (stream_health and an `event`
//   frame on the browser's socket), status answers from cache flagged stale;
// - JuniperCascor started again → the relay reconnects by itself and frames flow again to the SAME browser socket
//   (no reconnect on the browser side), continuing Canopy's seq without a gap.
// Plus the demo backend taking its dataset from a reachable JuniperData.
import { createServer } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { get, post, type ServiceProcess, sleep, stackBuilt, startCanopy, startCascor, startData, until, WsClient, wsUrl } from "../service/helpers.js"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0))
    })
  })

describe.runIf(stackBuilt)("service mode with JuniperData, JuniperCascor and JuniperCanopy", () => {
  let data: ServiceProcess
  let cascor: ServiceProcess
  let canopy: ServiceProcess
  let cascorPort: number
  let base: string
  let ws: WsClient
  const cascorEnv = { JUNIPER_CASCOR_WS_RESUME_TIMEOUT_SEC: "1", JUNIPER_CASCOR_AUTO_START: "true", JUNIPER_CASCOR_AUTO_NETWORK: JSON.stringify({ max_hidden_units: 60, max_iterations: 60 }) }

  beforeAll(async () => {
    data = await startData()
    cascorPort = await freePort()
    cascor = await startCascor(cascorPort, data.baseUrl, cascorEnv)
    canopy = await startCanopy({
      JUNIPER_CANOPY_CASCOR_SERVICE_URL: `http://127.0.0.1:${cascorPort}`,
      JUNIPER_CANOPY_CASCOR_WS_ORIGIN: "http://localhost:8050",
      JUNIPER_DATA_URL: data.baseUrl
    })
    base = canopy.baseUrl
    ws = await WsClient.open(wsUrl(base, "/ws/training"))
    ws.send({ type: "subscribe_metrics", data: { max_count: 100 } })
    await ws.next((f) => f.type === "initial_metrics", 30_000)
  }, 240_000)
  afterAll(async () => {
    ws?.close()
    await canopy?.stop()
    await cascor?.stop()
    await data?.stop()
  })

  it("selects service mode and reports both dependencies healthy", async () => {
    expect(canopy.output()).toMatch(/backend mode: service/)
    const r = await until(async () => {
      const b = (await get(base, "/v1/health/ready")).body
      return b.status === "ready" ? b : undefined
    }, 30_000, "ready")
    expect(r.dependencies.juniper_cascor).toMatchObject({ status: "healthy", message: `http://127.0.0.1:${cascorPort}` })
    expect(r.dependencies.juniper_data.status).toBe("healthy")
    expect(r.details.mode).toBe("service")
    expect((await get(base, "/v1/health")).body).toMatchObject({ demo_mode: false, juniper_data_available: true, mode: "service" })
  })

  it("shows JuniperCascor's real training, relayed with Canopy's own seq", { timeout: 240_000 }, async () => {
    await until(async () => (await get(base, "/api/stream_health")).body.relay === "healthy", 30_000, "relay connected")
    // A fresh run through Canopy, so that frames flow while we watch (the auto-started run may be over already).
    const from = ws.frames.length
    await post(base, "/api/train/stop")
    const start = await post(base, "/api/train/start?reset=true")
    expect(start.body.ok, JSON.stringify(start.body)).toBe(true)
    await ws.next((f) => f.type === "event" && f.data.event === "training_started", 30_000, from)
    const m = await ws.next((f) => f.type === "metrics" && f.seq !== undefined, 60_000, from)
    expect(m.data).toHaveProperty("network_topology")
    expect(m.server_instance_id).toBe(ws.frames[0].data.server_instance_id)
    await ws.next((f) => f.type === "cascade_add", 60_000, from)
    await ws.next((f) => f.type === "topology", 60_000, from)
    const status = (await get(base, "/api/status")).body
    expect(status).toMatchObject({ backend: "service", network_connected: true, input_size: 2, output_size: 2 })
    expect(status.hidden_units).toBeGreaterThan(0)
    // Canopy's numbers are JuniperCascor's own.
    await until(async () => !(await get(base, "/api/status")).body.is_training, 120_000, "the run to end")
    const upstream = (await get(`http://127.0.0.1:${cascorPort}`, "/v1/network/topology")).body.data
    const topo = (await get(base, "/api/topology/raw")).body
    expect(topo).toEqual(upstream)
    expect((await get(base, "/api/metrics/history?limit=0")).body.history.length).toBe((await get(`http://127.0.0.1:${cascorPort}`, "/v1/metrics/history")).body.data.metrics.length)
    expect((await get(base, "/api/dataset")).body).toMatchObject({ loaded: true, dataset_id: expect.stringMatching(/^spiral-/), source: { type: "juniper-data" } })
    expect((await get(base, "/api/stream_health")).body).toMatchObject({ overall: "healthy", relay: "healthy", control: "healthy", control_channel: "websocket" })
  })

  it("sends commands through JuniperCascor's control channel", async () => {
    expect((await post(base, "/api/train/start?reset=true")).body.ok).toBe(true)
    expect((await post(base, "/api/train/pause")).body.ok).toBe(true)
    await until(async () => (await get(`http://127.0.0.1:${cascorPort}`, "/v1/training/status")).body.data.state_machine.status === "PAUSED", 20_000, "cascor paused")
    expect((await get(base, "/api/status")).body.is_paused).toBe(true)
    const sp = await post(base, "/api/set_params", { cn_pool_size: 6, nn_learning_rate: 0.5 })
    expect(sp.status, JSON.stringify(sp.body)).toBe(200)
    expect(sp.body.applied).toEqual(expect.arrayContaining(["cn_pool_size", "nn_learning_rate"]))
    expect((await get(`http://127.0.0.1:${cascorPort}`, "/v1/training/params")).body.data.candidate_pool_size).toBe(6)
    expect((await post(base, "/api/train/resume")).body.ok).toBe(true)
    await until(async () => (await get(`http://127.0.0.1:${cascorPort}`, "/v1/training/status")).body.data.state_machine.status !== "PAUSED", 20_000, "resumed")
    // A command refused by JuniperCascor comes back as a clear 409, sent once.
    await post(base, "/api/train/stop")
    const refused = await post(base, "/api/train/pause")
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatch(/cannot be paused/)
  })

  it("reports JuniperCascor down (degraded, disconnection on the stream) and resumes on the same socket when it is back", async () => {
    const wsBefore = ws.frames.length
    await cascor.kill()
    const event = await ws.next((f) => f.type === "event" && f.data.event === "status_change" && f.data.details.upstream === "disconnected", 20_000, wsBefore)
    expect(event.data.details.relay).toBe("reconnecting")
    const ready = await until(async () => {
      const b = (await get(base, "/v1/health/ready")).body
      return b.status === "degraded" ? b : undefined
    }, 20_000, "degraded")
    expect(ready.dependencies.juniper_cascor.status).toBe("unhealthy")
    expect((await get(base, "/api/stream_health")).body).toMatchObject({ overall: "reconnecting", relay: "reconnecting" })
    const stale = await get(base, "/api/status")
    expect(stale.status).toBe(200)
    expect(stale.body).toMatchObject({ stale: true, network_connected: false })
    expect((await get(base, "/api/state")).body.stale).toBe(true)
    expect((await post(base, "/api/train/pause")).status).toBe(409) // a clear failure, not a hang
    expect((await get(base, "/v1/health/live")).status).toBe(200)

    // Back on the same port (auto-start trains again): the relay reconnects by itself.
    const lastSeqBefore = Math.max(...ws.frames.filter((f) => f.seq !== undefined).map((f) => f.seq))
    const backAt = ws.frames.length
    cascor = await startCascor(cascorPort, data.baseUrl, cascorEnv)
    await ws.next((f) => f.type === "event" && f.data.event === "status_change" && f.data.details.upstream === "connected", 90_000, backAt)
    await ws.next((f) => f.type === "initial_metrics" && f.seq !== undefined, 30_000, backAt) // resync of the new history
    // The auto-started run may have ended meanwhile: a fresh run through Canopy makes frames flow for sure.
    await post(base, "/api/train/stop")
    expect((await post(base, "/api/train/start?reset=true")).body.ok).toBe(true)
    const m = await ws.next((f) => f.type === "metrics" && f.seq !== undefined, 60_000, backAt)
    expect(m.seq).toBeGreaterThan(lastSeqBefore)
    const seqs = ws.frames.filter((f) => f.seq !== undefined).map((f) => f.seq)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1) // one socket, no gap, no reconnect
    expect(ws.ws.readyState).toBe(1)
    await until(async () => (await get(base, "/v1/health/ready")).body.status === "ready", 30_000, "ready again")
    expect((await get(base, "/api/stream_health")).body.relay).toBe("healthy")
    expect((await get(base, "/api/status")).body.stale).toBeUndefined()
  }, 240_000)

  it("demo mode takes its dataset from a reachable JuniperData", async () => {
    const demo = await startCanopy({ JUNIPER_CANOPY_BACKEND: "demo", JUNIPER_DATA_URL: data.baseUrl })
    try {
      expect(demo.output()).not.toMatch(/generates its two-spiral dataset locally/)
      const ds = await until(async () => {
        const d = (await get(demo.baseUrl, "/api/dataset")).body
        return d.loaded ? d : undefined
      }, 30_000, "dataset")
      expect(ds.source).toMatchObject({ type: "juniper-data", generator: "spiral" })
      expect(ds.dataset_id).toMatch(/^spiral-/)
      expect((await get(demo.baseUrl, "/v1/health")).body.juniper_data_available).toBe(true)
    } finally {
      await demo.stop()
    }
    await sleep(10)
  })
})
