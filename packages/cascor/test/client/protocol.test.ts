// The /ws/training client protocol (pure): validation, pong, resume, duplicates, chunks; the async queue.
import { describe, expect, it } from "vitest"
import { AsyncQueue } from "../../src/client/async-queue.js"
import { chunkFrameText } from "../../src/client/frames.js"
import { TrainingProtocol } from "../../src/client/training-protocol.js"
import { Broadcaster } from "../../src/session/broadcaster.js"

const greeting = (instance: string, currentSeq = 0) =>
  JSON.stringify({ type: "connection_established", timestamp: 1, data: { connections: 1, server_instance_id: instance, server_start_time: 1, replay_buffer_capacity: 1024, current_seq: currentSeq } })
const row = (epoch: number) => ({
  epoch, timestamp: "2026-01-01T00:00:00.000Z", loss: 0.5, accuracy: null, learning_rate: 0.35, hidden_units: 0, phase: "OUTPUT",
  validation_loss: null, validation_accuracy: null, kind: "training_step", f1: null, precision: null, recall: null, roc_auc: null
})
const metrics = (seq: number) => JSON.stringify({ type: "metrics", timestamp: 2, seq, data: row(seq) })
const initialMetrics = (currentSeq: number) => JSON.stringify({ type: "initial_metrics", timestamp: 1, data: { metrics: [], count: 0, current_seq: currentSeq } })

