// Network editing (E1–E3) and snapshot resume/retrain (R1, R2) on the training session in process (TS kernels):
// edits only while INVESTIGATING, their 400/404/409/422, views and frames that follow the edit, an added unit that
// changes no prediction, a start that trains the edited network; resume continues exactly (RESUME_READY), retrain
// starts again from the snapshot's network with the history cleared (STOPPED). A network without data is edited on
// its placeholder run and carried onto the data at start.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Kernels } from "../../src/engine/kernel.js"
import { predict } from "../../src/engine/network.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import type { SessionError } from "../../src/session/errors.js"
import type { TrainingSession } from "../../src/session/session.js"
import { eventually, inlineSpiral, makeTestSession, tempDir } from "./helpers.js"

const failure = <A>(e: Effect.Effect<A, SessionError>) =>
  Effect.flatMap(Effect.exit(e), (x) => (Exit.isFailure(x) && x.cause._tag === "Fail" ? Effect.succeed(x.cause.error as any) : Effect.die(new Error(`expected a failure, got ${JSON.stringify(x)}`))))

/**
 * The TS kernels, with the `n`-th candidate phase held until `release()`: a test pauses (or snapshots) a run at a
 * known point however fast or slow the machine is.
 */
const gatedKernels = (n: number) => {
  let calls = 0
  let open!: () => void
  let reach!: () => void
  const gate = new Promise<void>((r) => (open = r))
  const reached = new Promise<void>((r) => (reach = r))
  const state = { phaseEnded: 0 }
  const kernels: Kernels = {
    ...tsKernels,
    candidatePhaseAsync: async (input) => {
      if (++calls === n) {
        reach()
        await gate
      }
      const out = await tsKernels.candidatePhaseAsync(input)
      state.phaseEnded++
      return out
    }
  }
  return { kernels, state, reached: Effect.promise(() => reached), release: Effect.sync(() => open()) }
}

const waitFsm = (s: TrainingSession, state: string) => eventually(() => s.statusNow().state_machine.status === state, 30_000, `FSM ${state}`)

const NET = { candidate_pool_size: 3, max_hidden_units: 6, candidate_epochs: 20, output_epochs: 20, random_seed: 11 }
const DATA = { inline_data: inlineSpiral(40) }

/** A snapshot taken mid-run: paused while the third candidate phase is held, saved once the run rests (2 units). */
const midRunSnapshot = (dir: string) =>
  Effect.gen(function* () {
    const g = gatedKernels(3)
    const a = yield* makeTestSession({ dir, kernels: g.kernels })
    yield* a.session.createNetwork(NET)
    yield* a.session.start(DATA)
    yield* g.reached
    yield* a.session.pause()
    yield* g.release
    yield* eventually(() => g.state.phaseEnded === 3 && a.session.statusNow().current_epoch >= 3, 30_000, "the third phase to end")
    const meta = yield* a.session.saveSnapshot("mid-run")
    expect(meta.network.hidden_units).toBe(3)
    yield* a.session.stop()
    return meta
  })

