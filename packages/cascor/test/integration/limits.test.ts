// WebSocket admission and liveness on real processes: API keys (401 on REST, close 4001 on upgrade), the control
// Origin allowlist (4003) and cooldown (4029), connection caps (1013), heartbeat timeout (1011), control idle close
// (1000), the control rate limit, chunked frames above the size threshold, Prometheus training gauges, auto-start
// with the legacy names, and the start-up guards.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { built, call, data, type ServiceProcess, sleep, startCascor, startData, status, until, WsClient } from "./helpers.js"
import { cascorEntry } from "./helpers.js"
import { startService } from "@juniper/core"

const KEY = "test-key-123"

describe.runIf(built)("admission, liveness and limits (real process)", () => {
  let svc: ServiceProcess
  beforeAll(async () => {
    svc = await startCascor({
      JUNIPER_CASCOR_API_KEYS: KEY,
      JUNIPER_CASCOR_WS_MAX_CONNECTIONS: "3",
      // Short, but with room for a loaded machine: a pong that waits behind a busy event loop must still count.
      JUNIPER_WS_HEARTBEAT_INTERVAL_SEC: "0.5",
      JUNIPER_WS_HEARTBEAT_PONG_TIMEOUT_SEC: "1.5",
      JUNIPER_CASCOR_WS_CONTROL_IDLE_TIMEOUT_SEC: "1",
      JUNIPER_WS_MAX_MESSAGE_SIZE_BYTES: "600",
      JUNIPER_WS_CHUNK_PAYLOAD_SIZE_BYTES: "200"
    })
  })
  afterAll(async () => {
    await svc?.stop()
  })
  const key = { "x-api-key": KEY }

  it("API keys: REST 401 in the envelope (health and /metrics exempt); WebSocket upgrade without a key closes 4001", async () => {
    const r = await call(svc, "GET", "/v1/training/status")
    expect(r.status).toBe(401)
    expect(r.body).toMatchObject({ status: "error", error: { code: "UNAUTHORIZED" } })
    expect((await call(svc, "GET", "/v1/training/status", undefined, { "x-api-key": "wrong" })).status).toBe(401)
    expect((await call(svc, "GET", "/v1/training/status", undefined, key)).status).toBe(200)
    expect((await call(svc, "GET", "/v1/health/ready")).status).toBe(200)
    const metrics = await fetch(`${svc.baseUrl}/metrics`).then((res) => res.text())
    for (const g of ["juniper_cascor_training_epoch", "juniper_cascor_training_hidden_units", "juniper_cascor_training_loss", "juniper_cascor_training_accuracy", "juniper_cascor_candidate_phase_seconds", 'juniper_cascor_backend_info{backend="ts"} 1'])
      expect(metrics).toContain(g)
    const anon = WsClient.training(svc)
    expect(await anon.closed).toEqual({ code: 4001, reason: "Authentication required" })
    const ok = WsClient.training(svc, key)
    await ok.waitFor((f) => f.type === "connection_established")
    ok.close()
    const controlNoKey = WsClient.control(svc)
    expect((await controlNoKey.closed).code).toBe(4001)
  })

  it("heartbeat: ping frames; a client that never answers is closed 1011, one that answers stays", async () => {
    const silent = WsClient.training(svc, key)
    const chatty = WsClient.training(svc, key)
    chatty.ws.on("message", (d) => {
      if (JSON.parse(d.toString()).type === "ping") chatty.send({ type: "pong" })
    })
    const closed = await silent.closed
    expect(closed.code).toBe(1011)
    expect(closed.reason).toMatch(/^Heartbeat timeout: no pong or traffic within 1.5s$/)
    expect(silent.of("ping")[0]).toMatchObject({ type: "ping", ts: expect.any(Number) })
    await sleep(2000)
    expect(chatty.ws.readyState).toBe(chatty.ws.OPEN)
    expect(chatty.of("ping").length).toBeGreaterThan(1)
    chatty.close()
    await chatty.closed
  })

  it("connection caps: the training manager's limit closes the next client with 1013", async () => {
    const clients = [0, 1, 2].map(() => WsClient.training(svc, key))
    for (const c of clients) {
      c.ws.on("message", (d) => JSON.parse(d.toString()).type === "ping" && c.send({ type: "pong" }))
      await c.waitFor((f) => f.type === "connection_established")
    }
    const extra = WsClient.training(svc, key)
    expect(await extra.closed).toMatchObject({ code: 1013 })
    for (const c of clients) c.close()
    await Promise.all(clients.map((c) => c.closed))
  })

  it("control: Origin allowlist (4003), idle close (1000), rate limit with both reply shapes, cooldown (4029)", async () => {
    const wrong = WsClient.control(svc, { ...key, origin: "http://evil.example" })
    expect(await wrong.closed).toMatchObject({ code: 4003 })
    const idle = WsClient.control(svc, { ...key, origin: "http://127.0.0.1:8050" })
    await idle.waitFor((f) => f.type === "connection_established")
    expect(await idle.closed).toMatchObject({ code: 1000 })
    const c = WsClient.control(svc, { ...key, origin: "http://localhost:8050" })
    await c.opened
    for (let i = 0; i < 30; i++) c.send({ command: "stop", command_id: `q${i}` })
    await until(() => c.of("command_response").length === 30, 10_000, "30 answers")
    const limited = c.of("command_response").filter((f) => f.data.status === "rate_limited")
    expect(limited.length).toBeGreaterThanOrEqual(15)
    expect(limited[0]).toMatchObject({ command: "stop", status: "rate_limited", retry_after: 0.1, data: { command: "stop", status: "rate_limited", retry_after: 0.1 } })
    expect(c.of("command_response").filter((f) => f.data.status === "success").length).toBeGreaterThanOrEqual(10)
    c.close()
    for (let i = 0; i < 9; i++) await WsClient.control(svc, { ...key, origin: "http://evil.example" }).closed
    const blocked = WsClient.control(svc, { ...key, origin: "http://localhost:8050" })
    expect(await blocked.closed).toMatchObject({ code: 4029 })
  })

  it("frames above the size threshold arrive as chunks that reassemble into the original frame", async () => {
    const auth = (p: string, m = "GET", b?: unknown) => call(svc, m, p, b, key)
    const w = WsClient.training(svc, key)
    w.ws.on("message", (d) => JSON.parse(d.toString()).type === "ping" && w.send({ type: "pong" }))
    await w.opened
    w.send({ type: "pong" })
    await w.waitFor((f) => f.type === "initial_metrics")
    expect((await auth("/v1/network", "POST", { candidate_pool_size: 2, max_hidden_units: 4, random_seed: 2 })).status).toBe(200)
    expect((await auth("/v1/training/start", "POST", { dataset: { generator: "spiral", params: { n_points_per_spiral: 20 } } })).status).toBe(200)
    await until(async () => (await auth("/v1/training/status")).body.data.state_machine.status === "COMPLETED", 30_000)
    await w.waitFor((f) => f.type === "event" && f.data.event === "training_complete")
    const chunks = w.of("chunked_message")
    expect(chunks.length).toBeGreaterThan(0)
    const byId = new Map<string, Array<any>>()
    for (const c of chunks) byId.set(c.data.chunk_id, [...(byId.get(c.data.chunk_id) ?? []), c])
    const rebuilt = [...byId.values()].map((parts) => JSON.parse(parts.sort((a, b) => a.data.chunk_index - b.data.chunk_index).map((p) => p.data.payload).join("")))
    const lastTopology = rebuilt.filter((f) => f.type === "topology").at(-1)
    expect(lastTopology.data).toEqual((await auth("/v1/network/topology")).body.data)
    for (const c of chunks) expect(c.data.payload.length).toBeLessThanOrEqual(200)
    const seqs = w.broadcasts.map((f) => f.seq)
    expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1)).toBe(true)
    w.close()
  })
})