describe("TrainingProtocol", () => {
  it("validates frames, answers pings and counts what it drops", () => {
    const p = new TrainingProtocol()
    expect(p.receive("not json").invalid[0]).toMatch(/invalid JSON/)
    expect(p.receive(JSON.stringify({ type: "metrics", timestamp: 1, seq: 1, data: { epoch: "x" } })).invalid[0]).toMatch(/invalid metrics frame/)
    const ping = p.receive(JSON.stringify({ type: "ping", ts: 5 }))
    expect(ping.replies).toEqual([{ type: "pong" }])
    expect(ping.frames[0]?.type).toBe("ping")
    expect(new TrainingProtocol({ autoPong: false }).receive(JSON.stringify({ type: "ping", ts: 5 })).replies).toEqual([])
    expect(p.stats).toMatchObject({ invalidFrames: 2, pongsSent: 1 })
  })

  it("asks for a resume after a reconnect to the same instance only, and drops replayed duplicates", () => {
    const p = new TrainingProtocol()
    expect(p.receive(greeting("A")).replies).toEqual([])
    p.receive(initialMetrics(4))
    expect(p.receive(metrics(5)).frames).toHaveLength(1)
    expect(p.receive(metrics(6)).frames).toHaveLength(1)
    // reconnect to the same instance → resume from 6
    expect(p.receive(greeting("A", 9)).replies).toEqual([{ type: "resume", data: { last_seq: 6, server_instance_id: "A" } }])
    expect(p.receive(JSON.stringify({ type: "resume_ok", timestamp: 1, data: { replayed_count: 3 } })).frames[0]?.type).toBe("resume_ok")
    expect(p.receive(metrics(6)).frames).toHaveLength(0) // a duplicate
    expect(p.receive(metrics(7)).frames).toHaveLength(1)
    expect(p.receive(metrics(9)).frames).toHaveLength(1) // a gap
    expect(p.stats).toMatchObject({ lastSeq: 9, duplicatesDropped: 1, gaps: 1, resumes: 1 })
    // another instance: no resume, seq starts over
    expect(p.receive(greeting("B")).replies).toEqual([])
    expect(p.receive(metrics(1)).frames).toHaveLength(1)
    // resume_failed forgets the position
    p.receive(greeting("B"))
    p.receive(JSON.stringify({ type: "resume_failed", timestamp: 1, data: { reason: "out_of_range" } }))
    expect(p.stats.lastSeq).toBeUndefined()
    expect(new TrainingProtocol({ resume: false }).receive(greeting("A")).replies).toEqual([])
  })

  it("accepts the personal state frame of a fresh connect (no seq)", () => {
    const p = new TrainingProtocol()
    const b = new Broadcaster({ replayBufferSize: 8, maxMessageSizeBytes: 60_000, chunkPayloadSizeBytes: 32_000 })
    const data = {
      status: "Stopped", phase: "IDLE", learning_rate: null, max_hidden_units: 0, max_epochs: 0, current_epoch: 0, current_step: 0, network_name: "CasCor",
      dataset_name: null, threshold_function: "SymmetricSigmoid", optimizer_name: "Quickprop", timestamp: 1, phase_detail: null, grow_iteration: 0, grow_max: 0,
      best_correlation: null, candidates_trained: 0, candidates_total: 0, phase_started_at: null, candidate_epoch: 0, candidate_total_epochs: 0, output_epoch: 0,
      output_total_epochs: 0, max_iterations: 0, best_candidate_id: null, second_candidate_id: null, all_correlations: [], candidate_pool_size: 0,
      correlation_threshold: 0, convergence_threshold: 0
    }
    const out = p.receive(b.personal("state", data).text)
    expect(out.invalid).toEqual([])
    expect(out.frames[0]).toMatchObject({ type: "state", data: { status: "Stopped" } })
    expect(out.frames[0]).not.toHaveProperty("seq")
    expect(p.stats.lastSeq).toBeUndefined()
    // a broadcast state keeps its seq
    const texts: Array<string> = []
    b.subscribe({ deliver: (f) => texts.push(f.text) })
    b.publish("state", data)
    expect(p.receive(texts[0]!).frames[0]).toMatchObject({ type: "state", seq: 1 })
    expect(p.stats.lastSeq).toBe(1)
  })

  it("reassembles chunked messages from the service's broadcaster, across a reconnect", () => {
    const b = new Broadcaster({ replayBufferSize: 64, maxMessageSizeBytes: 2_000, chunkPayloadSizeBytes: 700 })
    const texts: Array<string> = []
    b.subscribe({ deliver: (f) => texts.push(f.text) })
    const topology = { input_size: 2, output_size: 1, hidden_units: Array.from({ length: 30 }, (_, id) => ({ id, weights: Array(2 + id).fill(0.123456789), bias: 0.5, activation: "Tanh" })), output_weights: [[1]], output_bias: [0] }
    b.publish("topology", topology)
    expect(texts.length).toBeGreaterThan(3)
    const p = new TrainingProtocol()
    p.receive(greeting(b.instanceId))
    p.receive(initialMetrics(0))
    const half = Math.floor(texts.length / 2)
    for (const t of texts.slice(0, half)) expect(p.receive(t).frames).toEqual([])
    // drop + resume: the same chunks again (duplicates), then the rest
    p.receive(greeting(b.instanceId))
    const frames = texts.flatMap((t) => p.receive(t).frames)
    expect(frames).toHaveLength(1)
    expect(frames[0]).toMatchObject({ type: "topology", seq: texts.length, data: { input_size: 2 } })
    expect(frames[0]!.type === "topology" && frames[0]!.data.hidden_units).toHaveLength(30)
  })

  it("chunkFrameText never splits a surrogate pair", () => {
    const text = JSON.stringify({ type: "event", data: { event: "training_started", note: "😀".repeat(10) } })
    const chunks = chunkFrameText(text, "event", "c1", 7)
    expect(chunks.map((c) => c.payload).join("")).toBe(text)
    for (const c of chunks) expect(() => encodeURIComponent(c.payload)).not.toThrow()
  })
})

describe("AsyncQueue", () => {
  it("delivers in order, drops the oldest beyond capacity, ends or fails readers", async () => {
    const q = new AsyncQueue<number>(2)
    const first = q.next()
    q.push(1)
    q.push(2)
    q.push(3)
    q.push(4)
    expect(await first).toEqual({ value: 1, done: false })
    expect(q.dropped).toBe(1)
    expect((await q.next()).value).toBe(3)
    q.end({ error: new Error("boom") })
    expect((await q.next()).value).toBe(4)
    await expect(q.next()).rejects.toThrow("boom")
  })
})
