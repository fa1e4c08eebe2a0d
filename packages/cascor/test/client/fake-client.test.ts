// FakeCascorClient: every method in every scenario, payloads checked against the wire schemas, the test hooks
// (advanceEpoch, setState), typed failures, and error_prone's seeded failures.
import { describe, expect, it } from "vitest"
import { Effect, Either, ManagedRuntime, Schema } from "effect"
import { HealthResponse, LivenessResponse, ReadinessResponse } from "@juniper/core"
import * as S from "../../src/api/schema.js"
import { createFakeCascorClient, FakeCascor, JuniperCascorClient, layerFakeCascorClient, type ScenarioName } from "../../src/client/index.js"

/** The value encodes through its wire schema (so it is exactly the shape the HTTP client decodes). */
const shaped = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A => {
  Schema.encodeUnknownSync(schema)(value)
  return value as A
}

const withFake = <A, E>(scenario: ScenarioName | Parameters<typeof layerFakeCascorClient>[0], f: (c: typeof JuniperCascorClient.Service, hooks: typeof FakeCascor.Service) => Effect.Effect<A, E>) => {
  const rt = ManagedRuntime.make(layerFakeCascorClient(scenario))
  return rt.runPromise(Effect.flatMap(Effect.all([JuniperCascorClient, FakeCascor]), ([c, h]) => f(c, h))).finally(() => rt.dispose())
}

const fails = <A, E extends { _tag: string; message: string; statusCode: number | null }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? { tag: r.left._tag, status: r.left.statusCode, message: r.left.message } : { ok: r.right }))