describe.runIf(built)("auto-start and start-up guards (real processes)", () => {
  it("auto-start with the legacy CASCOR_AUTO_* names: waits for JuniperData, creates the dataset and trains, with WARNINGs", async () => {
    const dataSvc = await startData()
    const svc = await startCascor({
      JUNIPER_DATA_URL: dataSvc.baseUrl,
      CASCOR_AUTO_START: "true",
      JUNIPER_CASCOR_AUTO_DATASET_PARAMS: JSON.stringify({ n_spirals: 2, n_points_per_spiral: 40, noise: 0.1, seed: 42 }),
      CASCOR_AUTO_NETWORK: JSON.stringify({ input_size: 2, output_size: 2, candidate_pool_size: 4, max_hidden_units: 3 })
    })
    try {
      const done = await until(async () => {
        const s = await status(svc)
        return ["STARTED", "COMPLETED"].includes(s.state_machine.status) ? s : undefined
      }, 60_000, "auto-started")
      expect(done.network_loaded).toBe(true)
      const ds = await data(svc, "GET", "/v1/dataset")
      expect(ds.source).toMatchObject({ type: "juniper-data", dataset_id: expect.stringMatching(/^spiral-/) })
      expect((await data(svc, "GET", "/v1/network")).candidate_pool_size).toBe(4)
      expect(svc.output()).toMatch(/auto-start is ON/)
      expect(svc.output()).toMatch(/CASCOR_AUTO_START is deprecated; use JUNIPER_CASCOR_AUTO_START/)
      expect((await data(svc, "GET", "/v1/workers")).workers[0]).toMatchObject({ kind: "local", worker_id: expect.stringMatching(/^local-/) })
    } finally {
      await svc.stop()
      await dataSvc.stop()
    }
  }, 90_000)

  it("auto-start loop (the npm start demo): a COMPLETED run is followed by a fresh one; a stopped run is left alone", async () => {
    const dataSvc = await startData()
    const svc = await startCascor({
      JUNIPER_DATA_URL: dataSvc.baseUrl,
      JUNIPER_CASCOR_AUTO_START: "true",
      JUNIPER_CASCOR_AUTO_START_LOOP_SEC: "0.5",
      JUNIPER_CASCOR_AUTO_DATASET_PARAMS: JSON.stringify({ n_spirals: 2, n_points_per_spiral: 30, noise: 0.1, seed: 3 }),
      JUNIPER_CASCOR_AUTO_NETWORK: JSON.stringify({ candidate_pool_size: 4, max_hidden_units: 2 })
    })
    try {
      await until(async () => (/auto-start loop: the demo run completed/.test(svc.output()) ? true : undefined), 60_000, "a second run")
      const runs = () => (svc.output().match(/auto-start loop: the demo run completed/g) ?? []).length
      await until(async () => (runs() >= 2 ? true : undefined), 60_000, "a third run")
      await until(async () => ((await status(svc)).state_machine.status === "STARTED" ? true : undefined), 30_000, "training again")
      await data(svc, "POST", "/v1/training/stop")
      const after = runs()
      await new Promise((r) => setTimeout(r, 1500))
      expect((await status(svc)).state_machine.status).toBe("STOPPED")
      expect(runs()).toBe(after)
    } finally {
      await svc.stop()
      await dataSvc.stop()
    }
  }, 150_000)

  it("refuses a non-loopback bind without an attestation, and REQUIRE_AUTH without keys (exit 78)", async () => {
    for (const env of [{ JUNIPER_CASCOR_HOST: "0.0.0.0" }, { JUNIPER_CASCOR_REQUIRE_AUTH: "true" }]) {
      const err = await startService(cascorEntry, { JUNIPER_CASCOR_PORT: "0", ...env }, { timeoutMs: 20_000 }).then(
        () => null,
        (e: Error) => e.message
      )
      expect(err).toMatch(/exited with 78/)
      expect(err).toMatch(env.JUNIPER_CASCOR_HOST ? /JUNIPER_CASCOR_HOST: refusing to bind the non-loopback host 0.0.0.0/ : /JUNIPER_CASCOR_REQUIRE_AUTH/)
    }
    const attested = await startCascor({ JUNIPER_CASCOR_HOST: "0.0.0.0", JUNIPER_CASCOR_LOOPBACK_PUBLISH_ATTESTED: "true" })
    expect((await call(`http://127.0.0.1:${attested.port}`, "GET", "/v1/health")).status).toBe(200)
    await attested.stop()
  }, 60_000)
})
