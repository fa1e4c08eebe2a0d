// FakeCascorTrainingStream / FakeCascorControlStream and the fake CascorTrainingStreams layer: the service's frames
// (with seq) through the real client protocol, pacing, injection, a dropped connection resumed with only the missed
// frames, and control commands correlated by command_id.
import { describe, expect, it } from "vitest"
import { Chunk, Effect, Either, Layer, ManagedRuntime, Stream } from "effect"
import {
  CascorTrainingStreams,
  FakeCascor,
  FakeCascorControlStream,
  FakeCascorTrainingStream,
  JuniperCascorClient,
  layerFakeCascor,
  type TrainingFrame
} from "../../src/client/index.js"

const until = async (f: () => boolean, ms = 10_000, label = "condition") => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
const seqs = (frames: ReadonlyArray<TrainingFrame>) => frames.flatMap((f) => ("seq" in f && typeof f.seq === "number" ? [f.seq] : []))

const fakeRuntime = (stream = {}) => ManagedRuntime.make(layerFakeCascor({ scenario: "two_spiral_training", stream }))

describe("FakeCascorTrainingStream", () => {
  it("greets, then paces training: metrics, candidate_progress, cascade_add, topology, state with increasing seq", async () => {
    const rt = fakeRuntime()
    const hooks = await rt.runPromise(FakeCascor)
    const s = new FakeCascorTrainingStream({ backend: hooks.backend, delay: 5 })
    const seen: Record<string, number> = {}
    for (const cb of ["onMetrics", "onState", "onTopology", "onCascadeAdd", "onEvent", "onCandidateProgress"] as const)
      s[cb]((f: TrainingFrame) => void (seen[f.type] = (seen[f.type] ?? 0) + 1))
    expect(s.isConnected).toBe(false)
    await s.connect()
    expect(s.isConnected).toBe(true)
    const frames: Array<TrainingFrame> = []
    for await (const f of s.stream()) {
      frames.push(f)
      if (frames.filter((x) => x.type === "cascade_add").length >= 2) break
    }
    expect(frames.slice(0, 4).map((f) => f.type)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    const initial = frames[3]!
    expect(initial.type === "initial_metrics" && initial.data.metrics.map((r) => r.epoch)).toEqual([1, 2, 3])
    const broadcast = seqs(frames)
    expect(broadcast.length).toBeGreaterThan(5)
    for (let i = 1; i < broadcast.length; i++) expect(broadcast[i]).toBe(broadcast[i - 1]! + 1)
    expect(initial.type === "initial_metrics" && broadcast[0]).toBe(initial.type === "initial_metrics" ? initial.data.current_seq + 1 : -1)
    for (const t of ["metrics", "candidate_progress", "cascade_add", "topology", "state"]) expect(seen[t], t).toBeGreaterThan(0)
    const add = frames.find((f) => f.type === "cascade_add")!
    expect(add.type === "cascade_add" && add.data.hidden_unit_index).toBe(2)
    expect(s.isAlive()).toBe(true)
    expect(s.lastFrameAt).not.toBeNull()
    await s.disconnect()
    expect(s.isConnected).toBe(false)
    await rt.dispose()
  })

  it("injectMessage numbers broadcast frames like the server; invalid frames are dropped and counted", async () => {
    const rt = fakeRuntime()
    const hooks = await rt.runPromise(FakeCascor)
    const s = new FakeCascorTrainingStream({ backend: hooks.backend, autoAdvance: false })
    const events: Array<TrainingFrame> = []
    s.onEvent((f) => events.push(f))
    await s.connect()
    const before = hooks.backend.broadcaster.currentSeq
    expect(s.injectMessage({ type: "event", data: { event: "training_started" } })).toBe(true)
    s.injectMessage({ type: "ping", ts: 1 })
    s.injectMessage({ type: "metrics", timestamp: 1, seq: 99_999, data: { bad: true } })
    await until(() => events.length === 1, 2_000, "event")
    expect(events[0]).toMatchObject({ type: "event", seq: before + 1, data: { event: "training_started" } })
    expect(s.stats).toMatchObject({ invalidFrames: 1, pongsSent: 1 })
    const initial: Array<TrainingFrame> = []
    s.onFrame((f) => f.type === "initial_metrics" && initial.push(f))
    expect(s.subscribeMetrics(2)).toBe(true)
    await until(() => initial.length === 1, 2_000, "initial_metrics")
    expect(initial[0]!.type === "initial_metrics" && initial[0]!.data.metrics.map((r) => r.epoch)).toEqual([2, 3])
    await s.disconnect()
    await rt.dispose()
  })

  it("a dropped connection reconnects and resumes with only the missed frames", async () => {
    const rt = fakeRuntime()
    const hooks = await rt.runPromise(FakeCascor)
    const s = new FakeCascorTrainingStream({ backend: hooks.backend, autoAdvance: false, reconnectDelayMs: 100 })
    const frames: Array<TrainingFrame> = []
    const drops: Array<unknown> = []
    s.onFrame((f) => frames.push(f))
    s.onDisconnect((d) => drops.push(d))
    await s.connect()
    await rt.runPromise(hooks.advanceEpoch(1))
    const seenBefore = seqs(frames)
    expect(s.simulateDisconnect(1011, "heartbeat timeout")).toBe(true)
    await until(() => drops.length === 1, 2_000, "onDisconnect")
    expect(drops).toEqual([{ code: 1011, reason: "heartbeat timeout", willReconnect: true }])
    expect(s.isConnected).toBe(false)
    await rt.runPromise(hooks.advanceEpoch(1)) // while disconnected
    const missed = hooks.backend.broadcaster.currentSeq - seenBefore.at(-1)!
    expect(missed).toBeGreaterThan(0)
    await until(() => frames.some((f) => f.type === "resume_ok"), 5_000, "resume_ok")
    await until(() => seqs(frames).at(-1) === hooks.backend.broadcaster.currentSeq, 5_000, "replay")
    const ok = frames.find((f) => f.type === "resume_ok")!
    expect(ok.type === "resume_ok" && ok.data.replayed_count).toBe(missed)
    const all = seqs(frames)
    expect(new Set(all).size).toBe(all.length)
    for (let i = 1; i < all.length; i++) expect(all[i]).toBe(all[i - 1]! + 1)
    expect(frames.filter((f) => f.type === "initial_status")).toHaveLength(1) // resumed, not a fresh connect
    expect(s.stats).toMatchObject({ resumes: 1, duplicatesDropped: 0, gaps: 0 })
    await s.dispose()
    await rt.dispose()
  })

  it("yields pre-configured messages at `delay` intervals (own backend)", async () => {
    const s = new FakeCascorTrainingStream({
      scenario: "idle",
      delay: 20,
      messages: [{ type: "event", data: { event: "training_started" } }, { type: "event", data: { event: "training_complete", completion_reason: "target_accuracy" } }]
    })
    const got: Array<TrainingFrame> = []
    s.onEvent((f) => got.push(f))
    const t0 = Date.now()
    await s.connect()
    await until(() => got.length === 2, 2_000, "messages")
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35)
    expect(got.map((f) => f.type === "event" && f.data.event)).toEqual(["training_started", "training_complete"])
    expect(seqs(got)).toEqual([1, 2])
    await s.dispose()
  })
})

