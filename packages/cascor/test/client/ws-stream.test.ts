// CascorTrainingStream and CascorControlStream against a stub `ws` server (no service needed): headers, pong,
// chunks, reconnect + resume with only the missed frames, fatal closes, command_id correlation, limits.
import { afterEach, describe, expect, it } from "vitest"
import type { AddressInfo } from "node:net"
import { WebSocketServer, type WebSocket } from "ws"
import { Chunk, Effect, Either, Stream } from "effect"
import { CascorControlStream, CascorTrainingStream, chunkFrameText, type TrainingFrame, trainingFrames } from "../../src/client/index.js"

const row = (epoch: number) => ({
  epoch, timestamp: "2026-01-01T00:00:00.000Z", loss: 1 / epoch, accuracy: 0.5, learning_rate: 0.35, hidden_units: 0, phase: "OUTPUT",
  validation_loss: null, validation_accuracy: null, kind: "training_step", f1: null, precision: null, recall: null, roc_auc: null
})

interface Stub {
  readonly url: string
  readonly sockets: Array<WebSocket>
  readonly received: Array<any>
  readonly headers: Array<Record<string, unknown>>
  /** Broadcasts a metrics row to every live socket (and keeps it for replay). */
  readonly broadcast: (text?: (seq: number) => string) => number
  readonly close: () => Promise<void>
}

/** A training endpoint: greeting, resume (replay after last_seq) or fresh connect, broadcasts with seq. */
const trainingStub = async (onConnect?: (ws: WebSocket) => boolean): Promise<Stub> => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" })
  await new Promise((r) => wss.once("listening", r))
  const log: Array<{ seq: number; text: string }> = []
  let seq = 0
  const live = new Set<WebSocket>()
  const stub: Stub = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    sockets: [],
    received: [],
    headers: [],
    broadcast: (text) => {
      const s = ++seq
      const t = text ? text(s) : JSON.stringify({ type: "metrics", timestamp: 1, seq: s, data: row(s) })
      log.push({ seq: s, text: t })
      for (const ws of live) ws.send(t)
      return s
    },
    close: () => new Promise((r) => { for (const ws of wss.clients) ws.terminate(); wss.close(() => r()) })
  }
  wss.on("connection", (ws, req) => {
    stub.sockets.push(ws)
    stub.headers.push({ ...req.headers })
    if (onConnect && !onConnect(ws)) return
    ws.send(JSON.stringify({ type: "connection_established", timestamp: 1, data: { connections: 1, server_instance_id: "inst-1", server_start_time: 1, replay_buffer_capacity: 1024 } }))
    let pending = true
    const fresh = () => {
      pending = false
      ws.send(JSON.stringify({ type: "initial_metrics", timestamp: 1, data: { metrics: [], count: 0, current_seq: seq } }))
      live.add(ws)
    }
    const timer = setTimeout(() => pending && fresh(), 100)
    ws.on("message", (d) => {
      const msg = JSON.parse(String(d))
      stub.received.push(msg)
      if (pending && msg.type === "resume") {
        clearTimeout(timer)
        pending = false
        const frames = log.filter((f) => f.seq > msg.data.last_seq)
        ws.send(JSON.stringify({ type: "resume_ok", timestamp: 1, data: { replayed_count: frames.length } }))
        for (const f of frames) ws.send(f.text)
        live.add(ws)
      } else if (pending) {
        clearTimeout(timer)
        fresh()
      }
    })
    ws.on("close", () => live.delete(ws))
  })
  return stub
}

const until = async (f: () => boolean, ms = 5_000, label = "condition") => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
const seqs = (frames: ReadonlyArray<TrainingFrame>) => frames.flatMap((f) => ("seq" in f && typeof f.seq === "number" ? [f.seq] : []))

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

