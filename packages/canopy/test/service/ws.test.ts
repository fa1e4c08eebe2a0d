// The two sockets against a real `node dist/canopy` (demo backend): /ws/training (greeting order, Canopy's own seq,
// resume and its failures, subscribe_metrics, ping/pong, heartbeat, size limit, Origin and connection caps,
// server_shutdown) and /ws/control (CSRF first frame, commands, legacy duplicates, every kind of bad input).
// Plus the API-key posture on REST and on the sockets.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { canopyBuilt, get, post, type ServiceProcess, sleep, startCanopy, until, WsClient, wsUrl } from "./helpers.js"

const BROADCAST = new Set(["state", "metrics", "topology", "cascade_add", "candidate_progress", "event", "control_ack", "params_updated", "chunked_message", "initial_metrics"])

describe.runIf(canopyBuilt)("Canopy sockets (demo backend)", () => {
  let svc: ServiceProcess
  let base: string
  beforeAll(async () => {
    svc = await startCanopy({
      JUNIPER_CANOPY_BACKEND: "demo",
      JUNIPER_CANOPY_WEBSOCKET__MAX_CONNECTIONS_PER_IP: "4",
      JUNIPER_CANOPY_WEBSOCKET__HEARTBEAT_INTERVAL: "1",
      JUNIPER_CANOPY_WS_CONTROL_AUTH_TIMEOUT: "1",
      // Long enough that "at once" (below) and "after the window" stay apart on a loaded machine.
      JUNIPER_CANOPY_WEBSOCKET__RESUME_WINDOW_MS: "4000"
    })
    base = svc.baseUrl
    await until(async () => (await get(base, "/api/metrics")).status === 200, 60_000, "first metrics")
  })
  afterAll(async () => {
    await svc?.stop()
  })

  it("greets in the contract's order (after the resume window when the client says nothing), then relays broadcasts with Canopy's own increasing seq", async () => {
    const c = await WsClient.open(wsUrl(base, "/ws/training"))
    await sleep(800)
    expect(c.types()).toEqual(["connection_established"]) // waiting for a possible resume
    await c.next((f) => f.type === "metrics")
    const t = c.types()
    expect(t.slice(0, 4)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    const hello = c.frames[0].data
    expect(hello).toMatchObject({ server_instance_id: expect.any(String), replay_buffer_capacity: 1024, mode: "demo" })
    expect(c.frames[1].data).toHaveProperty("fsm_status")
    const im = c.frames[3].data
    expect(im.metrics.length).toBeLessThanOrEqual(100)
    expect(im.metrics[0]).toHaveProperty("network_topology")
    await sleep(1500)
    const numbered = c.frames.filter((f) => BROADCAST.has(f.type) && f.seq !== undefined)
    expect(numbered.length).toBeGreaterThan(3)
    for (const f of numbered) expect(f.server_instance_id).toBe(hello.server_instance_id)
    const seqs = numbered.map((f) => f.seq)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1)
    expect(seqs[0]).toBe(im.current_seq + 1)
    const m = numbered.find((f) => f.type === "metrics").data
    expect(m).toHaveProperty("train_loss")
    expect(m).toHaveProperty("metrics")
    // Heartbeat pings (1 s here) carry `ts`; a ping from the client gets a pong.
    const ping = await c.next((f) => f.type === "ping")
    expect(typeof ping.ts).toBe("number")
    c.send({ type: "ping" })
    await c.next((f) => f.type === "pong")
    c.close()
  })

  it("resumes from the replay buffer without a gap, and says why when it cannot", async () => {
    const a = await WsClient.open(wsUrl(base, "/ws/training"))
    await a.next((f) => f.type === "metrics" && f.seq !== undefined)
    const instance = a.frames[0].data.server_instance_id
    const lastSeq = Math.max(...a.frames.filter((f) => f.seq !== undefined).map((f) => f.seq))
    a.close()
    await sleep(800)
    const b = await WsClient.open(wsUrl(base, "/ws/training"))
    b.send({ type: "resume", data: { last_seq: lastSeq, server_instance_id: instance } })
    const ok = await b.next((f) => f.type === "resume_ok")
    expect(ok.data.replayed_count).toBeGreaterThan(0)
    await sleep(500)
    expect(b.types()).not.toContain("initial_status")
    const seqs = b.frames.filter((f) => f.seq !== undefined).map((f) => f.seq)
    expect(seqs[0]).toBe(lastSeq + 1)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1)
    b.close()

    for (const [data, reason] of [
      [{ last_seq: 1, server_instance_id: "another-instance" }, "server_restarted"],
      [{ last_seq: 10_000_000, server_instance_id: instance }, "out_of_range"],
      [{ last_seq: "x" }, "malformed_resume"]
    ] as const) {
      const c = await WsClient.open(wsUrl(base, "/ws/training"))
      c.send({ type: "resume", data })
      expect((await c.next((f) => f.type === "resume_failed")).data.reason).toBe(reason)
      await c.next((f) => f.type === "initial_metrics") // then a fresh connect
      c.close()
    }
  })

  it("starts at once on a non-resume first frame, answers subscribe_metrics, ignores unknown frames and refuses oversized ones without closing", async () => {
    const c = await WsClient.open(wsUrl(base, "/ws/training"))
    c.send({ type: "subscribe_metrics", data: { max_count: 3 } })
    await c.next((f) => f.type === "initial_metrics", 3000) // well before the 4 s resume window ends
    expect(c.types().slice(0, 4)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    const from = c.frames.length
    c.send({ type: "subscribe_metrics", data: { max_count: 5 } })
    const im = await c.next((f) => f.type === "initial_metrics", 10_000, from)
    expect(im.data.metrics.length).toBeLessThanOrEqual(5)
    c.send({ type: "what_is_this" })
    c.send("not json at all")
    c.send({ type: "ping", pad: "x".repeat(5000) })
    const err = await c.next((f) => f.type === "error", 10_000, from)
    expect(err.data.code).toBe("frame_too_large")
    const before = c.frames.length
    c.send({ type: "ping" })
    await c.next((f) => f.type === "pong", 10_000, before)
    c.close()
  })

  it("closes a disallowed Origin with 4003 and the connection over the per-IP cap with 1013", async () => {
    const evil = await WsClient.open(wsUrl(base, "/ws/training"), { origin: "http://evil.example" })
    expect((await evil.closed).code).toBe(4003)
    const ok = await WsClient.open(wsUrl(base, "/ws/training"), { origin: "http://localhost:8050" })
    await ok.next((f) => f.type === "connection_established")
    const more = await Promise.all([0, 1, 2].map(() => WsClient.open(wsUrl(base, "/ws/training"))))
    const over = await WsClient.open(wsUrl(base, "/ws/training"))
    expect((await over.closed).code).toBe(1013)
    for (const c of [ok, ...more]) c.close()
    await until(async () => (await get(base, "/v1/health")).body.active_connections === 0, 20_000, "connections released")
    const again = await WsClient.open(wsUrl(base, "/ws/training"))
    await again.next((f) => f.type === "connection_established")
    again.close()
  })

  it("/ws/control: a late, missing or forged CSRF first frame closes with 1008", async () => {
    const silent = await WsClient.open(wsUrl(base, "/ws/control"))
    expect((await silent.closed).code).toBe(1008)
    const forged = await WsClient.open(wsUrl(base, "/ws/control"))
    forged.send({ type: "auth", csrf_token: "forged.token" })
    expect((await forged.closed).code).toBe(1008)
    const wrongFirst = await WsClient.open(wsUrl(base, "/ws/control"))
    wrongFirst.send({ command: "stop" })
    expect((await wrongFirst.closed).code).toBe(1008)
  })

  it("/ws/control: runs commands with one command_response each (legacy duplicates included) and refuses bad ones", async () => {
    const token = (await get(base, "/api/csrf")).body.csrf_token
    const c = await WsClient.open(wsUrl(base, "/ws/control"), { origin: "http://localhost:8050" })
    c.send({ type: "auth", csrf_token: token })
    await c.next((f) => f.type === "auth_ok")
    const ask = async (msg: unknown) => {
      const from = c.frames.length
      c.send(msg)
      return c.next((f) => f.type === "command_response", 15_000, from)
    }
    const stop = await ask({ command: "stop", command_id: "c1" })
    expect(stop).toMatchObject({ ok: true, command: "stop", command_id: "c1", data: { command: "stop", status: "success", command_id: "c1" } })
    expect(stop.state).toHaveProperty("fsm_status")
    const pause = await ask({ type: "command", command: "pause", command_id: "c2" })
    expect(pause).toMatchObject({ ok: false, command: "pause", data: { status: "error", code: "command_failed" } })
    expect(pause.error).toMatch(/paused/)
    const start = await ask({ type: "command", command: "start", reset: true, command_id: "c3" })
    expect(start.ok).toBe(true)
    await until(async () => (await get(base, "/api/status")).body.is_training, 20_000, "training")
    const sp = await ask({ command: "set_params", params: { cn_pool_size: 20 }, command_id: "c4" })
    expect(sp.ok).toBe(true)
    expect(sp.data.result.applied).toContain("cn_pool_size")
    expect(await ask({ command: "set_params", params: { nn_learning_rate: "fast" } })).toMatchObject({ ok: false, data: { code: "invalid_params" } })
    expect(await ask({ command: "set_params", params: 3 })).toMatchObject({ ok: false, data: { code: "invalid_params" } })
    expect(await ask({ command: "launch" })).toMatchObject({ ok: false, data: { code: "unknown_command" } })
    expect(await ask({ command_id: "x" })).toMatchObject({ ok: false, data: { code: "invalid_message" } })
    expect(await ask({ command: "start", reset: "yes" })).toMatchObject({ ok: false, data: { code: "invalid_params" } })
    expect(await ask([1, 2])).toMatchObject({ ok: false, data: { code: "invalid_message" } })
    expect(await ask({ command: "stop", params: "x".repeat(70_000) })).toMatchObject({ ok: false, data: { code: "frame_too_large" } })
    // Resuming a running run is answered as JuniperCascor's session answers it (idempotent); the run goes on.
    expect((await ask({ command: "resume", command_id: "c9" })).command_id).toBe("c9")
    expect((await get(base, "/api/status")).body.fsm_status).toBe("STARTED")
    const bad = await ask("{not json")
    expect(bad.data.code).toBe("invalid_message")
    expect((await c.closed).code).toBe(1003)
    expect((await get(base, "/v1/health/live")).status).toBe(200)
  })
})

