// The clients' network-editing (E1–E3) and snapshot resume/retrain (R1, R2) methods: the same scenario on
// FakeCascorClient and on the HTTP client against a real `node dist/cascor`, payloads checked against the wire schemas
// and failures typed as the service's (409, 400, 404, 422; a non-integer unit index refused before any request); the
// RPC group and the Promise facade reach the same operations.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect, Either, ManagedRuntime, Schema } from "effect"
import * as S from "../../src/api/schema.js"
import { CascorNotFoundError, createCascorClient, JuniperCascorClient, layerCascorClient, layerFakeCascorClient } from "../../src/client/index.js"
import { CascorRpcClient, layerCascorRpcClient } from "../../src/rpc/client.js"
import { built, data, inline, type ServiceProcess, startCascor, status, until } from "../integration/helpers.js"

const shaped = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A => {
  Schema.encodeUnknownSync(schema)(value)
  return value as A
}

const fails = <A, E extends { _tag: string; message: string; statusCode: number | null }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? { tag: r.left._tag, status: r.left.statusCode, message: r.left.message } : { ok: r.right }))

/** From a network trained part-way (2 inputs, 2 outputs; training or paused), through every new method. */
const scenario = (c: typeof JuniperCascorClient.Service) =>
  Effect.gen(function* () {
    expect(yield* fails(c.editWeights({ target: "output", field: "bias", values: [0, 0] }))).toMatchObject({ tag: "CascorConflictError", status: 409 })
    const snap = yield* c.saveSnapshot("for editing")
    yield* c.stopTraining()
    expect(yield* fails(c.addHiddenUnit({ weights: [], bias: 0 }))).toMatchObject({ tag: "CascorConflictError", status: 409 })
    expect((yield* c.loadSnapshot(snap.snapshot_id)).fsm_state).toBe("INVESTIGATING")
    const t0 = yield* c.getTopology()
    const H = t0.hidden_units.length
    expect(H).toBe(snap.network.hidden_units)

    const edited = shaped(S.WeightEditResult, yield* c.editWeights({ target: "output", field: "bias", values: [0.5, -0.25] }))
    expect(edited).toMatchObject({ operation: "edit_weights", fsm_state: "INVESTIGATING", hidden_units: H, target: "output", field: "bias" })
    expect((yield* c.getTopology()).output_bias).toEqual([0.5, -0.25])
    expect(yield* fails(c.editWeights({ target: "output", field: "weights", values: [[1, 2]] }))).toMatchObject({
      tag: "CascorValidationError",
      status: 400,
      message: expect.stringMatching(/^values: /)
    })
    expect(yield* fails(c.editWeights({ target: "hidden_unit", field: "bias", hidden_unit_index: H, values: 0 }))).toMatchObject({ tag: "CascorNotFoundError", status: 404 })
    expect(yield* fails(c.editWeights({ target: "output", field: "bias", values: [1e39, 0] }))).toMatchObject({ tag: "CascorValidationError", status: 422 })

    const weights = Array.from({ length: 2 + H }, (_, i) => i / 4)
    const added = shaped(S.HiddenUnitAddResult, yield* c.addHiddenUnit({ weights, bias: 0.125 }))
    expect(added).toEqual({ unit_index: H, num_hidden_units: H + 1, operation: "add_hidden_unit", fsm_state: "INVESTIGATING" })
    expect((yield* c.getTopology()).hidden_units[H]).toMatchObject({ id: H, weights, bias: 0.125 })
    expect(yield* fails(c.addHiddenUnit({ weights, bias: 0, position: "head" }))).toMatchObject({ tag: "CascorValidationError", status: 400 })
    const removed = shaped(S.HiddenUnitRemoveResult, yield* c.removeHiddenUnit(H))
    expect(removed).toEqual({ removed_index: H, num_hidden_units: H, operation: "remove_hidden_unit", fsm_state: "INVESTIGATING" })
    expect(yield* fails(c.removeHiddenUnit(H))).toMatchObject({ tag: "CascorNotFoundError", status: 404 })
    // Refused before any request.
    expect(yield* fails(c.removeHiddenUnit(0.5))).toMatchObject({ tag: "CascorValidationError", status: null })
    expect(yield* fails(c.editWeights({ target: "nowhere", field: "bias", values: [0] } as never))).toMatchObject({ tag: "CascorValidationError", status: null })

    const resumed = shaped(S.SnapshotResumeResult, yield* c.resumeSnapshot(snap.snapshot_id))
    expect(resumed).toMatchObject({ snapshot_id: snap.snapshot_id, operation: "resume", status: "ready", fsm_state: "RESUME_READY", resume_point_epoch: snap.current_epoch })
    expect((yield* c.getTopology()).output_bias).toEqual(t0.output_bias) // the snapshot's, not the edit's
    const retrained = shaped(S.SnapshotRetrainResult, yield* c.retrainSnapshot(snap.snapshot_id))
    expect(retrained).toMatchObject({ snapshot_id: snap.snapshot_id, operation: "retrain", status: "ready", fsm_state: "STOPPED", hidden_units: H })
    expect((yield* c.getMetricsHistory()).metrics).toEqual([])
    expect((yield* c.getTrainingStatus()).current_epoch).toBe(0)
    expect(yield* fails(c.resumeSnapshot("nope"))).toMatchObject({ tag: "CascorNotFoundError", status: 404 })
    expect(yield* fails(c.retrainSnapshot("bad id"))).toMatchObject({ tag: "CascorValidationError", status: 400 })
    return snap.snapshot_id
  })