describe("fake control and the fake CascorTrainingStreams layer", () => {
  it("commands are answered by command_id; failures are in-band or typed (execute)", async () => {
    const rt = fakeRuntime()
    const hooks = await rt.runPromise(FakeCascor)
    const ctl = new FakeCascorControlStream({ backend: hooks.backend })
    await ctl.connect()
    expect(ctl.serverInstanceId).toBe(hooks.backend.broadcaster.instanceId)
    const paused = await ctl.command("pause")
    expect(paused).toMatchObject({ command: "pause", status: "success", result: { status: "paused" } })
    expect(paused.command_id).toMatch(/^[0-9a-f-]{36}$/)
    const again = await ctl.command("pause")
    // A repeated command is idempotent.
    expect(again).toMatchObject({ status: "success", result: { status: "paused" } })
    expect(await ctl.command("fly")).toMatchObject({ status: "error", code: "unknown_command" })
    expect(await ctl.setParams({ candidate_epochs: 70 })).toMatchObject({ status: "success", result: { applied: ["candidate_epochs"] } })
    expect(await ctl.command("set_params", { nope: 1 })).toMatchObject({ status: "error", code: "invalid_params" })
    expect((await ctl.command("resume")).status).toBe("success")
    const status = await rt.runPromise(Effect.flatMap(JuniperCascorClient, (c) => c.getTrainingStatus()))
    expect(status.state_machine.status).toBe("STARTED")
    await ctl.disconnect()
    await expect(ctl.command("stop")).rejects.toMatchObject({ _tag: "CascorStreamError" })
    await rt.dispose()
  })

  it("CascorTrainingStreams (fake): frames as a Stream and a scoped control channel", async () => {
    const rt = fakeRuntime({ delay: 5 })
    const out = await rt.runPromise(
      Effect.gen(function* () {
        const streams = yield* CascorTrainingStreams
        const frames = yield* streams.training().pipe(
          Stream.takeUntil((f) => f.type === "cascade_add"),
          Stream.runCollect
        )
        const denied = yield* Effect.scoped(
          Effect.flatMap(streams.control(), (ctl) => Effect.either(ctl.execute("start")))
        )
        return { types: Chunk.toReadonlyArray(frames).map((f) => f.type), denied }
      })
    )
    expect(out.types.slice(0, 4)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    expect(out.types.at(-1)).toBe("cascade_add")
    expect(Either.isLeft(out.denied) && out.denied.left).toMatchObject({ _tag: "CascorConflictError", errorCode: "conflict" })
    await rt.dispose()
  })
})

export { Layer }