describe("CascorTrainingStream (stub server)", () => {
  it("sends X-API-Key, answers pings, reassembles chunks, dispatches callbacks", async () => {
    const stub = await trainingStub()
    cleanup.push(stub.close)
    const s = new CascorTrainingStream({ baseUrl: stub.url.replace("ws://", "http://"), apiKey: "k1", origin: "http://example" })
    cleanup.push(() => s.disconnect())
    const metrics: Array<TrainingFrame> = []
    const topo: Array<TrainingFrame> = []
    s.onMetrics((f) => metrics.push(f))
    s.onTopology((f) => topo.push(f))
    await s.connect()
    expect(stub.headers[0]).toMatchObject({ "x-api-key": "k1", origin: "http://example" })
    stub.sockets[0]!.send(JSON.stringify({ type: "ping", ts: 1 }))
    await until(() => stub.received.some((m) => m.type === "pong"), 2_000, "pong")
    expect(s.pongsSent).toBe(1)
    await until(() => s.stats.lastSeq !== undefined, 2_000, "initial_metrics")
    stub.broadcast()
    const topology = { input_size: 2, output_size: 1, hidden_units: [], output_weights: Array.from({ length: 2000 }, () => [0.123456789]), output_bias: [0] }
    const inner = JSON.stringify({ type: "topology", timestamp: 2, data: topology })
    const chunks = chunkFrameText(inner, "topology", "c-1", 8_000)
    expect(chunks.length).toBeGreaterThan(2)
    for (const c of chunks) stub.broadcast((seq) => JSON.stringify({ type: "chunked_message", timestamp: 2, seq, data: c }))
    stub.broadcast()
    await until(() => metrics.length === 2 && topo.length === 1, 3_000, "frames")
    expect(topo[0]).toMatchObject({ type: "topology", seq: 1 + chunks.length, data: { input_size: 2 } })
    expect(metrics.map((m) => "seq" in m && m.seq)).toEqual([1, chunks.length + 2])
    expect(s.isAlive(10_000)).toBe(true)
    expect(s.isAlive(-1)).toBe(false)
  })

  it("reconnects after a dropped socket and resumes: only the missed frames, in order, once", async () => {
    const stub = await trainingStub()
    cleanup.push(stub.close)
    const s = new CascorTrainingStream({ baseUrl: stub.url, reconnectBaseMs: 50 })
    cleanup.push(() => s.disconnect())
    const drops: Array<unknown> = []
    s.onDisconnect((d) => drops.push(d))
    await s.connect()
    const frames: Array<TrainingFrame> = []
    const reader = (async () => {
      for await (const f of s) frames.push(f)
    })()
    await until(() => s.stats.lastSeq !== undefined, 2_000, "fresh connect")
    for (let i = 0; i < 3; i++) stub.broadcast()
    await until(() => seqs(frames).length === 3, 2_000, "first frames")
    stub.sockets[0]!.terminate()
    await until(() => drops.length === 1, 2_000, "drop")
    expect(drops[0]).toMatchObject({ willReconnect: true })
    for (let i = 0; i < 4; i++) stub.broadcast() // missed while away
    await until(() => stub.sockets.length === 2, 3_000, "reconnect")
    await until(() => seqs(frames).length === 7, 3_000, "replay")
    stub.broadcast()
    await until(() => seqs(frames).length === 8, 3_000, "live after resume")
    expect(seqs(frames)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(stub.received.find((m) => m.type === "resume")).toEqual({ type: "resume", data: { last_seq: 3, server_instance_id: "inst-1" } })
    expect(frames.find((f) => f.type === "resume_ok")).toMatchObject({ data: { replayed_count: 4 } })
    expect(s.stats).toMatchObject({ resumes: 1, duplicatesDropped: 0 })
    await s.disconnect()
    await reader
  })

  it("a 4001 close is fatal: connect() rejects with CascorStreamError and no reconnect", async () => {
    const stub = await trainingStub((ws) => (ws.close(4001, "Authentication required"), false))
    cleanup.push(stub.close)
    const s = new CascorTrainingStream({ baseUrl: stub.url, reconnectBaseMs: 10 })
    const e = await s.connect().catch((x: unknown) => x)
    expect(e).toMatchObject({ _tag: "CascorStreamError", closeCode: 4001 })
    await new Promise((r) => setTimeout(r, 100))
    expect(stub.sockets).toHaveLength(1)
    await expect(s.listen()).rejects.toMatchObject({ closeCode: 4001 })
  })

  it("an unreachable server: CascorConnectionError after maxReconnectAttempts", async () => {
    const s = new CascorTrainingStream({ baseUrl: "ws://127.0.0.1:1", maxReconnectAttempts: 2, reconnectBaseMs: 5 })
    await expect(s.connect()).rejects.toMatchObject({ _tag: "CascorConnectionError" })
  })

  it("trainingFrames: the Effect-native Stream", async () => {
    const stub = await trainingStub()
    cleanup.push(stub.close)
    const timer = setInterval(() => stub.broadcast(), 10)
    cleanup.push(async () => clearInterval(timer))
    const frames = await Effect.runPromise(
      trainingFrames({ baseUrl: stub.url }).pipe(
        Stream.filter((f) => f.type === "metrics"),
        Stream.take(3),
        Stream.runCollect
      )
    )
    const got = seqs(Chunk.toReadonlyArray(frames))
    expect(got).toHaveLength(3)
    expect(got[2]! - got[0]!).toBe(2)
  })
})

/** A control endpoint: checks Origin, greets, answers commands (optionally late, in reverse order). */
const controlStub = async (opts: { readonly allowed?: string; readonly hold?: number } = {}) => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" })
  await new Promise((r) => wss.once("listening", r))
  const origins: Array<string | undefined> = []
  wss.on("connection", (ws, req) => {
    origins.push(req.headers.origin)
    if (opts.allowed && req.headers.origin !== opts.allowed) return ws.close(4003, "Origin not allowed")
    ws.send(JSON.stringify({ type: "connection_established", timestamp: 1, data: { connections: 1, server_instance_id: "ctl-1", server_start_time: 1, replay_buffer_capacity: 0, channel: "control" } }))
    const held: Array<any> = []
    ws.on("message", (d) => {
      const m = JSON.parse(String(d))
      if (m.command === "never") return
      held.push(m)
      if (held.length < (opts.hold ?? 1)) return
      for (const c of held.splice(0).reverse())
        ws.send(JSON.stringify({ type: "command_response", timestamp: 1, data: { command: c.command, command_id: c.command_id, status: "success", result: { echo: c.params ?? null } } }))
    })
  })
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, origins, close: () => new Promise<void>((r) => { for (const ws of wss.clients) ws.terminate(); wss.close(() => r()) }) }
}

