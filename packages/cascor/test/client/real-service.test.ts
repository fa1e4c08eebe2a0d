// The real client and both streams against real `node dist/data` + `node dist/cascor` processes: every method with
// the service's own failures, a training stream that loses its socket and resumes with only the missed frames, a
// "restarted" server (another instance: fresh connect), and control commands correlated by command_id.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net"
import { Effect, Either, ManagedRuntime, Schema } from "effect"
import type { ServiceProcess } from "@juniper/core"
import * as S from "../../src/api/schema.js"
import {
  CascorConflictError,
  CascorControlStream,
  CascorTrainingStream,
  createCascorClient,
  JuniperCascorClient,
  layerCascorClient,
  TWO_SPIRAL_DATASET,
  type TrainingFrame
} from "../../src/client/index.js"
import { built, startCascor, startData, until } from "../integration/helpers.js"
import { seqsOf } from "./scenario.js"

const decodes = <A, I>(schema: Schema.Schema<A, I>, v: unknown) => Either.isRight(Schema.decodeUnknownEither(schema)(v))

/** A TCP proxy whose connections can be cut, and whose target can change (a "restarted" server). */
const proxy = async (target: () => number) => {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = createConnection(target(), client)
    sockets.add(client).add(upstream)
    const drop = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream))
    client.on("error", drop).on("close", drop)
    upstream.on("error", drop).on("close", drop)
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => [...sockets].forEach((s) => s.destroy()),
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r())))
  }
}
const createConnection = (port: number, client: Socket) => {
  const up = connect(port, "127.0.0.1")
  client.pipe(up).pipe(client)
  return up
}