describe("network editing and snapshot resume/retrain (session)", () => {
  it.scopedLive("E1–E3 only while INVESTIGATING; views follow the edits; errors 400/404/409/422; start trains the edited network", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const meta = yield* midRunSnapshot(dir)
      const { session } = yield* makeTestSession({ dir })
      const frames: Array<{ type: string; data: any }> = []
      session.broadcaster.subscribe({ deliver: (f) => frames.push({ type: f.type, ...JSON.parse(f.text) }) })
      yield* session.createNetwork(NET)
      // 409 unless INVESTIGATING.
      const stopped = yield* failure(session.editWeights({ target: "output", field: "bias", values: [0, 0] }))
      expect(stopped).toMatchObject({ _tag: "SessionConflict", state: "STOPPED", message: expect.stringMatching(/Network cannot be edited.*INVESTIGATING/) })
      expect(yield* failure(session.addHiddenUnit({ weights: [0, 0], bias: 0 }))).toMatchObject({ _tag: "SessionConflict" })
      expect(yield* failure(session.removeHiddenUnit(0))).toMatchObject({ _tag: "SessionConflict" })

      yield* session.restoreSnapshot(meta.snapshot_id)
      expect(session.fsmState).toBe("INVESTIGATING")
      const t0 = yield* session.topology()
      expect(t0.hidden_units.length).toBe(3)
      const b0 = yield* session.decisionBoundary(25)

      // E1: output bias → topology and predictions.
      const edited = yield* session.editWeights({ target: "output", field: "bias", values: [0.25, -0.5] })
      expect(edited).toMatchObject({ operation: "edit_weights", fsm_state: "INVESTIGATING", hidden_units: 3, input_size: 2, output_size: 2, target: "output", field: "bias" })
      const t1 = yield* session.topology()
      expect(t1.output_bias).toEqual([0.25, -0.5])
      expect({ ...t1, output_bias: null }).toEqual({ ...t0, output_bias: null })
      expect(frames.filter((f) => f.type === "topology").at(-1)!.data.output_bias).toEqual([0.25, -0.5])
      expect(frames.some((f) => f.type === "state")).toBe(true)
      // A hidden unit's weights (I + k of them) and bias.
      yield* session.editWeights({ target: "hidden_unit", field: "weights", hidden_unit_index: 1, values: [1.5, -2, 0.125] })
      yield* session.editWeights({ target: "hidden_unit", field: "bias", hidden_unit_index: 1, values: -0.75 })
      const t2 = yield* session.topology()
      expect(t2.hidden_units[1]).toEqual({ ...t0.hidden_units[1], weights: [1.5, -2, 0.125], bias: -0.75 })
      // Output weights, (I+H)×O.
      const rows = [[1, 0], [0, 1], [0.5, -0.5], [2, 2], [-1, 1]]
      yield* session.editWeights({ target: "output", field: "weights", values: rows, dtype: "float32" })
      expect((yield* session.topology()).output_weights).toEqual(rows)
      // The decision boundary is the edited network's own prediction.
      const net = yield* session.network()
      const b1 = yield* session.decisionBoundary(25)
      const pts: Array<number> = []
      for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) pts.push(b1.grid_x[i]![j]!, b1.grid_y[i]![j]!)
      const out = predict(net, pts)
      for (let p = 0; p < 25 * 25; p++) expect(b1.predictions[Math.floor(p / 25)]![p % 25]).toBe(out[2 * p + 1]! > out[2 * p]! ? 1 : 0)
      expect(b1.predictions).not.toEqual(b0.predictions)

      // E1 errors.
      const shape = yield* failure(session.editWeights({ target: "output", field: "weights", values: [[1, 0], [0, 1]] }))
      expect(shape).toMatchObject({ _tag: "SessionInvalid", status: 400, message: expect.stringMatching(/^values: .*5×2.*got 2 rows/) })
      expect(shape.issues[0].loc).toEqual(["body", "values"])
      const row = yield* failure(session.editWeights({ target: "output", field: "weights", values: [[1, 0], [0], [0, 0], [0, 0], [0, 0]] }))
      expect(row.issues[0].loc).toEqual(["body", "values", 1])
      const noIndex = yield* failure(session.editWeights({ target: "hidden_unit", field: "bias", values: 1 }))
      expect(noIndex).toMatchObject({ _tag: "SessionInvalid", status: 400, message: expect.stringMatching(/^hidden_unit_index: required/) })
      expect(yield* failure(session.editWeights({ target: "hidden_unit", field: "bias", hidden_unit_index: 3, values: 1 }))).toMatchObject({
        _tag: "SessionNotFound",
        message: "hidden unit 3 does not exist (the network has 3 hidden units: 0..2)"
      })
      expect(yield* failure(session.editWeights({ target: "hidden_unit", field: "weights", hidden_unit_index: 0, values: [1, 2, 3] }))).toMatchObject({ status: 400 })
      const nan = yield* failure(session.editWeights({ target: "output", field: "bias", values: [Number.NaN, 0] }))
      expect(nan).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      expect(nan.issues[0].loc).toEqual(["body", "values", 0])
      expect(yield* failure(session.editWeights({ target: "output", field: "bias", values: [1e39, 0] }))).toMatchObject({ status: 422 })
      expect(yield* failure(session.editWeights({ target: "output", field: "bias", values: [0, 0], dtype: "int8" }))).toMatchObject({ status: 422, issues: [{ loc: ["body", "dtype"] }] })
      // A refused edit changed nothing.
      expect((yield* session.topology()).output_weights).toEqual(rows)

      // E2: a unit with a zero output row: every prediction stays.
      const before = yield* session.topology()
      const boundary = yield* session.decisionBoundary(25)
      const added = yield* session.addHiddenUnit({ weights: [0.5, -1, 2, 0.25, -0.125], bias: 0.5, activation: "symmetric_sigmoid", position: "tail" })
      expect(added).toEqual({ unit_index: 3, num_hidden_units: 4, operation: "add_hidden_unit", fsm_state: "INVESTIGATING" })
      const grown = yield* session.topology()
      expect(grown.hidden_units[3]).toEqual({ id: 3, weights: [0.5, -1, 2, 0.25, -0.125], bias: 0.5, activation: "SymmetricSigmoid" })
      expect(grown.output_weights.at(-1)).toEqual([0, 0])
      expect(yield* session.decisionBoundary(25)).toEqual(boundary)
      expect((yield* session.networkInfo()).hidden_units).toBe(4)
      expect((yield* session.stats()).total_hidden_units).toBe(4)
      expect(session.statusNow().monitor.current_hidden_units).toBe(4)
      // E2 errors.
      expect(yield* failure(session.addHiddenUnit({ weights: [1, 2], bias: 0 }))).toMatchObject({ status: 400, issues: [{ loc: ["body", "weights"] }] })
      const relu = yield* failure(session.addHiddenUnit({ weights: [0, 0, 0, 0, 0, 0], bias: 0, activation: "ReLU" }))
      expect(relu).toMatchObject({ _tag: "SessionInvalid", status: 422, issues: [{ loc: ["body", "activation"] }] })
      expect(relu.message).toMatch(/SymmetricSigmoid/)
      expect(yield* failure(session.addHiddenUnit({ weights: [0, 0, 0, 0, 0, 0], bias: 0, activation: "Tanh" }))).toMatchObject({ status: 422 })
      expect(yield* failure(session.addHiddenUnit({ weights: [0, 0, 0, 0, 0, 0], bias: 0, position: "head" }))).toMatchObject({ status: 400, issues: [{ loc: ["body", "position"] }] })
      expect(yield* failure(session.addHiddenUnit({ weights: [0, 0, 0, 0, 0, Number.POSITIVE_INFINITY], bias: 0 }))).toMatchObject({ status: 422 })

      // E3: removing the unit just added gives the network back exactly; an unknown unit is a 404.
      expect(yield* session.removeHiddenUnit(3)).toEqual({ removed_index: 3, num_hidden_units: 3, operation: "remove_hidden_unit", fsm_state: "INVESTIGATING" })
      expect(yield* session.topology()).toEqual(before)
      expect(yield* failure(session.removeHiddenUnit(3))).toMatchObject({ _tag: "SessionNotFound" })
      expect(yield* failure(session.removeHiddenUnit(-1))).toMatchObject({ _tag: "SessionNotFound" })
      // Removing a middle unit: the later unit loses the weight that read it, the outputs their row.
      yield* session.removeHiddenUnit(1)
      const removed = yield* session.topology()
      expect(removed.hidden_units.map((h) => h.weights.length)).toEqual([2, 3])
      expect(removed.hidden_units[1]!.weights).toEqual([before.hidden_units[2]!.weights[0], before.hidden_units[2]!.weights[1], before.hidden_units[2]!.weights[2]])
      expect(removed.output_weights).toEqual([before.output_weights[0], before.output_weights[1], before.output_weights[2], before.output_weights[4]])

      // Start trains the edited network from there (an output phase first).
      const step = session.statusNow().current_epoch
      yield* session.start(null)
      expect(session.fsmState).toBe("STARTED")
      yield* waitFsm(session, "COMPLETED")
      const end = yield* session.topology()
      expect(end.hidden_units.slice(0, 2)).toEqual(removed.hidden_units)
      expect(session.statusNow().current_epoch).toBeGreaterThan(step)
      // No longer INVESTIGATING: 409.
      expect(yield* failure(session.removeHiddenUnit(0))).toMatchObject({ _tag: "SessionConflict", state: "COMPLETED" })
    })
  )

  it.scopedLive("resume: RESUME_READY, and a start continues exactly as the uninterrupted run", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const full = yield* makeTestSession({ dir })
      yield* full.session.createNetwork(NET)
      yield* full.session.start(DATA)
      yield* waitFsm(full.session, "COMPLETED")
      const reference = { topology: yield* full.session.topology(), steps: full.session.statusNow().current_epoch }

      const meta = yield* midRunSnapshot(dir)
      const { session } = yield* makeTestSession({ dir })
      const frames: Array<{ type: string; data: any }> = []
      session.broadcaster.subscribe({ deliver: (f) => frames.push({ type: f.type, ...JSON.parse(f.text) }) })
      const r = yield* session.resumeSnapshot(meta.snapshot_id)
      expect(r).toEqual({
        snapshot_id: meta.snapshot_id,
        operation: "resume",
        status: "ready",
        resume_point_epoch: meta.current_epoch,
        fsm_state: "RESUME_READY",
        engine_epoch: meta.engine_epoch,
        hidden_units: 3
      })
      expect(session.statusNow().state_machine.status).toBe("RESUME_READY")
      expect(session.statusNow().current_epoch).toBe(meta.current_epoch)
      expect((yield* session.metricsHistory()).metrics.length).toBeGreaterThan(0)
      // Not an investigation: no edits.
      expect(yield* failure(session.removeHiddenUnit(0))).toMatchObject({ _tag: "SessionConflict", state: "RESUME_READY" })
      yield* session.start(null)
      yield* waitFsm(session, "COMPLETED")
      expect(yield* session.topology()).toEqual(reference.topology)
      expect(session.statusNow().current_epoch).toBe(reference.steps)
      expect(frames.find((f) => f.type === "event" && f.data.event === "training_started")!.data.restored).toBe(true)
    })
  )

  it.scopedLive("retrain: the snapshot's network, history and counters cleared, STOPPED; a start trains it further", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const meta = yield* midRunSnapshot(dir)
      const probe = yield* makeTestSession({ dir })
      yield* probe.session.restoreSnapshot(meta.snapshot_id)
      const snapTopology = yield* probe.session.topology()

      const { session } = yield* makeTestSession({ dir })
      const r = yield* session.retrainSnapshot(meta.snapshot_id)
      expect(r).toEqual({ snapshot_id: meta.snapshot_id, operation: "retrain", status: "ready", fsm_state: "STOPPED", hidden_units: 3 })
      const s = session.statusNow()
      expect(s.state_machine).toMatchObject({ status: "STOPPED", phase: "IDLE" })
      expect(s.current_epoch).toBe(0)
      expect(s.training_state.current_step).toBe(0)
      expect(s.completion_reason).toBeNull()
      expect((yield* session.metricsHistory()).metrics).toEqual([])
      expect(yield* session.topology()).toEqual(snapTopology)
      expect((yield* session.networkInfo()).trained).toBe(true)
      // A trained network: PATCH applies live (the network is kept, not rebuilt).
      yield* session.patchParams({ learning_rate: 0.3 })
      expect(yield* session.topology()).toEqual(snapTopology)
      yield* session.start(null)
      expect(session.fsmState).toBe("STARTED")
      yield* waitFsm(session, "COMPLETED")
      const steps = (yield* session.metricsHistory()).metrics.filter((m) => m.kind === "training_step")
      expect(steps.map((m) => m.epoch)).toEqual(steps.map((_, i) => i + 1))
      const end = yield* session.topology()
      // Growth went on from the snapshot's three units (its frozen units are kept), within max_hidden_units.
      expect(end.hidden_units.slice(0, 3)).toEqual(snapTopology.hidden_units)
      expect(end.hidden_units.length).toBeGreaterThan(3)
      expect(end.hidden_units.length).toBeLessThanOrEqual(NET.max_hidden_units)
    })
  )

  it.scopedLive("resume/retrain: 409 while training, 404 unknown, 400 bad id, 422 corrupt", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const { session } = yield* makeTestSession({ dir })
      yield* session.createNetwork({ ...NET, max_hidden_units: 40, candidate_epochs: 5, output_epochs: 5 })
      const meta = yield* session.saveSnapshot("untrained")
      writeFileSync(join(dir, "broken.json"), '{"format":"juniper.cascor.snapshot","format_version":1}\n{}')
      const other = yield* makeTestSession({ dir })
      const ops: Array<(id: string) => Effect.Effect<unknown, SessionError>> = [(id) => other.session.resumeSnapshot(id), (id) => other.session.retrainSnapshot(id)]
      for (const op of ops) {
        expect(yield* failure(op("nope"))).toMatchObject({ _tag: "SessionNotFound" })
        expect(yield* failure(op("../x"))).toMatchObject({ _tag: "SessionInvalid", status: 400 })
        expect(yield* failure(op("broken"))).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      }
      yield* session.start(DATA)
      expect(yield* failure(session.resumeSnapshot(meta.snapshot_id))).toMatchObject({ _tag: "SessionConflict", state: "STARTED" })
      yield* session.pause()
      expect(yield* failure(session.retrainSnapshot(meta.snapshot_id))).toMatchObject({ _tag: "SessionConflict", state: "PAUSED" })
      yield* session.stop()
    })
  )

  it.scopedLive("a network without data: edited on its placeholder run, carried onto the data at start", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const a = yield* makeTestSession({ dir })
      yield* a.session.createNetwork(NET)
      const meta = yield* a.session.saveSnapshot("no data")
      const g = gatedKernels(1)
      const { session } = yield* makeTestSession({ dir, kernels: g.kernels })
      yield* session.restoreSnapshot(meta.snapshot_id)
      expect(session.fsmState).toBe("INVESTIGATING")
      expect((yield* session.datasetInfo()).loaded).toBe(false)
      yield* session.addHiddenUnit({ weights: [0.5, -0.25], bias: 1 })
      yield* session.editWeights({ target: "output", field: "bias", values: [0.125, 0.375] })
      const edited = yield* session.topology()
      expect(edited.hidden_units).toEqual([{ id: 0, weights: [0.5, -0.25], bias: 1, activation: "SymmetricSigmoid" }])
      expect(edited.output_bias).toEqual([0.125, 0.375])
      // The start brings data: the run is rebuilt on it from the edited network (the unit is kept, frozen).
      yield* session.start(DATA)
      yield* g.reached // the first candidate phase: the first output phase trained the edited network
      expect((yield* session.topology()).hidden_units[0]).toEqual(edited.hidden_units[0])
      expect(session.statusNow().monitor.current_hidden_units).toBe(1)
      yield* session.stop()
      yield* g.release
    })
  )
})