describe("CascorControlStream (stub server)", () => {
  it("correlates responses by command_id (answered out of order), sends the default Origin", async () => {
    const stub = await controlStub({ hold: 3 })
    cleanup.push(stub.close)
    const c = new CascorControlStream({ baseUrl: stub.url })
    cleanup.push(() => c.disconnect())
    await c.connect()
    expect(c.serverInstanceId).toBe("ctl-1")
    expect(stub.origins).toEqual([process.env["JUNIPER_CASCOR_WS_ORIGIN"] ?? "http://localhost:8050"])
    const [a, b, p] = await Promise.all([c.command("start", { epochs: 1 }), c.command("pause"), c.setParams({ learning_rate: 0.2 })])
    expect(a).toMatchObject({ command: "start", status: "success", result: { echo: { epochs: 1 } } })
    expect(b).toMatchObject({ command: "pause", result: { echo: null } })
    expect(p).toMatchObject({ command: "set_params", result: { echo: { learning_rate: 0.2 } } })
    expect(new Set([a.command_id, b.command_id, p.command_id]).size).toBe(3)
  })

  it("times out a command, caps pending commands, rejects after disconnect", async () => {
    const stub = await controlStub()
    cleanup.push(stub.close)
    const c = new CascorControlStream({ baseUrl: stub.url, maxPending: 2 })
    await c.connect()
    await expect(c.command("never", undefined, 50)).rejects.toMatchObject({ _tag: "CascorTimeoutError" })
    const p1 = c.command("never", undefined, 300).catch((e) => e)
    const p2 = c.command("never", undefined, 300).catch((e) => e)
    await expect(c.command("stop")).rejects.toMatchObject({ _tag: "CascorStreamError", message: "too many pending commands (2)" })
    expect((await p1)._tag).toBe("CascorTimeoutError")
    await p2
    expect((await c.command("stop")).status).toBe("success")
    await c.disconnect()
    await expect(c.command("stop")).rejects.toMatchObject({ _tag: "CascorStreamError" })
  })

  it("an Origin outside the allowlist is closed with 4003; the origin option and env are honoured", async () => {
    const stub = await controlStub({ allowed: "http://canopy:8050" })
    cleanup.push(stub.close)
    const denied = await new CascorControlStream({ baseUrl: stub.url, origin: "http://evil" }).connect().catch((e: unknown) => e)
    expect(denied).toMatchObject({ _tag: "CascorStreamError", closeCode: 4003 })
    const before = process.env["JUNIPER_CASCOR_WS_ORIGIN"]
    process.env["JUNIPER_CASCOR_WS_ORIGIN"] = "http://canopy:8050"
    try {
      const c = new CascorControlStream({ baseUrl: stub.url })
      await c.connect()
      expect(c.isConnected).toBe(true)
      await c.disconnect()
    } finally {
      if (before === undefined) delete process.env["JUNIPER_CASCOR_WS_ORIGIN"]
      else process.env["JUNIPER_CASCOR_WS_ORIGIN"] = before
    }
    expect(stub.origins).toEqual(["http://evil", "http://canopy:8050"])
    const r = await Effect.runPromise(Effect.either(Effect.tryPromise(() => new CascorControlStream({ baseUrl: "ws://127.0.0.1:1" }).connect())))
    expect(Either.isLeft(r) && String((r.left as { error?: unknown }).error ?? r.left)).toMatch(/connect/i)
  })
})
