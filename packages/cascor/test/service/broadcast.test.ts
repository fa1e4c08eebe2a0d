// The broadcast machinery without sockets: seq numbering, chunking above the threshold, the replay ring and resume
// ranges, the per-client buffer's drop policy, admission caps and cooldown, control commands against a session.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Broadcaster, type OutFrame } from "../../src/session/broadcaster.js"
import { Admission } from "../../src/ws/admission.js"
import { runCommand } from "../../src/ws/control.js"
import { Outbox } from "../../src/ws/outbox.js"
import { makeTestSession } from "./helpers.js"

const frame = (type: string, droppable: boolean, seq = 0): OutFrame => ({ seq, type, text: `{"type":"${type}"}`, droppable, at: 0 })

describe("broadcaster", () => {
  it("numbers broadcasts, replays after a seq, refuses out-of-range resumes", () => {
    const b = new Broadcaster({ replayBufferSize: 4, maxMessageSizeBytes: 60_000, chunkPayloadSizeBytes: 32_000 })
    const got: Array<OutFrame> = []
    const off = b.subscribe({ deliver: (f) => got.push(f) })
    for (let i = 0; i < 6; i++) b.publish("metrics", { i })
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(JSON.parse(got[0]!.text)).toMatchObject({ type: "metrics", seq: 1, data: { i: 0 } })
    expect(b.replayAfter(3)!.map((f) => f.seq)).toEqual([4, 5, 6])
    expect(b.replayAfter(2)!.map((f) => f.seq)).toEqual([3, 4, 5, 6])
    expect(b.replayAfter(6)).toEqual([])
    expect(b.replayAfter(1)).toBeNull() // seq 2 fell out of the ring
    expect(b.replayAfter(7)).toBeNull() // the future
    off()
    b.publish("state", {})
    expect(got.length).toBe(6)
    const disabled = new Broadcaster({ replayBufferSize: 0, maxMessageSizeBytes: 0, chunkPayloadSizeBytes: 1 })
    disabled.publish("state", {})
    expect(disabled.replayAfter(0)).toBeNull()
  })

  it("chunks frames above the threshold into ≤ 32,000-byte payloads, each with its own seq; frames stay under 64 KB", () => {
    const b = new Broadcaster({ replayBufferSize: 1024, maxMessageSizeBytes: 60_000, chunkPayloadSizeBytes: 32_000 })
    const got: Array<OutFrame> = []
    b.subscribe({ deliver: (f) => got.push(f) })
    const big = { weights: Array.from({ length: 12_000 }, (_, i) => Math.sin(i) * 1e-3) }
    b.publish("topology", big)
    expect(got.length).toBeGreaterThan(1)
    const chunks = got.map((f) => JSON.parse(f.text))
    expect(chunks.every((c) => c.type === "chunked_message")).toBe(true)
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1))
    expect(new Set(chunks.map((c) => c.data.chunk_id)).size).toBe(1)
    for (const f of got) expect(Buffer.byteLength(f.text)).toBeLessThan(65_536)
    for (const c of chunks) expect(Buffer.byteLength(c.data.payload)).toBeLessThanOrEqual(32_000)
    const text = chunks.sort((a, c) => a.data.chunk_index - c.data.chunk_index).map((c) => c.data.payload).join("")
    const inner = JSON.parse(text)
    expect(inner).toMatchObject({ type: "topology", data: big })
    expect(chunks[0].data).toMatchObject({ original_type: "topology", total_chunks: chunks.length })
  })
})

describe("client buffer", () => {
  it("drops metrics oldest-first when full; never state or events; close stays behind queued frames", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const o = new Outbox(3)
        o.push(frame("metrics", true, 1))
        o.push(frame("state", false, 2))
        o.push(frame("metrics", true, 3))
        o.push(frame("metrics", true, 4)) // drops seq 1
        o.push(frame("event", false, 5)) // drops seq 3
        o.push(frame("state", false, 6)) // drops seq 4
        o.push(frame("state", false, 7)) // nothing droppable left: kept anyway
        o.push(frame("metrics", true, 8)) // itself dropped
        expect(o.dropped).toBe(4)
        o.close(1000, "bye")
        o.push(frame("state", false, 9)) // after close: ignored
        const items: Array<unknown> = []
        for (;;) {
          const it = yield* o.take
          if (it === null) break
          items.push("frame" in it ? it.frame.seq : `close ${it.close.code}`)
        }
        expect(items).toEqual([2, 5, 6, 7, "close 1000"])
      })
    ))
})

describe("admission", () => {
  it("caps connections globally, per IP and per endpoint; 10 rejections in 60 s start a 300 s cooldown", () => {
    const a = new Admission({ global: 3, perIp: 2, perIdentity: 1, perEndpoint: { training: 2 } })
    const t = (ip: string, endpoint = "training", identity: string | null = null) => ({ ip, endpoint, identity })
    expect(a.admit(t("a")).ok).toBe(true)
    expect(a.admit(t("a")).ok).toBe(true)
    expect(a.admit(t("a", "control"))).toMatchObject({ ok: false })
    expect(a.admit(t("b"))).toMatchObject({ ok: false }) // training full
    expect(a.admit(t("b", "control", "k")).ok).toBe(true)
    expect(a.admit(t("c", "control", "k2"))).toMatchObject({ ok: false }) // global
    a.release(t("a"))
    expect(a.admit(t("c", "control", "k"))).toMatchObject({ ok: false }) // identity
    expect(a.count()).toBe(2)
    const now = 1_000_000
    for (let i = 0; i < 9; i++) a.reject("x", now + i)
    expect(a.blocked("x", now + 10)).toBe(false)
    a.reject("x", now + 10)
    expect(a.blocked("x", now + 11)).toBe(true)
    expect(a.blocked("x", now + 300_011)).toBe(false)
  })
})

describe("control commands", () => {
  it.scopedLive("map to session operations with in-band error codes", () =>
    Effect.gen(function* () {
      const { session } = yield* makeTestSession()
      const run = (name: string, params?: unknown) => Effect.flip(runCommand(session, name, params))
      expect(yield* run("frobnicate")).toMatchObject({ code: "unknown_command" })
      expect(yield* run("pause")).toMatchObject({ code: "conflict", message: "Training cannot be paused in the current state (STOPPED)" })
      expect(yield* run("start")).toMatchObject({ code: "not_found" })
      expect(yield* run("start", { inline_data: { train_x: "x" } })).toMatchObject({ code: "invalid_params" })
      expect(yield* run("start", { params: { bogus: 1 } })).toMatchObject({ code: "invalid_params" })
      expect(yield* run("set_params", { learning_rate: -1 })).toMatchObject({ code: "invalid_params" })
      expect(yield* run("set_params", [1])).toMatchObject({ code: "invalid_params" })
      expect(yield* run("set_params", { learning_rate: 0.1 })).toMatchObject({ code: "not_found" })
      yield* session.createNetwork({})
      expect(yield* runCommand(session, "set_params", { learning_rate: 0.1 })).toMatchObject({ applied: ["learning_rate"] })
      expect(yield* runCommand(session, "stop")).toMatchObject({ status: "stop_requested" })
      expect(yield* runCommand(session, "reset")).toEqual({ status: "reset" })
    })
  )
})