describe.runIf(built)("clients against node dist/data + node dist/cascor", () => {
  let data: ServiceProcess
  let cascor: ServiceProcess
  beforeAll(async () => {
    data = await startData()
    cascor = await startCascor({ JUNIPER_DATA_URL: data.baseUrl })
  })
  afterAll(async () => {
    await cascor?.stop()
    await data?.stop()
  })

  const withClient = <A, E>(f: (c: typeof JuniperCascorClient.Service) => Effect.Effect<A, E>) => {
    const rt = ManagedRuntime.make(layerCascorClient({ baseUrl: cascor.baseUrl, retries: 1, backoffMs: 50 }))
    return rt.runPromise(Effect.flatMap(JuniperCascorClient, f)).finally(() => rt.dispose())
  }
  const failure = <A, E extends { _tag: string; message: string; statusCode: number | null }>(e: Effect.Effect<A, E>) =>
    Effect.map(Effect.either(e), (r) => (Either.isLeft(r) ? { tag: r.left._tag, status: r.left.statusCode, message: r.left.message } : "ok"))

  it("every REST method, with the service's typed failures", async () => {
    await withClient((c) =>
      Effect.gen(function* () {
        expect(yield* c.healthCheck()).toMatchObject({ status: "ok", service: "juniper-cascor" })
        expect((yield* c.liveness()).status).toBe("alive")
        expect(yield* c.isAlive()).toBe(true)
        const ready = yield* c.readiness()
        expect(ready.dependencies["juniper_data"]?.status).toBe("healthy")
        expect(yield* c.isReady()).toBe(false)
        expect(yield* c.waitForReady({ timeoutMs: 100, pollIntervalMs: 20 })).toBe(false)
        expect(yield* failure(c.getNetwork())).toEqual({ tag: "CascorNotFoundError", status: 404, message: "No network created" })
        expect(yield* failure(c.pauseTraining())).toEqual({ tag: "CascorConflictError", status: 409, message: "Training cannot be paused in the current state (STOPPED)" })
        expect(yield* failure(c.getSnapshot("bad id!"))).toMatchObject({ tag: "CascorValidationError", status: 400 })
        expect(yield* failure(c.getSnapshot("nope"))).toMatchObject({ tag: "CascorNotFoundError", status: 404 })
        expect(yield* failure(c.getWorker("nope"))).toMatchObject({ tag: "CascorNotFoundError", status: 404 })
        expect(yield* failure(c.startTraining())).toEqual({ tag: "CascorNotFoundError", status: 404, message: "No training data loaded" })
        expect(yield* failure(c.startTraining({ inlineData: { train_x: [[0, 0], [1, 1]], train_y: [[0]] } }))).toMatchObject({ tag: "CascorValidationError", status: 422 })
        expect((yield* c.getDataset()).loaded).toBe(false)
        expect((yield* c.getMetricsHistory()).metrics).toEqual([])
        expect((yield* c.listSnapshots()).total).toBe(0)
        expect((yield* c.listWorkers()).count).toBeGreaterThanOrEqual(1)
        expect((yield* c.getWorkerStats()).total).toBeGreaterThanOrEqual(1)

        const net = yield* c.createNetwork({ input_size: 2, output_size: 1, random_seed: 3, max_hidden_units: 4, max_iterations: 4 })
        expect(net).toMatchObject({ input_size: 2, output_size: 1, hidden_units: 0, random_seed: 3 })
        expect((yield* c.getNetwork()).uuid).toBe(net.uuid)
        expect(yield* c.isReady()).toBe(true)
        expect(yield* c.waitForReady({ timeoutMs: 10_000 })).toBe(true)
        const patch = yield* c.updateParams({ candidate_epochs: 40, epochs_max: 3 })
        expect(patch.applied).toEqual(["candidate_epochs"])
        expect(patch.skipped).toEqual([{ key: "epochs_max", reason: "not-updatable" }])
        expect((yield* c.getTrainingParams()).candidate_epochs).toBe(40)
        expect(yield* failure(c.updateParams({ selected_candidates: 99 }))).toMatchObject({ tag: "CascorValidationError", status: 422 })
        expect((yield* c.getTopology()).hidden_units).toEqual([])
        expect((yield* c.getStatistics()).total_hidden_units).toBe(0)

        const xor = { train_x: [[0, 0], [0, 1], [1, 0], [1, 1]], train_y: [[0], [1], [1], [0]] }
        expect((yield* c.startTraining({ inlineData: xor })).status).toBe("training_started")
        for (let i = 0; i < 500; i++) {
          const s = yield* c.getTrainingStatus()
          if (s.state_machine.status === "COMPLETED") break
          yield* Effect.sleep("20 millis")
        }
        const done = yield* c.getTrainingStatus()
        expect(done.state_machine.status).toBe("COMPLETED")
        expect(done.completion_reason).not.toBeNull()
        expect((yield* c.getMetrics()).kind).toBe("training_step")
        expect((yield* c.getMetricsHistory(1)).metrics).toHaveLength(1)
        expect((yield* c.getDatasetData()).X_train).toEqual(xor.train_x)
        expect((yield* c.getDecisionBoundary(5)).resolution).toBe(5)
        expect(yield* failure(c.getDecisionBoundary(4))).toMatchObject({ tag: "CascorValidationError", status: null })
        const snap = yield* c.saveSnapshot("xor")
        expect((yield* c.getSnapshot(snap.snapshot_id)).snapshot_id).toBe(snap.snapshot_id)
        expect((yield* c.listSnapshots({ limit: 5, offset: 0 })).snapshots[0]!.snapshot_id).toBe(snap.snapshot_id)
        expect((yield* c.loadSnapshot(snap.snapshot_id)).status).toBe("restored")
        expect((yield* c.resetTraining()).status).toBe("reset")
        expect((yield* c.stopTraining()).stopped).toBe(true)
        expect((yield* c.resumeTraining().pipe(Effect.flip))._tag).toBe("CascorConflictError")
        expect(yield* c.deleteNetwork()).toEqual({ deleted: true })
      })
    )
    // The Promise facade on the same service.
    const p = createCascorClient({ baseUrl: cascor.baseUrl })
    expect((await p.getTrainingStatus()).network_loaded).toBe(false)
    await expect(p.pauseTraining()).rejects.toBeInstanceOf(CascorConflictError)
    await p.close()
  })

  it("a training stream that loses its socket reconnects and resumes with only the missed frames", async () => {
    const px = await proxy(() => cascor.port)
    const stream = new CascorTrainingStream({ baseUrl: px.url, reconnectBaseMs: 150 })
    const frames: Array<TrainingFrame> = []
    const drops: Array<unknown> = []
    stream.onFrame((f) => frames.push(f))
    // The last seq the client holds when its socket drops: frames of the paused phase may still land after the
    // paused state, so the replay is checked against this, not against an earlier reading.
    let lastAtDrop: number | undefined
    stream.onDisconnect((d) => {
      lastAtDrop = seqsOf(frames).at(-1)
      drops.push(d)
    })
    try {
      await withClient((c) => c.createNetwork({ input_size: 2, output_size: 2, random_seed: 42, max_hidden_units: 30, max_iterations: 30 }))
      await stream.connect()
      await withClient((c) => c.startTraining({ dataset: { ...TWO_SPIRAL_DATASET, params: { ...TWO_SPIRAL_DATASET.params } } }))
      await until(() => frames.some((f) => f.type === "cascade_add"), 60_000, "a cascade_add")
      await withClient((c) => c.pauseTraining())
      await until(() => frames.some((f) => f.type === "state" && "seq" in f && f.data.status === "Paused"), 10_000, "paused state")
      px.cut()
      await until(() => drops.length === 1, 30_000, "the drop")
      expect(stream.isConnected).toBe(false)
      // Frames the client misses while away: a resume and a pause make state frames, training makes more.
      await withClient((c) => Effect.zipRight(c.resumeTraining(), Effect.zipRight(Effect.sleep("100 millis"), c.pauseTraining())))
      await until(() => frames.some((f) => f.type === "resume_ok"), 10_000, "resume_ok")
      const ok = frames.find((f) => f.type === "resume_ok")!
      const replayed = ok.type === "resume_ok" ? ok.data.replayed_count : 0
      expect(replayed).toBeGreaterThan(0)
      await until(() => seqsOf(frames.slice(frames.indexOf(ok) + 1)).length >= replayed, 30_000, "the replay")
      expect(seqsOf(frames.slice(frames.indexOf(ok) + 1))[0]).toBe(lastAtDrop! + 1)
      const all = seqsOf(frames)
      expect(new Set(all).size).toBe(all.length)
      for (let i = 1; i < all.length; i++) expect(all[i]).toBe(all[i - 1]! + 1)
      expect(frames.filter((f) => f.type === "initial_status")).toHaveLength(1)
      expect(stream.stats).toMatchObject({ resumes: 1, resumeFailures: 0, duplicatesDropped: 0, gaps: 0 })
      expect(drops[0]).toMatchObject({ willReconnect: true })
      expect(stream.isConnected).toBe(true)
    } finally {
      await stream.disconnect()
      await px.close()
      await withClient((c) => Effect.zipRight(c.stopTraining(), Effect.ignore(c.resetTraining())))
    }
  })

  it("a restarted server (another instance): the stream reconnects with a fresh connect, no resume", async () => {
    const other = await startCascor({ JUNIPER_DATA_URL: data.baseUrl })
    let port = cascor.port
    const px = await proxy(() => port)
    const stream = new CascorTrainingStream({ baseUrl: px.url, reconnectBaseMs: 100 })
    const frames: Array<TrainingFrame> = []
    stream.onFrame((f) => frames.push(f))
    try {
      await stream.connect()
      await until(() => frames.some((f) => f.type === "initial_metrics"), 30_000, "fresh connect")
      const first = stream.stats.serverInstanceId
      port = other.port
      px.cut()
      await until(() => frames.filter((f) => f.type === "connection_established").length === 2 && frames.filter((f) => f.type === "initial_metrics").length === 2, 10_000, "reconnect")
      expect(stream.stats.serverInstanceId).not.toBe(first)
      expect(stream.stats.resumes).toBe(0)
      expect(frames.filter((f) => f.type === "initial_status")).toHaveLength(2)
    } finally {
      await stream.disconnect()
      await px.close()
      await other.stop()
    }
  })

  it("control commands are correlated by command_id; a foreign Origin is refused with 4003", async () => {
    await withClient((c) => c.createNetwork({ input_size: 2, output_size: 2, random_seed: 1, max_hidden_units: 30, max_iterations: 30 }))
    const ctl = new CascorControlStream({ baseUrl: cascor.baseUrl.replace("http", "ws") })
    try {
      await ctl.connect()
      expect(ctl.serverInstanceId).toMatch(/[0-9a-f-]{36}/)
      const responses = await Promise.all([
        ctl.setParams({ candidate_epochs: 61 }),
        ctl.command("pause"),
        ctl.setParams({ output_epochs: 62 }),
        ctl.command("fly")
      ])
      expect(new Set(responses.map((r) => r.command_id)).size).toBe(4)
      expect(responses.map((r) => [r.command, r.status, r.code ?? null])).toEqual([
        ["set_params", "success", null],
        ["pause", "error", "conflict"],
        ["set_params", "success", null],
        ["fly", "error", "unknown_command"]
      ])
      expect((responses[0]!.result as { candidate_epochs: number }).candidate_epochs).toBe(61)
      expect((responses[2]!.result as { output_epochs: number }).output_epochs).toBe(62)
      const started = await ctl.command("start", { dataset: { ...TWO_SPIRAL_DATASET, params: { ...TWO_SPIRAL_DATASET.params } } })
      expect(started).toMatchObject({ status: "success", result: { status: "training_started" } })
      expect(decodes(S.StartResult, started.result)).toBe(true)
      expect((await ctl.command("stop")).status).toBe("success")
    } finally {
      await ctl.disconnect()
    }
    const denied = await new CascorControlStream({ baseUrl: cascor.baseUrl, origin: "http://evil.example" }).connect().catch((e: unknown) => e)
    expect(denied).toMatchObject({ _tag: "CascorStreamError", closeCode: 4003 })
  })
})
