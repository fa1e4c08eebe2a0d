// Network editing (E1–E3) and snapshot resume/retrain (R1, R2) through real HTTP on a `node dist/cascor` process:
// a run paused and saved mid-run, restored (INVESTIGATING), edited (topology, decision boundary and a `topology`
// frame follow), every error status of the routes, then a start that trains on; resume (RESUME_READY) continues to
// the same network as an uninterrupted run with the same seed; retrain (STOPPED) clears the history and trains again.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { built, call, data, expectEnvelope, inline, type ServiceProcess, startCascor, status, until, WsClient } from "./helpers.js"

const NETWORK = { candidate_pool_size: 3, max_hidden_units: 8, candidate_epochs: 30, output_epochs: 30, random_seed: 7 }
const DATA = { inline_data: inline(40) }

describe.runIf(built)("network editing and snapshot resume/retrain (real process)", () => {
  let svc: ServiceProcess
  let snapshotId = ""
  let atSave: any
  beforeAll(async () => {
    // Paced (candidate phases ≥ 0.5 s apart; the results do not change): a run of 8 units takes seconds, so a pause
    // after the first unit lands mid-run on any machine.
    svc = await startCascor({ JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: "0.5" })
  })
  afterAll(async () => {
    await svc?.stop()
  })
  const fsm = async () => (await status(svc)).state_machine.status
  const topology = () => data(svc, "GET", "/v1/network/topology")
  const boundary = () => data(svc, "GET", "/v1/decision-boundary?resolution=20")

  it("a snapshot mid-run; edits are 409 unless INVESTIGATING", async () => {
    await data(svc, "POST", "/v1/network", NETWORK)
    await data(svc, "POST", "/v1/training/start", DATA)
    await until(async () => (await status(svc)).monitor.current_hidden_units >= 1 || undefined, 60_000, "a first unit")
    await data(svc, "POST", "/v1/training/pause")
    const paused = await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "bias", values: [0, 0] })
    expectEnvelope(paused, 409, "CONFLICT")
    expect(paused.body.error.message).toMatch(/Network cannot be edited in the current state \(PAUSED\)/)
    const meta = await data(svc, "POST", "/v1/snapshots", { description: "mid-run" })
    snapshotId = meta.snapshot_id
    atSave = meta
    expect(meta.network.hidden_units).toBeGreaterThanOrEqual(1)
    expect(meta.network.hidden_units).toBeLessThan(NETWORK.max_hidden_units)
    await data(svc, "POST", "/v1/training/stop")
    await until(async () => (await fsm()) === "STOPPED" || undefined, 30_000, "stopped")
    expectEnvelope(await call(svc, "POST", "/v1/network/hidden-units", { weights: [], bias: 0 }), 409, "CONFLICT")
    expectEnvelope(await call(svc, "DELETE", "/v1/network/hidden-units/0"), 409, "CONFLICT")
  }, 120_000)

  it("restore → INVESTIGATING: PATCH weights, POST and DELETE hidden units, with their errors; start trains on", async () => {
    expect(snapshotId).not.toBe("")
    const watcher = WsClient.training(svc)
    await watcher.opened
    watcher.send({ type: "pong" }) // not a resume: fresh connect at once
    await watcher.waitFor((f) => f.type === "initial_metrics")
    expect(await data(svc, "POST", `/v1/snapshots/${snapshotId}/restore`)).toMatchObject({ fsm_state: "INVESTIGATING" })
    const t0 = await topology()
    const H = t0.hidden_units.length
    const I = 2
    expect(H).toBe(atSave.network.hidden_units)

    // E1: the output bias → topology, network info and a `topology` frame.
    const edited = await data(svc, "PATCH", "/v1/network/weights", { target: "output", field: "bias", values: [0.25, -0.5] })
    expect(edited).toMatchObject({ operation: "edit_weights", fsm_state: "INVESTIGATING", input_size: 2, output_size: 2, hidden_units: H, uuid: expect.any(String) })
    const t1 = await topology()
    expect(t1.output_bias).toEqual([0.25, -0.5])
    expect({ ...t1, output_bias: null }).toEqual({ ...t0, output_bias: null })
    const frame = await watcher.waitFor((f) => f.type === "topology" && f.data.output_bias?.[0] === 0.25, 30_000, "the edited topology")
    expect(frame.data).toEqual(t1)
    // A hidden unit's bias.
    await data(svc, "PATCH", "/v1/network/weights", { target: "hidden_unit", field: "bias", hidden_unit_index: 0, values: -1.5 })
    expect((await topology()).hidden_units[0].bias).toBe(-1.5)

    // E1 errors: shape (400 naming the field), missing index (400), unknown unit (404), not finite (422).
    const shape = await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "weights", values: [[1, 0]] })
    expectEnvelope(shape, 400, "VALIDATION_ERROR")
    expect(shape.body.error.message).toMatch(new RegExp(`^values: .*${I + H}×2.*got 1 rows`))
    expect(shape.body.error.detail).toMatch(/^body\.values: /)
    const row = await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "weights", values: Array.from({ length: I + H }, (_, r) => (r === 1 ? [1] : [1, 0])) })
    expectEnvelope(row, 400, "VALIDATION_ERROR")
    expect(row.body.error.message).toMatch(/^values\[1\]: /)
    const noIndex = await call(svc, "PATCH", "/v1/network/weights", { target: "hidden_unit", field: "weights", values: [1, 2] })
    expectEnvelope(noIndex, 400, "VALIDATION_ERROR")
    expect(noIndex.body.error.message).toMatch(/^hidden_unit_index: required/)
    const unknown = await call(svc, "PATCH", "/v1/network/weights", { target: "hidden_unit", field: "bias", hidden_unit_index: H, values: 1 })
    expectEnvelope(unknown, 404, "NOT_FOUND")
    expect(unknown.body.error.message).toMatch(new RegExp(`hidden unit ${H} does not exist`))
    const huge = await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "bias", values: [1e39, 0] })
    expectEnvelope(huge, 422, "VALIDATION_ERROR")
    expect(huge.body.detail[0].loc).toEqual(["body", "values", 0])
    // JSON has no NaN: "NaN" is not a number (422), 1e999 parses as Infinity (422).
    expectEnvelope(await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "bias", values: ["NaN", 0] }), 422, "VALIDATION_ERROR")
    expectEnvelope(await call(svc, "PATCH", "/v1/network/weights", '{"target":"output","field":"bias","values":[1e999,0]}'), 422, "VALIDATION_ERROR")
    expectEnvelope(await call(svc, "PATCH", "/v1/network/weights", { target: "output", field: "bias", values: [0, 0], dtype: "int8" }), 422, "VALIDATION_ERROR")
    expectEnvelope(await call(svc, "PATCH", "/v1/network/weights", { target: "elsewhere", field: "bias", values: [0, 0] }), 422, "VALIDATION_ERROR")
    expect(await topology()).toEqual({ ...t1, hidden_units: t1.hidden_units.map((h: any, k: number) => (k === 0 ? { ...h, bias: -1.5 } : h)) })

    // E2: a unit with a zero output row: the decision boundary is unchanged.
    const before = await topology()
    const b0 = await boundary()
    const weights = Array.from({ length: I + H }, (_, i) => (i % 2 === 0 ? 0.5 : -0.75))
    const added = await data(svc, "POST", "/v1/network/hidden-units", { weights, bias: 0.25, activation: "SymmetricSigmoid", position: "tail" })
    expect(added).toEqual({ unit_index: H, num_hidden_units: H + 1, operation: "add_hidden_unit", fsm_state: "INVESTIGATING" })
    const grown = await topology()
    expect(grown.hidden_units.length).toBe(H + 1)
    expect(grown.hidden_units[H]).toEqual({ id: H, weights, bias: 0.25, activation: "SymmetricSigmoid" })
    expect(grown.output_weights[I + H]).toEqual([0, 0])
    expect((await data(svc, "GET", "/v1/network")).hidden_units).toBe(H + 1)
    expect(await boundary()).toEqual(b0)
    // E2 errors.
    const short = await call(svc, "POST", "/v1/network/hidden-units", { weights: [1], bias: 0 })
    expectEnvelope(short, 400, "VALIDATION_ERROR")
    expect(short.body.error.message).toMatch(/^weights: /)
    const relu = await call(svc, "POST", "/v1/network/hidden-units", { weights: [...weights, 0], bias: 0, activation: "ReLU" })
    expectEnvelope(relu, 422, "VALIDATION_ERROR")
    expect(relu.body.detail[0].loc).toEqual(["body", "activation"])
    expectEnvelope(await call(svc, "POST", "/v1/network/hidden-units", { weights: [...weights, 0], bias: 0, position: "head" }), 400, "VALIDATION_ERROR")
    expectEnvelope(await call(svc, "POST", "/v1/network/hidden-units", { weights: [...weights, 0], bias: 1e40 }), 422, "VALIDATION_ERROR")

    // E3: removing it gives the network back; errors 404 (no such unit) and 400 (not an integer).
    expect(await data(svc, "DELETE", `/v1/network/hidden-units/${H}`)).toEqual({ removed_index: H, num_hidden_units: H, operation: "remove_hidden_unit", fsm_state: "INVESTIGATING" })
    expect(await topology()).toEqual(before)
    expect(await boundary()).toEqual(b0)
    expectEnvelope(await call(svc, "DELETE", `/v1/network/hidden-units/${H}`), 404, "NOT_FOUND")
    const bad = await call(svc, "DELETE", "/v1/network/hidden-units/first")
    expectEnvelope(bad, 400, "VALIDATION_ERROR")
    expect(bad.body.error.message).toMatch(/^idx: /)

    // Start trains the edited network on (STARTED), from where the snapshot was.
    expect(await data(svc, "POST", "/v1/training/start")).toMatchObject({ status: "training_started" })
    expect(["STARTED", "COMPLETED"]).toContain(await fsm())
    const started = await watcher.waitFor((f) => f.type === "event" && f.data.event === "training_started" && f.data.restored === true, 30_000, "training_started")
    expect(started.data.current_epoch).toBe(atSave.current_epoch)
    expectEnvelope(await call(svc, "DELETE", "/v1/network/hidden-units/0"), 409, "CONFLICT")
    await data(svc, "POST", "/v1/training/stop")
    await until(async () => ["STOPPED", "COMPLETED"].includes(await fsm()) || undefined, 30_000, "stopped")
    watcher.close()
  }, 120_000)

  it("resume → RESUME_READY; start continues to the uninterrupted run's network", async () => {
    // The uninterrupted run (same network, seed and data).
    await data(svc, "POST", "/v1/network", NETWORK)
    await data(svc, "POST", "/v1/training/start", { ...DATA, start_fresh: true })
    await until(async () => (await fsm()) === "COMPLETED" || undefined, 120_000, "COMPLETED")
    const full = await topology()
    const fullStatus = await status(svc)

    expectEnvelope(await call(svc, "POST", "/v1/snapshots/unknown_id/resume"), 404, "NOT_FOUND")
    expectEnvelope(await call(svc, "POST", "/v1/snapshots/bad.id/resume"), 400, "VALIDATION_ERROR")
    const r = await data(svc, "POST", `/v1/snapshots/${snapshotId}/resume`)
    expect(r).toMatchObject({ snapshot_id: snapshotId, operation: "resume", status: "ready", resume_point_epoch: atSave.current_epoch, fsm_state: "RESUME_READY" })
    const s = await status(svc)
    expect(s.state_machine.status).toBe("RESUME_READY")
    expect(s.current_epoch).toBe(atSave.current_epoch)
    expect(s.monitor.current_hidden_units).toBe(atSave.network.hidden_units)
    await data(svc, "POST", "/v1/training/start")
    // While it trains, resume and retrain are 409s.
    if ((await fsm()) === "STARTED") {
      expectEnvelope(await call(svc, "POST", `/v1/snapshots/${snapshotId}/resume`), 409, "CONFLICT")
      expectEnvelope(await call(svc, "POST", `/v1/snapshots/${snapshotId}/retrain`), 409, "CONFLICT")
    }
    await until(async () => (await fsm()) === "COMPLETED" || undefined, 120_000, "COMPLETED")
    expect(await topology()).toEqual(full)
    const end = await status(svc)
    expect(end.current_epoch).toBe(fullStatus.current_epoch)
    expect(end.completion_reason).toBe(fullStatus.completion_reason)
  }, 240_000)

  it("retrain → STOPPED with the history cleared; start trains the snapshot's network again", async () => {
    await data(svc, "POST", `/v1/snapshots/${snapshotId}/restore`)
    const snap = await topology()
    expectEnvelope(await call(svc, "POST", "/v1/snapshots/unknown_id/retrain"), 404, "NOT_FOUND")
    const r = await data(svc, "POST", `/v1/snapshots/${snapshotId}/retrain`)
    expect(r).toMatchObject({ snapshot_id: snapshotId, operation: "retrain", status: "ready", fsm_state: "STOPPED", hidden_units: atSave.network.hidden_units })
    const s = await status(svc)
    expect(s.state_machine).toMatchObject({ status: "STOPPED", phase: "IDLE" })
    expect(s.current_epoch).toBe(0)
    expect(s.completion_reason).toBeNull()
    expect((await data(svc, "GET", "/v1/metrics/history")).metrics).toEqual([])
    expectEnvelope(await call(svc, "GET", "/v1/metrics"), 404, "NOT_FOUND")
    expect(await topology()).toEqual(snap)
    // Not INVESTIGATING: no edits.
    expectEnvelope(await call(svc, "DELETE", "/v1/network/hidden-units/0"), 409, "CONFLICT")
    expect(await data(svc, "POST", "/v1/training/start")).toMatchObject({ status: "training_started" })
    await until(async () => (await data(svc, "GET", "/v1/metrics/history")).metrics.some((m: any) => m.kind === "training_step") || undefined, 60_000, "a training step")
    const first = (await data(svc, "GET", "/v1/metrics/history")).metrics.find((m: any) => m.kind === "training_step")
    expect(first.epoch).toBe(1)
    await data(svc, "POST", "/v1/training/stop")
    await until(async () => ["STOPPED", "COMPLETED"].includes(await fsm()) || undefined, 30_000, "stopped")
    // Its frozen units are the snapshot's.
    expect((await topology()).hidden_units.slice(0, snap.hidden_units.length)).toEqual(snap.hidden_units)
  }, 120_000)
})
