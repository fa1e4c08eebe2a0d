// Metrics clear / undo (M3, M4) and the transport counters (M5) on a real process: a clear sets the history aside
// while training goes on, an undo brings it back in front of the rows recorded since; nothing to undo is a 409;
// reset drops the undo. The transport counters agree with what a /ws/training client received and with the
// connections actually open; REST and RPC give the same answers.
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CascorRpcClient, layerCascorRpcClient } from "../../src/rpc/client.js"
import { built, call, data, expectEnvelope, inline, type ServiceProcess, startCascor, status, until, WsClient } from "./helpers.js"

const NETWORK = { candidate_pool_size: 4, max_hidden_units: 40, candidate_epochs: 60, output_epochs: 60, random_seed: 11 }

describe.runIf(built)("metrics clear/undo and transport counters (real process)", () => {
  let svc: ServiceProcess
  beforeAll(async () => {
    // Paced (0.25 s per growth step) so that rows arrive one by one while the test pauses, clears and resumes.
    svc = await startCascor({ JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: "0.25" })
  })
  afterAll(async () => {
    await svc?.stop()
  })
  const history = async (): Promise<Array<any>> => (await data(svc, "GET", "/v1/metrics/history")).metrics
  const fsm = async () => (await status(svc)).state_machine.status

  it("clear sets the history aside while training goes on; undo restores it in front; nothing to undo → 409; reset drops the undo", async () => {
    const none = await call(svc, "POST", "/v1/training/metrics/clear/undo")
    expectEnvelope(none, 409, "CONFLICT")
    expect(none.body.error.message).toMatch(/Nothing to undo/)
    // A clear with nothing recorded yet is fine (and undoable).
    expect(await data(svc, "POST", "/v1/training/metrics/clear")).toEqual({ status: "cleared", cleared_count: 0, undo_available: true })
    expect(await data(svc, "POST", "/v1/training/metrics/clear/undo")).toEqual({ status: "restored", restored_count: 0, undo_available: false })

    await data(svc, "POST", "/v1/network", NETWORK)
    await data(svc, "POST", "/v1/training/start", { inline_data: inline(60) })
    await until(async () => (await history()).length >= 3, 60_000, "three rows")
    await data(svc, "POST", "/v1/training/pause")
    await until(async () => (await fsm()) === "PAUSED", 30_000, "paused")
    const before = await history()

    expect(await data(svc, "POST", "/v1/training/metrics/clear")).toEqual({ status: "cleared", cleared_count: before.length, undo_available: true })
    expect(await history()).toEqual([])
    expect((await status(svc)).metrics_clear_undo_available).toBe(true)
    expectEnvelope(await call(svc, "GET", "/v1/metrics"), 404, "NOT_FOUND")

    // Training goes on and records new rows only.
    await data(svc, "POST", "/v1/training/resume")
    await until(async () => (await history()).length >= 2 || ["COMPLETED", "FAILED"].includes(await fsm()), 60_000, "new rows")
    if ((await fsm()) === "STARTED") {
      await data(svc, "POST", "/v1/training/pause")
      await until(async () => (await fsm()) === "PAUSED", 30_000, "paused again")
    }
    const since = await history()
    expect(since.length).toBeGreaterThanOrEqual(1)
    for (const r of since) expect(r.timestamp > before.at(-1).timestamp).toBe(true)

    expect(await data(svc, "POST", "/v1/training/metrics/clear/undo")).toEqual({ status: "restored", restored_count: before.length, undo_available: false })
    expect(await history()).toEqual([...before, ...since])
    expect((await status(svc)).metrics_clear_undo_available).toBe(false)
    expect((await data(svc, "GET", "/v1/metrics")).timestamp).toBe(since.at(-1).timestamp)
    expectEnvelope(await call(svc, "POST", "/v1/training/metrics/clear/undo"), 409, "CONFLICT")

    // A reset forgets what a clear set aside.
    await data(svc, "POST", "/v1/training/metrics/clear")
    await data(svc, "POST", "/v1/training/reset")
    expect((await status(svc)).metrics_clear_undo_available).toBe(false)
    expectEnvelope(await call(svc, "POST", "/v1/training/metrics/clear/undo"), 409, "CONFLICT")
  }, 120_000)

  it("transport counters: broadcast frames by type, open connections by endpoint, replay ring; REST equals RPC", async () => {
    const watcher = WsClient.training(svc)
    const control = WsClient.control(svc)
    await Promise.all([watcher.opened, control.opened])
    watcher.send({ type: "pong" }) // not a resume: fresh connect at once
    await watcher.waitFor((f) => f.type === "initial_metrics")
    // A broadcast the watcher sees: a state frame from a start.
    await data(svc, "POST", "/v1/training/start", { inline_data: inline(60) })
    await watcher.waitFor((f) => f.type === "state" && typeof f.seq === "number")
    await data(svc, "POST", "/v1/training/stop")
    await until(async () => ["STOPPED", "COMPLETED"].includes(await fsm()), 30_000, "stopped")

    // Quiescent: the stop's last frames are out (two reads 300 ms apart agree).
    const t = await until(
      async () => {
        const a = await data(svc, "GET", "/v1/metrics/transport")
        await new Promise((r) => setTimeout(r, 300))
        const b = await data(svc, "GET", "/v1/metrics/transport")
        return a.current_seq === b.current_seq ? b : undefined
      },
      20_000,
      "no more broadcasts"
    )
    expect(t.connections).toEqual({ training: 1, control: 1, total: 2 })
    expect(t.subscribers).toBe(1)
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0)
    expect(t.total_messages).toBe(sum(t.messages_by_type))
    expect(t.total_bytes).toBe(sum(t.bytes_by_type))
    expect(Object.keys(t.bytes_by_type).sort()).toEqual(Object.keys(t.messages_by_type).sort())
    // Every broadcast is counted once: the counters reach the instance's seq, and the ring holds the newest frames.
    expect(t.total_messages).toBe(t.current_seq)
    expect(t.replay_buffer).toEqual({ occupancy: Math.min(t.current_seq, 1024), capacity: 1024 })
    expect(t.server_instance_id).toBe(watcher.of("connection_established")[0].data.server_instance_id)
    // What the watcher received since it went live is part of what was counted, type by type.
    await until(() => watcher.lastSeq >= t.current_seq || undefined, 10_000, "the watcher to catch up")
    const seen: Record<string, number> = {}
    for (const f of watcher.broadcasts.filter((f) => f.seq <= t.current_seq)) seen[f.type] = (seen[f.type] ?? 0) + 1
    for (const [type, n] of Object.entries(seen)) expect(t.messages_by_type[type]).toBeGreaterThanOrEqual(n)
    expect(seen["state"]).toBeGreaterThanOrEqual(1)

    const viaRpc = await Effect.runPromise(
      Effect.flatMap(CascorRpcClient, (rpc) => rpc.GetTransportMetrics()).pipe(Effect.provide(layerCascorRpcClient(`${svc.baseUrl}/rpc`, "http")))
    )
    expect({ ...viaRpc, connections: null }).toEqual({ ...t, connections: null })
    expect(viaRpc.connections.control).toBe(1)

    watcher.close()
    control.close()
    await Promise.all([watcher.closed, control.closed])
    await until(async () => (await data(svc, "GET", "/v1/metrics/transport")).connections.total === 0 || undefined, 10_000, "connections released")
    expect((await data(svc, "GET", "/v1/metrics/transport")).subscribers).toBe(0)
  }, 60_000)
})