describe("FakeCascorClient", () => {
  it("idle: health, empty state, 404/409/400 as the service, then create → start → train → snapshot → restore", async () => {
    await withFake("idle", (c, hooks) =>
      Effect.gen(function* () {
        expect(hooks.scenario).toBe("idle")
        expect(c.baseUrl).toBe("http://fake-cascor:8200")
        expect(yield* c.healthCheck()).toBeInstanceOf(HealthResponse)
        expect(yield* c.liveness()).toBeInstanceOf(LivenessResponse)
        expect(yield* c.isAlive()).toBe(true)
        expect(yield* c.readiness()).toBeInstanceOf(ReadinessResponse)
        expect(yield* c.isReady()).toBe(false)
        expect(yield* c.waitForReady({ timeoutMs: 50, pollIntervalMs: 10 })).toBe(false)
        expect(yield* c.waitForReady({ requireNetwork: false })).toBe(true)
        expect(yield* fails(c.getNetwork())).toEqual({ tag: "CascorNotFoundError", status: 404, message: "No network created" })
        expect((yield* fails(c.getTopology())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.getStatistics())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.getTrainingParams())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.updateParams({ learning_rate: 0.1 }))).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.getMetrics())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.getDatasetData())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.getDecisionBoundary())).tag).toBe("CascorNotFoundError")
        expect((yield* fails(c.saveSnapshot("x"))).tag).toBe("CascorNotFoundError")
        expect(yield* fails(c.getSnapshot("bad id"))).toEqual({ tag: "CascorValidationError", status: 400, message: "Invalid snapshot id 'bad id'" })
        expect((yield* fails(c.getSnapshot("nope"))).status).toBe(404)
        expect((yield* fails(c.loadSnapshot("nope"))).status).toBe(404)
        expect(yield* fails(c.pauseTraining())).toEqual({ tag: "CascorConflictError", status: 409, message: "Training cannot be paused in the current state (STOPPED)" })
        expect((yield* fails(c.resumeTraining())).status).toBe(409)
        expect((yield* fails(c.startTraining())).message).toBe("No training data loaded")
        const status = shaped(S.TrainingStatus, yield* c.getTrainingStatus())
        expect(status.state_machine).toMatchObject({ status: "STOPPED", phase: "IDLE" })
        expect(shaped(S.StopResult, yield* c.stopTraining())).toEqual({ status: "stop_requested", stopped: true, epoch: 0 })
        expect(shaped(S.ResetResult, yield* c.resetTraining())).toEqual({ status: "reset" })
        expect(shaped(S.MetricsHistory, yield* c.getMetricsHistory())).toEqual({ metrics: [] })
        expect(shaped(S.DatasetInfo, yield* c.getDataset())).toMatchObject({ loaded: false, source: null })
        expect(shaped(S.SnapshotList, yield* c.listSnapshots())).toEqual({ snapshots: [], total: 0 })
        const workers = shaped(S.WorkerList, yield* c.listWorkers())
        expect(workers.count).toBe(1)
        expect(shaped(S.Worker, yield* c.getWorker(workers.workers[0]!.worker_id)).kind).toBe("local")
        expect((yield* fails(c.getWorker("w-x"))).status).toBe(404)
        expect(shaped(S.WorkerStats, yield* c.getWorkerStats()).total).toBe(1)

        const net = shaped(S.NetworkInfo, yield* c.createNetwork({ input_size: 2, output_size: 1, random_seed: 7, max_hidden_units: 6, max_iterations: 6 }))
        expect(net).toMatchObject({ input_size: 2, output_size: 1, hidden_units: 0, random_seed: 7, algorithm: "fahlman" })
        expect(yield* c.isReady()).toBe(true)
        const patched = shaped(S.ParamsUpdateResult, yield* c.updateParams({ candidate_epochs: 60, epochs_max: 5 }))
        expect(patched.applied).toEqual(["candidate_epochs"])
        expect(patched.skipped).toEqual([{ key: "epochs_max", reason: "not-updatable" }])
        expect((yield* fails(c.updateParams({ selected_candidates: 99 }))).status).toBe(422)
        expect(shaped(S.HyperParameters, yield* c.getTrainingParams()).candidate_epochs).toBe(60)
        expect(shaped(S.Topology, yield* c.getTopology())).toMatchObject({ input_size: 2, output_size: 1, hidden_units: [] })

        const inline = { train_x: [[0, 0], [0, 1], [1, 0], [1, 1]], train_y: [[0], [1], [1], [0]] }
        expect(shaped(S.StartResult, yield* c.startTraining({ inlineData: inline })).status).toBe("training_started")
        expect((yield* fails(c.startTraining({ inlineData: inline }))).tag).toBe("CascorConflictError")
        expect((yield* fails(c.createNetwork())).message).toBe("Network cannot be created in the current state (STARTED)")
        const s1 = shaped(S.TrainingStatus, yield* c.getTrainingStatus())
        expect(s1).toMatchObject({ is_training: true, current_epoch: 1, state_machine: { status: "STARTED", phase: "CANDIDATE" } })
        const snap = shaped(S.SnapshotMeta, yield* c.saveSnapshot("before stop"))
        expect(snap).toMatchObject({ description: "before stop", kind: "manual" })
        expect((yield* c.getSnapshot(snap.snapshot_id)).snapshot_id).toBe(snap.snapshot_id)
        expect((yield* c.listSnapshots({ limit: 1 })).total).toBe(1)
        expect((yield* fails(c.loadSnapshot(snap.snapshot_id))).tag).toBe("CascorConflictError")
        expect(yield* hooks.advanceEpoch(1)).toBe(1)
        const s2 = yield* c.getTrainingStatus()
        expect(s2.current_epoch === 2 || s2.state_machine.status === "COMPLETED").toBe(true)
        const metrics = shaped(S.MetricsResponse, yield* c.getMetrics())
        expect(metrics.kind).toBe("training_step")
        expect(metrics.eval_metrics.enabled).toBe(true)
        expect(shaped(S.MetricsHistory, yield* c.getMetricsHistory(1)).metrics).toHaveLength(1)
        expect(shaped(S.DatasetData, yield* c.getDatasetData())).toMatchObject({ X_train: inline.train_x, y_train: inline.train_y, X_val: null })
        const boundary = shaped(S.DecisionBoundary, yield* c.getDecisionBoundary(5))
        expect(boundary.predictions).toHaveLength(5)
        expect((yield* fails(c.getDecisionBoundary(513))).tag).toBe("CascorValidationError")
        shaped(S.NetworkStats, yield* c.getStatistics())

        yield* c.stopTraining()
        const restored = shaped(S.SnapshotRestoreResult, yield* c.loadSnapshot(snap.snapshot_id))
        expect(restored).toMatchObject({ snapshot_id: snap.snapshot_id, operation: "restore", fsm_state: "INVESTIGATING", status: "restored" })
        expect((yield* fails(c.deleteNetwork())).status).toBe(409)
        yield* c.resetTraining()
        expect(shaped(S.DeleteNetworkResult, yield* c.deleteNetwork())).toEqual({ deleted: true })
      })
    )
  })

  it("two_spiral_training: training on the spiral data, advanceEpoch grows units, setState walks the states", async () => {
    await withFake("two_spiral_training", (c, hooks) =>
      Effect.gen(function* () {
        const status = shaped(S.TrainingStatus, yield* c.getTrainingStatus())
        expect(status).toMatchObject({ is_training: true, current_epoch: 3, network_loaded: true, state_machine: { status: "STARTED" } })
        expect(status.monitor.current_hidden_units).toBe(2)
        const info = yield* c.getDataset()
        expect(info).toMatchObject({ loaded: true, train_samples: 320, input_features: 2, output_features: 2, source: { type: "juniper-data", generator: "spiral" } })
        const rows = (yield* c.getMetricsHistory()).metrics
        expect(rows.filter((r) => r.kind === "training_step").map((r) => r.epoch)).toEqual([1, 2, 3])
        const topo = yield* c.getTopology()
        expect(topo.hidden_units.map((u) => u.weights.length)).toEqual([2, 3])
        expect(topo.output_weights).toHaveLength(4)
        expect(yield* hooks.advanceEpoch(2)).toBe(2)
        const after = yield* c.getTrainingStatus()
        expect(after.current_epoch).toBe(5)
        expect(after.monitor.current_hidden_units).toBe(4)
        const last = (yield* c.getMetricsHistory()).metrics.filter((r) => r.kind === "training_step")
        expect(last.at(-1)!.loss!).toBeLessThan(last[0]!.loss!)
        expect((yield* c.getDecisionBoundary(16)).predictions.flat().length).toBe(256)

        yield* hooks.setState("paused")
        expect((yield* c.getTrainingStatus()).state_machine).toMatchObject({ status: "PAUSED", paused_phase: "CANDIDATE" })
        expect(yield* hooks.advanceEpoch(1)).toBe(0)
        yield* hooks.setState("training")
        expect((yield* c.getTrainingStatus()).state_machine.status).toBe("STARTED")
        yield* hooks.setState("idle")
        expect((yield* c.getTrainingStatus()).state_machine.status).toBe("STOPPED")
        // complete: trained to the end (a short end: two more units at most)
        yield* c.updateParams({ max_hidden_units: 6, max_iterations: 6 })
        yield* hooks.setState("complete")
        const done = yield* c.getTrainingStatus()
        expect(done.state_machine.status).toBe("COMPLETED")
        expect(done.completion_reason).not.toBeNull()
        expect(done.monitor.current_hidden_units).toBeLessThanOrEqual(6)
      })
    )
  })

  it("reset while training or paused returns at once: an untrained network, no history", async () => {
    for (const state of ["training", "paused"] as const)
      await withFake("two_spiral_training", (c, hooks) =>
        Effect.gen(function* () {
          yield* hooks.setState(state)
          expect((yield* c.resetTraining()).status).toBe("reset")
          const s = yield* c.getTrainingStatus()
          expect(s).toMatchObject({ current_epoch: 0, state_machine: { status: "STOPPED", phase: "IDLE" }, monitor: { current_hidden_units: 0 } })
          expect((yield* c.getMetricsHistory()).metrics).toEqual([])
          expect((yield* c.startTraining()).status).toBe("training_started")
          expect((yield* c.getTrainingStatus()).current_epoch).toBe(1)
        })
      )
  })

  it("xor_converged: a complete 2→1 network that separates XOR; empty: no workers", async () => {
    await withFake("xor_converged", (c) =>
      Effect.gen(function* () {
        const s = yield* c.getTrainingStatus()
        expect(s.state_machine.status).toBe("COMPLETED")
        expect(s.completion_reason).toBe("target_accuracy")
        expect(yield* c.getNetwork()).toMatchObject({ input_size: 2, output_size: 1 })
        const m = yield* c.getMetrics()
        expect(m.accuracy).toBe(1)
        const b = yield* c.getDecisionBoundary(5) // x, y ∈ {-0.5, 0, 0.5, 1, 1.5}
        expect([b.predictions[1]![1], b.predictions[1]![3], b.predictions[3]![1], b.predictions[3]![3]]).toEqual([0, 1, 1, 0])
      })
    )
    await withFake("empty", (c) =>
      Effect.gen(function* () {
        expect(yield* c.listWorkers()).toEqual({ workers: [], count: 0 })
        expect((yield* fails(c.getWorker("local-1"))).status).toBe(404)
        expect((yield* c.getWorkerStats()).total).toBe(0)
        expect((yield* fails(c.getNetwork())).status).toBe(404)
      })
    )
  })

  it("error_prone: about 10% of calls fail with the real error types, the same calls for the same seed", async () => {
    const outcomes = (seed: number) =>
      withFake({ scenario: "error_prone", seed }, (c, hooks) =>
        Effect.gen(function* () {
          const out: Array<string> = []
          for (let i = 0; i < 200; i++) {
            const r = yield* Effect.either(c.getTrainingStatus())
            out.push(Either.isLeft(r) ? r.left._tag : "ok")
          }
          expect(hooks.errorStats()).toEqual({ calls: 200, failures: out.filter((o) => o !== "ok").length })
          return out
        })
      )
    const a = await outcomes(7)
    const b = await outcomes(7)
    const c = await outcomes(8)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    const failures = a.filter((o) => o !== "ok")
    expect(failures.length).toBeGreaterThan(8)
    expect(failures.length).toBeLessThan(40)
    expect(new Set(failures)).toEqual(new Set(["CascorServiceUnavailableError", "CascorOverloadError", "CascorClientError", "CascorTimeoutError", "CascorConnectionError"]))
  })

  it("createFakeCascorClient: the Promise API over the fake", async () => {
    const c = createFakeCascorClient("two_spiral_training")
    expect((await c.getTrainingStatus()).current_epoch).toBe(3)
    // Resuming a running run is idempotent; resuming a stopped one is a 409.
    expect(await c.resumeTraining()).toMatchObject({ status: "resumed" })
    await c.stopTraining()
    await expect(c.resumeTraining()).rejects.toMatchObject({ _tag: "CascorConflictError", statusCode: 409 })
    await c.close()
  })
})
