// JuniperCascor end to end: real `node dist/data` and `node dist/cascor` processes on 127.0.0.1. A spiral from
// JuniperData, a network, training with /ws/training frames (strictly increasing seq), pause / resume / stop,
// topology and decision boundary consistent with the network, resume of a reconnecting client from its last seq.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { predict } from "../../src/engine/network.js"
import { built, call, data, networkOfTopology, type ServiceProcess, sleep, startCascor, startData, status, until, WsClient } from "./helpers.js"

/** Long enough to pause (TS kernels, a noisy spiral that is not learnt quickly). */
const NETWORK = { candidate_pool_size: 8, max_hidden_units: 25, candidate_epochs: 150, output_epochs: 150, patience: 150, candidate_patience: 150, random_seed: 7 }
const DATASET = { generator: "spiral", params: { n_points_per_spiral: 150, noise: 0.4, seed: 3 } }

describe.runIf(built)("JuniperCascor with JuniperData (real processes)", () => {
  let dataSvc: ServiceProcess
  let svc: ServiceProcess
  beforeAll(async () => {
    dataSvc = await startData()
    svc = await startCascor({ JUNIPER_DATA_URL: dataSvc.baseUrl })
  })
  afterAll(async () => {
    await svc?.stop()
    await dataSvc?.stop()
  })

  it("health trio is bare; readiness sees JuniperData; details name the network and the FSM", async () => {
    expect((await call(svc, "GET", "/v1/health")).body).toMatchObject({ status: "ok", service: "juniper-cascor" })
    expect((await call(svc, "GET", "/v1/health/live")).body).toMatchObject({ status: "alive" })
    const ready = await call(svc, "GET", "/v1/health/ready")
    expect(ready.status).toBe(200)
    expect(ready.body).toMatchObject({
      status: "ready",
      dependencies: { juniper_data: { name: "JuniperData Service", status: "healthy", message: dataSvc.baseUrl } },
      details: { network_loaded: false, training_state: "STOPPED" }
    })
  })

  it("trains on a JuniperData spiral: frames with increasing seq, pause/resume/stop, views consistent with the network, resume by seq", async () => {
    const watcher = WsClient.training(svc)
    const early = WsClient.training(svc)
    await Promise.all([watcher.opened, early.opened])
    // The greeting comes first; any first frame other than `resume` asks for a fresh connect at once.
    const hello = await watcher.waitFor((f) => f.type === "connection_established")
    expect(hello.data).toMatchObject({ replay_buffer_capacity: 1024, server_instance_id: expect.any(String) })
    watcher.send({ type: "pong" })
    await watcher.waitFor((f) => f.type === "initial_metrics")
    expect(watcher.frames.slice(0, 4).map((f) => f.type)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    await early.waitFor((f) => f.type === "initial_metrics") // fresh connect after the resume window

    const net = await data(svc, "POST", "/v1/network", NETWORK)
    expect(net).toMatchObject({ input_size: 2, output_size: 2, hidden_units: 0, candidate_pool_size: 8, algorithm: "fahlman", backend: "ts" })
    expect(await data(svc, "POST", "/v1/training/start", { dataset: DATASET })).toMatchObject({ status: "training_started" })
    expect(await data(svc, "POST", "/v1/training/pause")).toEqual({ status: "paused" })
    const paused = await status(svc)
    expect(paused.state_machine.status).toBe("PAUSED")
    const dataset = await data(svc, "GET", "/v1/dataset")
    expect(dataset).toMatchObject({ loaded: true, train_samples: 240, test_samples: 60, input_features: 2, output_features: 2 })
    expect(dataset.source).toMatchObject({ type: "juniper-data", generator: "spiral", dataset_id: expect.stringMatching(/^spiral-/) })
    // A repeated pause is idempotent: same answer, still paused.
    expect(await data(svc, "POST", "/v1/training/pause")).toEqual({ status: "paused" })
    expect((await status(svc)).state_machine.status).toBe("PAUSED")
    await sleep(300)
    const frozen = (await status(svc)).training_state.current_step
    await sleep(300)
    expect((await status(svc)).training_state.current_step).toBe(frozen)
    expect(await data(svc, "POST", "/v1/training/resume")).toEqual({ status: "resumed" })

    // The early client leaves after a while; it will resume from its last seq later.
    await early.waitFor((f) => f.type === "cascade_add", 60_000, "first cascade_add (early)")
    const earlyLast = early.lastSeq
    const instance = early.frames[0].data.server_instance_id
    early.close()
    await watcher.waitFor((f) => f.type === "cascade_add" && f.data.total_hidden_units >= 3, 120_000, "three installs")
    const stop = await data(svc, "POST", "/v1/training/stop")
    expect(stop).toMatchObject({ status: "stop_requested", stopped: true })
    await until(async () => (await status(svc)).state_machine.phase === "IDLE", 30_000, "idle")
    const st = await status(svc)
    expect(st.state_machine.status).toBe("STOPPED")
    await watcher.waitFor((f) => f.type === "event" && f.data.event === "training_stopped", 10_000, "training_stopped")

    // Frames: every kind, strictly increasing seq, state transitions present.
    const b = watcher.broadcasts
    const seqs = b.map((f) => f.seq)
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true)
    const types = new Set(b.map((f) => f.type))
    for (const t of ["metrics", "cascade_add", "state", "topology", "candidate_progress", "event"]) expect(types.has(t)).toBe(true)
    expect(watcher.of("state").some((f) => f.data.status === "Paused")).toBe(true)
    const stepRows = watcher.of("metrics").filter((f) => f.data.kind === "training_step")
    expect(stepRows.length).toBe(st.current_epoch)
    for (const f of b) expect(f).toMatchObject({ timestamp: expect.any(Number), emitted_at_monotonic: expect.any(Number) })

    // Views agree with the network.
    const info = await data(svc, "GET", "/v1/network")
    const topo = await data(svc, "GET", "/v1/network/topology")
    const stats = await data(svc, "GET", "/v1/network/stats")
    expect(topo.hidden_units.length).toBe(info.hidden_units)
    expect(stats.total_hidden_units).toBe(info.hidden_units)
    expect(st.monitor.current_hidden_units).toBe(info.hidden_units)
    expect(watcher.of("cascade_add").length).toBe(info.hidden_units)
    const lastTopology = watcher.of("topology").at(-1)
    expect(lastTopology.data).toEqual(topo)
    const boundary = await data(svc, "GET", "/v1/decision-boundary?resolution=40")
    expect(boundary.resolution).toBe(40)
    const engineNet = networkOfTopology(topo)
    const points: Array<number> = []
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) points.push(boundary.grid_x[i][j], boundary.grid_y[i][j])
    const out = predict(engineNet, points)
    let same = 0
    for (let p = 0; p < 1600; p++) if (boundary.predictions[Math.floor(p / 40)][p % 40] === (out[2 * p + 1]! > out[2 * p]! ? 1 : 0)) same++
    expect(same).toBe(1600)
    const xs = (await data(svc, "GET", "/v1/dataset/data")).X_train.map((r: Array<number>) => r[0])
    expect(boundary.x_range[0]).toBeCloseTo(Math.min(...xs) - 0.5, 6)
    expect(boundary.x_range[1]).toBeCloseTo(Math.max(...xs) + 0.5, 6)
    const metrics = await data(svc, "GET", "/v1/metrics")
    expect(metrics).toMatchObject({ kind: "training_step", epoch: st.current_epoch, eval_metrics: { split: "validation", average: "macro" } })
    const history = await data(svc, "GET", "/v1/metrics/history?count=3")
    expect(history.metrics.length).toBe(3)

    // Reconnect with the last seq: exactly the frames missed since, in order, then live.
    const again = WsClient.training(svc)
    await again.opened
    again.send({ type: "resume", data: { last_seq: earlyLast, server_instance_id: instance } })
    const ok = await again.waitFor((f) => f.type === "resume_ok")
    const missed = watcher.broadcasts.filter((f) => f.seq > earlyLast)
    expect(ok.data.replayed_count).toBe(missed.length)
    await until(() => again.broadcasts.length >= missed.length, 10_000, "replay")
    expect(again.broadcasts.map((f) => f.seq)).toEqual(missed.map((f) => f.seq))
    expect(again.broadcasts).toEqual(missed)
    expect(again.of("initial_status")).toEqual([])
    // A live frame after the replay continues the sequence.
    await data(svc, "PATCH", "/v1/training/params", { learning_rate: 0.3 })
    const live = await again.waitFor((f) => f.type === "state" && f.seq > watcher.lastSeq - 1 && f.data.learning_rate === 0.3, 30_000, "live state")
    expect(live.seq).toBeGreaterThan(missed.at(-1).seq)
    again.close()

    // Resume failures fall back to a fresh connect.
    const wrong = WsClient.training(svc)
    await wrong.opened
    wrong.send({ type: "resume", data: { last_seq: 1, server_instance_id: "another-instance" } })
    expect((await wrong.waitFor((f) => f.type === "resume_failed")).data.reason).toBe("server_restarted")
    await wrong.waitFor((f) => f.type === "initial_metrics")
    wrong.close()
    const future = WsClient.training(svc)
    await future.opened
    future.send({ type: "resume", data: { last_seq: 10 ** 9, server_instance_id: instance } })
    expect((await future.waitFor((f) => f.type === "resume_failed")).data.reason).toBe("out_of_range")
    future.send({ type: "subscribe_metrics", data: { max_count: 2 } })
    await until(() => future.of("initial_metrics").length === 2, 30_000, "subscribe_metrics")
    expect(future.of("initial_metrics")[1].data.metrics.length).toBe(2)
    future.close()
    watcher.close()
  }, 240_000)

  it("the control channel drives the same session: command_id → command_response", async () => {
    await data(svc, "POST", "/v1/training/reset")
    const c = WsClient.control(svc)
    await c.opened
    expect((await c.waitFor((f) => f.type === "connection_established")).data.channel).toBe("control")
    c.send({ type: "command", command: "start", command_id: "s1", params: { dataset: DATASET } })
    expect((await c.response("s1")).data).toMatchObject({ command: "start", status: "success", result: { status: "training_started" } })
    c.send({ type: "command", command: "pause", command_id: "p1" })
    expect((await c.response("p1")).data).toMatchObject({ status: "success", result: { status: "paused" } })
    c.send({ command: "pause", command_id: "p2" })
    // Repeated commands are idempotent.
    expect((await c.response("p2")).data).toMatchObject({ status: "success", result: { status: "paused" } })
    c.send({ command: "set_params", command_id: "sp", params: { candidate_epochs: 60, epochs_max: 3 } })
    expect((await c.response("sp")).data.result).toMatchObject({ applied: ["candidate_epochs"], skipped: [{ key: "epochs_max", reason: "not-updatable" }] })
    c.send({ command: "resume", command_id: "r1" })
    expect((await c.response("r1")).data.status).toBe("success")
    c.send({ command: "stop", command_id: "x1" })
    expect((await c.response("x1")).data.result).toMatchObject({ status: "stop_requested", stopped: true })
    c.send({ command: "reset", command_id: "z1" })
    expect((await c.response("z1")).data.result).toEqual({ status: "reset" })
    c.close()
  }, 60_000)
})