describe.runIf(canopyBuilt)("Canopy with an API key", () => {
  let svc: ServiceProcess
  let base: string
  beforeAll(async () => {
    svc = await startCanopy({ JUNIPER_CANOPY_BACKEND: "demo", JUNIPER_CANOPY_API_KEY: "s3cret", JUNIPER_CANOPY_REQUIRE_AUTH: "true" })
    base = svc.baseUrl
  })
  afterAll(async () => {
    await svc?.stop()
  })

  it("requires the key on the API, not on probes or the page; control takes the key or Origin + CSRF", async () => {
    expect((await get(base, "/api/status")).status).toBe(401)
    expect((await get(base, "/api/status", { "x-api-key": "wrong" })).status).toBe(401)
    expect((await get(base, "/api/status", { "x-api-key": "s3cret" })).status).toBe(200)
    expect((await get(base, "/v1/health")).status).toBe(200)
    expect((await get(base, "/health")).status).toBe(200)
    expect((await get(base, "/dashboard/")).status).toBe(200)
    expect((await post(base, "/api/train/stop")).status).toBe(403)
    expect((await post(base, "/api/train/stop", undefined, { "x-api-key": "s3cret" })).status).toBe(200)
    const token = (await get(base, "/api/csrf")).body.csrf_token
    expect((await post(base, "/api/train/start", undefined, { origin: "http://localhost:8050", "x-csrf-token": token })).status).toBe(200)
  })

  it("closes a socket that presents a wrong key (4001), admits keyless browsers, and says server_shutdown on SIGTERM", async () => {
    const wrong = await WsClient.open(wsUrl(base, "/ws/training"), { "x-api-key": "nope" })
    expect((await wrong.closed).code).toBe(4001)
    const browser = await WsClient.open(wsUrl(base, "/ws/training"))
    await browser.next((f) => f.type === "initial_metrics")
    const code = svc.stop()
    await browser.next((f) => f.type === "server_shutdown", 10_000)
    expect((await browser.closed).code).toBe(1001)
    expect(await code).toBe(0)
  })
})
