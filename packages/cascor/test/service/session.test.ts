// The training session in process (TS kernels, fake JuniperData): FSM and 409s, data resolution, parameter mapping
// and PATCH, metrics rows, views consistent with the network, snapshots that continue exactly.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { predict } from "../../src/engine/network.js"
import { decodeParamsSync } from "../../src/engine/params.js"
import type { Kernels } from "../../src/engine/kernel.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import type { SessionError } from "../../src/session/errors.js"
import { MetricsRing } from "../../src/session/metrics.js"
import { epochsMax } from "../../src/session/params.js"
import type { TrainingSession } from "../../src/session/session.js"
import { makeSnapshotStore } from "../../src/snapshots/store.js"
import { eventually, inlineSpiral, makeTestSession, tempDir, unreachableDataClient } from "./helpers.js"

const failure = <A>(e: Effect.Effect<A, SessionError>) =>
  Effect.flatMap(Effect.exit(e), (x) => (Exit.isFailure(x) && x.cause._tag === "Fail" ? Effect.succeed(x.cause.error) : Effect.die(new Error(`expected a failure, got ${JSON.stringify(x)}`))))

/** A run long enough to pause: many small phases. */
const slowNetwork = { candidate_pool_size: 2, candidate_epochs: 5, output_epochs: 5, max_hidden_units: 40, patience: 50, candidate_patience: 50, random_seed: 3 }

/**
 * The TS kernels, with the `n`-th candidate phase held until `release()`: a test can pause (or snapshot) a run at a
 * known point however fast or slow the machine is. `phaseEnded` counts the candidate phases that have returned.
 */
const gatedKernels = (n: number) => {
  let calls = 0
  let open!: () => void
  let reach!: () => void
  const gate = new Promise<void>((r) => (open = r))
  const reached = new Promise<void>((r) => (reach = r))
  const state = { phaseEnded: 0, inFlight: false }
  const kernels: Kernels = {
    ...tsKernels,
    candidatePhaseAsync: async (input) => {
      state.inFlight = true
      if (++calls === n) {
        reach()
        await gate
      }
      const out = await tsKernels.candidatePhaseAsync(input)
      state.phaseEnded++
      state.inFlight = false
      return out
    }
  }
  return { kernels, state, reached: Effect.promise(() => reached), release: Effect.sync(() => open()) }
}

const waitFsm = (s: TrainingSession, state: string) => eventually(() => s.statusNow().state_machine.status === state, 20_000, `FSM ${state}`)

/** The uninterrupted run of `net` on `data` in a fresh session: its final topology and step count. */
const uninterrupted = (dir: string, net: Parameters<TrainingSession["createNetwork"]>[0], data: Parameters<TrainingSession["start"]>[0]) =>
  Effect.gen(function* () {
    const a = yield* makeTestSession({ dir })
    yield* a.session.createNetwork(net)
    yield* a.session.start(data)
    yield* waitFsm(a.session, "COMPLETED")
    return { topology: yield* a.session.topology(), steps: a.session.statusNow().current_epoch }
  })