describe("clients: network editing and snapshot resume/retrain", () => {
  it("FakeCascorClient (two_spiral_training)", async () => {
    const rt = ManagedRuntime.make(layerFakeCascorClient("two_spiral_training"))
    await rt.runPromise(Effect.flatMap(JuniperCascorClient, scenario)).finally(() => rt.dispose())
  })

  describe.runIf(built)("HTTP client, RPC and the Promise facade against node dist/cascor", () => {
    let svc: ServiceProcess
    beforeAll(async () => {
      // Paced (the results do not change) so that the run is still going when the scenario pauses it.
      svc = await startCascor({ JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: "0.5" })
    })
    afterAll(async () => {
      await svc?.stop()
    })

    it("the same scenario over HTTP, then RPC and the Promise client", async () => {
      await data(svc, "POST", "/v1/network", { candidate_pool_size: 3, max_hidden_units: 10, candidate_epochs: 20, output_epochs: 20, random_seed: 5 })
      await data(svc, "POST", "/v1/training/start", { inline_data: inline(30) })
      await until(async () => (await status(svc)).monitor.current_hidden_units >= 1 || undefined, 60_000, "a first unit")
      await data(svc, "POST", "/v1/training/pause")
      const rt = ManagedRuntime.make(layerCascorClient({ baseUrl: svc.baseUrl, retries: 1, backoffMs: 50 }))
      const id = await rt.runPromise(Effect.flatMap(JuniperCascorClient, scenario)).finally(() => rt.dispose())

      const viaRpc = await Effect.runPromise(
        Effect.gen(function* () {
          const rpc = yield* CascorRpcClient
          const restored = yield* rpc.RestoreSnapshot({ id })
          const H = restored.time_index.snapshot_window.hidden_units
          const edit = yield* rpc.EditWeights({ target: "hidden_unit", field: "bias", hidden_unit_index: 0, values: 0.75 })
          const add = yield* rpc.AddHiddenUnit({ weights: Array.from({ length: 2 + H }, () => 0), bias: 0 })
          const remove = yield* rpc.RemoveHiddenUnit({ idx: H })
          const missing = yield* Effect.flip(rpc.RemoveHiddenUnit({ idx: H }))
          const resume = yield* rpc.ResumeSnapshot({ id })
          const retrain = yield* rpc.RetrainSnapshot({ id })
          return { H, edit, add, remove, missing, resume, retrain }
        }).pipe(Effect.provide(layerCascorRpcClient(`${svc.baseUrl}/rpc`, "http")))
      )
      expect(viaRpc.edit).toMatchObject({ operation: "edit_weights", target: "hidden_unit", hidden_unit_index: 0 })
      expect(viaRpc.add).toMatchObject({ unit_index: viaRpc.H, num_hidden_units: viaRpc.H + 1 })
      expect(viaRpc.remove).toMatchObject({ removed_index: viaRpc.H, num_hidden_units: viaRpc.H })
      expect(viaRpc.missing).toMatchObject({ _tag: "SessionNotFound" })
      expect(viaRpc.resume).toMatchObject({ operation: "resume", fsm_state: "RESUME_READY" })
      expect(viaRpc.retrain).toMatchObject({ operation: "retrain", fsm_state: "STOPPED" })

      const p = createCascorClient({ baseUrl: svc.baseUrl })
      expect((await p.resumeSnapshot(id)).fsm_state).toBe("RESUME_READY")
      expect((await p.loadSnapshot(id)).fsm_state).toBe("INVESTIGATING")
      expect((await p.editWeights({ target: "output", field: "bias", values: [1, 1] })).fsm_state).toBe("INVESTIGATING")
      await expect(p.removeHiddenUnit(99)).rejects.toBeInstanceOf(CascorNotFoundError)
      expect((await p.retrainSnapshot(id)).status).toBe("ready")
      await p.close()
    }, 120_000)
  })
})