describe("training session", () => {
  it.scopedLive("FSM: invalid commands are 409s naming the state; repeated commands are idempotent", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      expect(yield* failure(session.pause())).toMatchObject({ _tag: "SessionConflict", state: "STOPPED", message: "Training cannot be paused in the current state (STOPPED)" })
      expect(yield* failure(session.resume())).toMatchObject({ _tag: "SessionConflict", state: "STOPPED" })
      expect(yield* failure(session.start(null))).toMatchObject({ _tag: "SessionNotFound", message: "No training data loaded" })
      yield* session.createNetwork(slowNetwork)
      expect(yield* session.start({ inline_data: inlineSpiral() })).toMatchObject({ status: "training_started" })
      expect(session.statusNow().state_machine.status).toBe("STARTED")
      expect(yield* failure(session.start(null))).toMatchObject({ _tag: "SessionConflict", state: "STARTED" })
      expect(yield* failure(session.createNetwork({}))).toMatchObject({ _tag: "SessionConflict", state: "STARTED" })
      expect(yield* session.pause()).toEqual({ status: "paused" })
      expect(session.statusNow().state_machine).toMatchObject({ status: "PAUSED" })
      // Repeated commands are idempotent.
      expect(yield* session.pause()).toEqual({ status: "paused" })
      expect(yield* failure(session.deleteNetwork())).toMatchObject({ _tag: "SessionConflict", state: "PAUSED" })
      // Paused means no phase runs: the engine epoch stays put.
      yield* Effect.sleep("100 millis")
      const frozen = session.statusNow().training_state.current_step
      yield* Effect.sleep("200 millis")
      expect(session.statusNow().training_state.current_step).toBe(frozen)
      expect(yield* session.resume()).toEqual({ status: "resumed" })
      yield* eventually(() => session.statusNow().training_state.current_step > frozen, 10_000, "progress after resume")
      const stopped = yield* session.stop()
      expect(stopped).toMatchObject({ status: "stop_requested", stopped: true })
      expect(yield* session.stop()).toMatchObject({ status: "stop_requested", stopped: true })
      yield* eventually(() => session.statusNow().state_machine.phase === "IDLE", 10_000, "idle after stop")
      expect(session.statusNow().state_machine.status).toBe("STOPPED")
      // Start again continues the stopped run (same network, more steps).
      const before = session.statusNow().current_epoch
      yield* session.start(null)
      yield* eventually(() => session.statusNow().current_epoch > before, 10_000, "continued")
      yield* session.stop()
      expect(yield* session.reset()).toEqual({ status: "reset" })
      expect(yield* session.reset()).toEqual({ status: "reset" })
      const s = session.statusNow()
      expect(s.state_machine).toMatchObject({ status: "STOPPED", phase: "IDLE" })
      expect(s.current_epoch).toBe(0)
      expect(s.monitor.total_metrics).toBe(0)
      expect((yield* session.networkInfo()).hidden_units).toBe(0)
    })
  )

  it.scopedLive("reset, delete and shutdown do not wait for a paused run (its fiber stays interruptible)", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      yield* session.createNetwork(slowNetwork)
      yield* session.start({ inline_data: inlineSpiral() })
      yield* session.pause()
      yield* Effect.sleep("50 millis")
      yield* session.reset().pipe(Effect.timeout("2 seconds"))
      expect(session.statusNow().state_machine).toMatchObject({ status: "STOPPED", phase: "IDLE" })
      yield* session.start(null)
      yield* session.pause()
      yield* session.stop()
      yield* session.deleteNetwork().pipe(Effect.timeout("2 seconds"))
      expect(session.statusNow().network_loaded).toBe(false)
      yield* session.createNetwork(slowNetwork)
      yield* session.start(null)
      yield* session.pause()
      yield* session.shutdown().pipe(Effect.timeout("2 seconds"))
    })
  )

  it.scopedLive("runs to COMPLETED with a completion reason, metrics rows and a training_complete event", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      const frames: Array<{ type: string; seq: number | null; data: any }> = []
      session.broadcaster.subscribe({ deliver: (f) => frames.push({ type: f.type, seq: f.seq, ...JSON.parse(f.text) }) })
      yield* session.createNetwork({ candidate_pool_size: 4, max_hidden_units: 6, random_seed: 1 })
      yield* session.start({ dataset: { generator: "spiral", params: { n_points_per_spiral: 40, seed: 1 } } })
      yield* waitFsm(session, "COMPLETED")
      const status = session.statusNow()
      expect(["max_hidden_units", "target_accuracy"]).toContain(status.completion_reason)
      const history = (yield* session.metricsHistory()).metrics
      const steps = history.filter((r) => r.kind === "training_step")
      expect(steps.length).toBe(status.current_epoch)
      expect(steps.map((r) => r.epoch)).toEqual(steps.map((_, i) => i + 1))
      expect(history.some((r) => r.kind === "output_epoch")).toBe(true)
      const last = steps[steps.length - 1]!
      expect(last.validation_loss).not.toBeNull() // JuniperData's spiral has a test split
      expect(last.f1).not.toBeNull()
      const m = yield* session.metrics()
      expect(m.eval_metrics).toMatchObject({ enabled: true, average: "macro", split: "validation", n_classes: 2 })
      expect((yield* session.metricsHistory(2)).metrics).toEqual(history.slice(-2))
      const types = frames.map((f) => f.type)
      expect(types).toContain("cascade_add")
      expect(types).toContain("topology")
      expect(types).toContain("candidate_progress")
      expect(frames.filter((f) => f.type === "event").map((f) => f.data.event)).toEqual(["training_started", "training_complete"])
      const seqs = frames.map((f) => f.seq!)
      expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1)).toBe(true)
      expect(frames.filter((f) => f.type === "cascade_add").length).toBe(status.monitor.current_hidden_units)
      // COMPLETED → start again trains a new run (same seed: same result).
      const topo = yield* session.topology()
      yield* session.start(null)
      yield* waitFsm(session, "COMPLETED")
      expect(yield* session.topology()).toEqual(topo)
    })
  )

  it.scopedLive("data: inline validation (422 with a location), unknown dataset (404), the built-in spiral when JuniperData is unreachable", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      const bad = yield* failure(session.start({ inline_data: { train_x: [[1, 2], [3, 4]], train_y: [[1, 0]] } }))
      expect(bad).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      expect((bad as any).issues[0].loc).toEqual(["body", "inline_data", "train_y"])
      const ragged = yield* failure(session.start({ inline_data: { train_x: [[1, 2], [3]], train_y: [[1], [0]] } }))
      expect((ragged as any).issues[0].loc).toEqual(["body", "inline_data", "train_x", 1])
      expect(yield* failure(session.start({ dataset: { dataset_id: "spiral-1.0.0-0000000000000000" } }))).toMatchObject({ _tag: "SessionNotFound" })
      expect(yield* failure(session.start({ dataset: { generator: "nope" } }))).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      const offline = yield* makeTestSession({ data: yield* unreachableDataClient })
      yield* offline.session.createNetwork({ max_hidden_units: 1, candidate_pool_size: 2 })
      yield* offline.session.start({ dataset: { generator: "spiral", params: { n_points_per_spiral: 30, noise: 0.1, seed: 5 } } })
      const info = yield* offline.session.datasetInfo()
      expect(info).toMatchObject({ loaded: true, train_samples: 48, test_samples: 12, input_features: 2, output_features: 2 })
      expect(info.source).toMatchObject({ type: "builtin", generator: "spiral", target_transform: "shift_half" })
      expect(yield* failure(offline.session.start({ dataset: { generator: "xor" } }))).toBeDefined()
    })
  )

  it.scopedLive("parameters: per-algorithm defaults, the engine mapping, 422s, and PATCH applied/skipped mid-run", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      const fahlman = yield* session.createNetwork({})
      expect(fahlman).toMatchObject({ algorithm: "fahlman", learning_rate: 0.35, candidate_learning_rate: 1, output_size: 2, random_seed: 42, activation_function_name: "SymmetricSigmoid" })
      expect(fahlman.epochs_max).toBe(epochsMax(fahlman))
      expect(fahlman.engine_params).toMatchObject({ outputEpsilon: 0.35, inputEpsilon: 1, poolSize: 8, rounds: 50, seed: 42, outLimit: 100, inLimit: 100 })
      const upstream = yield* session.createNetwork({ algorithm: "upstream", learning_rate: 0.02 })
      expect(upstream).toMatchObject({ algorithm: "upstream", learning_rate: 0.02, candidate_learning_rate: 0.1, output_epochs: 10, patience: 20, activation_function_name: "Tanh" })
      expect((upstream.engine_params as any).upstream).toMatchObject({ outputLearningRate: 0.02, outputEpochs: 10, growthPatience: 20 })
      expect(yield* failure(session.createNetwork({ activation_function_name: "ReLU" }))).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      const sel = yield* failure(session.createNetwork({ candidate_pool_size: 4, selected_candidates: 3, top_candidates: 1, random_candidates: 1 }))
      expect((sel as any).issues[0].loc).toEqual(["body", "selected_candidates"])
      expect(yield* failure(session.createNetwork({ engine_params: { poolSize: 0 } }))).toMatchObject({ _tag: "SessionInvalid" })
      // Before training every key applies (the untrained network is rebuilt).
      yield* session.createNetwork(slowNetwork)
      const early = yield* session.patchParams({ activation_function_name: "Tanh", candidate_pool_size: 3 })
      expect(early).toMatchObject({ applied: ["activation_function_name", "candidate_pool_size"], skipped: [], activation_function_name: "Tanh" })
      yield* session.start({ inline_data: inlineSpiral() })
      yield* session.pause()
      const out = yield* session.patchParams({ learning_rate: 0.5, activation_function_name: "Sigmoid", epochs_max: 10, candidate_epochs: 7 })
      expect(out.applied).toEqual(["learning_rate", "candidate_epochs"])
      expect(out.skipped).toEqual([
        { key: "activation_function_name", reason: "not-updatable-mid-run" },
        { key: "epochs_max", reason: "not-updatable" }
      ])
      expect(out.learning_rate).toBe(0.5)
      expect(out.epochs_max).toBe(epochsMax(out))
      expect((yield* session.networkInfo()).engine_params).toMatchObject({ outputEpsilon: 0.5, inLimit: 7, hiddenActivation: "tanh" })
      expect(yield* failure(session.patchParams({ selected_candidates: 9 }))).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      yield* session.stop()
    })
  )

  it.scopedLive("views: topology and stats describe the network; the decision boundary is the network's own prediction", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      yield* session.createNetwork({ candidate_pool_size: 4, max_hidden_units: 3, random_seed: 9 })
      expect(yield* failure(session.decisionBoundary(10))).toMatchObject({ _tag: "SessionNotFound", message: "No training data loaded" })
      yield* session.start({ inline_data: inlineSpiral(60) })
      yield* waitFsm(session, "COMPLETED")
      const net = yield* session.network()
      const topo = yield* session.topology()
      expect(topo.hidden_units.length).toBe(net.hidden.length)
      expect(topo.hidden_units.length).toBe((yield* session.networkInfo()).hidden_units)
      topo.hidden_units.forEach((h, k) => expect(h.weights.length).toBe(2 + k))
      expect(topo.output_weights.length).toBe(2 + net.hidden.length)
      const stats = yield* session.stats()
      expect(stats.total_hidden_units).toBe(net.hidden.length)
      expect(stats.total_parameters).toBe(net.hidden.reduce((s, h) => s + h.fanIn, 0) + 2 * (3 + net.hidden.length))
      const b = yield* session.decisionBoundary(23)
      expect(b.grid_x.length).toBe(23)
      expect(b.predictions[0]!.length).toBe(23)
      const pts: Array<number> = []
      for (let i = 0; i < 23; i++) for (let j = 0; j < 23; j++) pts.push(b.grid_x[i]![j]!, b.grid_y[i]![j]!)
      const out = predict(net, pts)
      for (let p = 0; p < 23 * 23; p++) expect(b.predictions[Math.floor(p / 23)]![p % 23]).toBe(out[2 * p + 1]! > out[2 * p]! ? 1 : 0)
      const xs = inlineSpiral(60).train_x.map((r) => r[0]!)
      expect(b.x_range[0]).toBeCloseTo(Math.min(...xs.map(Math.fround)) - 0.5, 5)
    })
  )

  it.scopedLive("snapshots: save, list, restore into a new session, continue — bit-equal to the uninterrupted run", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const net = { candidate_pool_size: 3, max_hidden_units: 6, candidate_epochs: 20, output_epochs: 20, random_seed: 11 }
      const data = { dataset: { generator: "spiral", params: { n_points_per_spiral: 30, seed: 2 } } }
      const full = yield* uninterrupted(dir, net, data)
      // Interrupted: pause during the third candidate phase, snapshot once it rests, restore elsewhere, continue.
      const g = gatedKernels(3)
      const b = yield* makeTestSession({ dir, kernels: g.kernels })
      yield* b.session.createNetwork(net)
      yield* b.session.start(data)
      yield* g.reached
      yield* b.session.pause()
      yield* g.release
      yield* eventually(() => g.state.phaseEnded === 3 && b.session.statusNow().current_epoch >= 3, 20_000, "the third phase to end")
      yield* Effect.sleep("100 millis")
      const meta = yield* b.session.saveSnapshot("mid-run")
      expect(meta).toMatchObject({ description: "mid-run", kind: "manual", network: { input_size: 2, output_size: 2 } })
      expect(meta.snapshot_id).toMatch(/^cascor_snapshot_\d{8}_\d{6}_[0-9a-f]{12}$/)
      yield* b.session.stop()
      const c = yield* makeTestSession({ dir })
      expect((yield* c.session.listSnapshots()).total).toBe(1)
      const restored = yield* c.session.restoreSnapshot(meta.snapshot_id)
      expect(restored).toMatchObject({ operation: "restore", status: "restored", fsm_state: "INVESTIGATING" })
      expect(c.session.statusNow().current_epoch).toBe(restored.time_index.snapshot_window.current_epoch)
      expect((yield* c.session.metricsHistory()).metrics.length).toBeGreaterThan(0)
      yield* c.session.start(null)
      yield* waitFsm(c.session, "COMPLETED")
      expect(yield* c.session.topology()).toEqual(full.topology)
      expect(c.session.statusNow().current_epoch).toBe(full.steps)
    })
  )

  it.scopedLive("a snapshot taken while a phase is in flight holds the run before it: the restored run replays it exactly", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const net = { candidate_pool_size: 3, max_hidden_units: 6, candidate_epochs: 20, output_epochs: 20, random_seed: 13 }
      const data = { dataset: { generator: "spiral", params: { n_points_per_spiral: 30, seed: 4 } } }
      const full = yield* uninterrupted(dir, net, data)
      // The second candidate phase is held in flight while the snapshot is taken: it does not wait for the phase.
      const g = gatedKernels(2)
      const b = yield* makeTestSession({ dir, kernels: g.kernels })
      yield* b.session.createNetwork(net)
      yield* b.session.start(data)
      yield* g.reached
      const before = b.session.statusNow()
      const meta = yield* b.session.saveSnapshot("mid-phase")
      expect(g.state).toEqual({ phaseEnded: 1, inFlight: true })
      expect(meta.network.hidden_units).toBe(1)
      expect(meta.current_epoch).toBe(before.current_epoch)
      yield* g.release
      yield* b.session.stop()
      const c = yield* makeTestSession({ dir })
      yield* c.session.restoreSnapshot(meta.snapshot_id)
      yield* c.session.start(null)
      yield* waitFsm(c.session, "COMPLETED")
      expect(yield* c.session.topology()).toEqual(full.topology)
      expect(c.session.statusNow().current_epoch).toBe(full.steps)
    })
  )

  it.scopedLive("snapshot store: 400 bad id, 404 unknown, 422 corrupt, temp files swept, delete", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const { session } = yield* makeTestSession({ dir })
      expect(yield* failure(session.saveSnapshot(""))).toMatchObject({ _tag: "SessionNotFound", message: "No network created" })
      yield* session.createNetwork({})
      const meta = yield* session.saveSnapshot("before data")
      expect(yield* failure(session.getSnapshot("../etc/passwd"))).toMatchObject({ _tag: "SessionInvalid", status: 400 })
      expect(yield* failure(session.getSnapshot("nope"))).toMatchObject({ _tag: "SessionNotFound" })
      writeFileSync(join(dir, "broken.json"), '{"format":"juniper.cascor.snapshot","format_version":1}\n{}')
      writeFileSync(join(dir, ".x.json.tmp-1-abcd"), "partial")
      const other = yield* makeTestSession({ dir })
      const list = yield* other.session.listSnapshots()
      expect(list.total).toBe(2)
      expect(yield* failure(other.session.restoreSnapshot("broken"))).toMatchObject({ _tag: "SessionInvalid", status: 422 })
      const restored = yield* other.session.restoreSnapshot(meta.snapshot_id)
      expect(restored.fsm_state).toBe("INVESTIGATING")
      expect(yield* other.session.deleteSnapshot("broken")).toEqual({ snapshot_id: "broken", deleted: true })
      expect((yield* other.session.listSnapshots({} as never)).total).toBe(1)
      const store = yield* makeSnapshotStore({ directory: dir, autoRetain: 1 })
      expect((yield* store.list()).snapshots.map((s) => s.snapshot_id)).toEqual([meta.snapshot_id])
    })
  )

  it("the metrics ring keeps the newest 10,000 rows, oldest first", () => {
    const ring = new MetricsRing(5)
    for (let i = 0; i < 12; i++) ring.push({ epoch: i } as never)
    expect(ring.last().map((r) => r.epoch)).toEqual([7, 8, 9, 10, 11])
    expect(ring.last(2).map((r) => r.epoch)).toEqual([10, 11])
    expect(ring.latest()?.epoch).toBe(11)
    expect(new MetricsRing().capacity).toBe(10_000)
    expect(decodeParamsSync({}).poolSize).toBe(8)
  })
})
