/**
 * One WebSocket connection on the service's own HTTP server: the route upgrades the request (@effect/platform's
 * `HttpServerRequest.upgrade`, the same mechanism as the RPC WebSocket at /rpc), then
 * - a writer fiber drains the connection's Outbox; before each frame it checks the kernel socket's write buffer and,
 *   if more than 64 KiB are still unsent, waits for "drain" at most the send timeout — a client that cannot keep up
 *   is disconnected instead of slowing anyone else (training publishes into the Outbox and never waits);
 * - an optional heartbeat (JSON `ping` frames; any inbound frame counts as alive; close 1011 on timeout);
 * - an optional idle timeout (no traffic either way → close 1000);
 * - inbound frames are handed to the caller's handler, in order of arrival.
 */
import { HttpServerRequest, HttpServerResponse, Socket } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Duration, Effect, Option } from "effect"
import type { Socket as NetSocket } from "node:net"
import type { OutFrame } from "../session/broadcaster.js"
import { Outbox } from "./outbox.js"

const HIGH_WATER_BYTES = 64 * 1024

/** The `ws` WebSocket behind an upgraded node socket (ws keeps it under a private symbol; absent → Effect's writer). */
interface RawWebSocket {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: Buffer, options: { binary: boolean }, cb?: (err?: Error) => void): void
}
const rawWebSocketOf = (net: NetSocket): RawWebSocket | null => {
  const key = Object.getOwnPropertySymbols(net).find((s) => s.description === "websocket")
  const ws = key ? (net as unknown as Record<symbol, unknown>)[key] : undefined
  return ws && typeof (ws as RawWebSocket).send === "function" ? (ws as RawWebSocket) : null
}

/** A frame's bytes, encoded once however many clients it goes to. */
const encoded = new WeakMap<OutFrame, Buffer>()
const bytesOf = (f: OutFrame): Buffer => {
  let b = encoded.get(f)
  if (!b) encoded.set(f, (b = Buffer.from(f.text)))
  return b
}

/**
 * A frame as it goes on the wire (RFC 6455 §5.2: FIN + text opcode, unmasked server frame, payload length), built
 * once for all clients: a client that keeps up costs one buffered socket write per frame. The server negotiates no
 * extension (no permessage-deflate), so every message is a plain single frame.
 */
const wire = new WeakMap<OutFrame, Buffer>()
const wireOf = (f: OutFrame): Buffer => {
  let w = wire.get(f)
  if (w) return w
  const payload = bytesOf(f)
  const n = payload.length
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10
  w = Buffer.allocUnsafe(head + n)
  w[0] = 0x81
  if (head === 2) w[1] = n
  else if (head === 4) {
    w[1] = 126
    w.writeUInt16BE(n, 2)
  } else {
    w[1] = 127
    w.writeUInt32BE(Math.floor(n / 2 ** 32), 2)
    w.writeUInt32BE(n >>> 0, 6)
  }
  payload.copy(w, head)
  wire.set(f, w)
  return w
}

export interface ConnectionOptions {
  readonly bufferFrames: number
  readonly sendTimeoutMs: number
  /** ≤ 0 disables the heartbeat. */
  readonly heartbeatIntervalMs: number
  readonly pongTimeoutMs: number
  /** Close 1000 after this long without traffic either way (≤ 0: never). */
  readonly idleTimeoutMs: number
}

export interface Connection {
  readonly id: number
  readonly remoteAddress: string
  /** Queues a frame (never blocks). */
  readonly send: (frame: OutFrame) => void
  /** Queues a close behind the queued frames. */
  readonly close: (code: number, reason: string) => void
  /** Drops the connection at once (a client that does not read). */
  readonly terminate: () => void
  readonly outbox: Outbox
  lastInboundAt: number
  lastOutboundAt: number
}

export interface ConnectionHandlers {
  /** Called once the socket is open (greeting, admission closes). */
  readonly onOpen: (conn: Connection) => void
  readonly onMessage: (conn: Connection, data: string | Uint8Array) => Effect.Effect<void> | void
  readonly onClose: (conn: Connection) => void
}

let nextId = 1

// Deferred fan-out: a frame published by the training fiber is queued on each connection and written in one
// setImmediate pass for all of them, so the socket writes (one writev per client and burst) run after the fiber has
// launched its next phase (on the addon's threads) instead of in front of it. Order per connection is kept: every
// frame, personal or broadcast, and a close go through the same pending list.
const dirty = new Set<() => void>()
let flushScheduled = false
const flushAll = () => {
  flushScheduled = false
  const flushes = [...dirty]
  dirty.clear()
  batches = new Map()
  try {
    for (const flush of flushes) flush()
  } finally {
    batches = null
  }
}

// The frames of one flush, concatenated on the wire once and shared by every connection that gets the same ones
// (usually all of them): a client costs one socket write per flush, not one per frame.
const frameIds = new WeakMap<OutFrame, number>()
let nextFrameId = 0
const idOf = (f: OutFrame): number => {
  let id = frameIds.get(f)
  if (id === undefined) frameIds.set(f, (id = nextFrameId++))
  return id
}
let batches: Map<string, Buffer> | null = null
const batchOf = (frames: ReadonlyArray<OutFrame>): Buffer => {
  if (frames.length === 1) return wireOf(frames[0]!)
  const key = frames.map(idOf).join(",")
  let b = batches?.get(key)
  if (!b) {
    b = Buffer.concat(frames.map(wireOf))
    batches?.set(key, b)
  }
  return b
}
const scheduleFlush = (flush: () => void) => {
  dirty.add(flush)
  if (!flushScheduled) {
    flushScheduled = true
    // Two turns: the training fiber yields one turn before each phase (engine/training.ts), so frames published just
    // before a short output phase wait for the frames after it and leave in the same write (one flush per step).
    setImmediate(() => setImmediate(flushAll))
  }
}

export const remoteAddressOf = (req: HttpServerRequest.HttpServerRequest): string =>
  Option.getOrElse(req.remoteAddress, () => "unknown")

const waitDrain = (net: NetSocket, ms: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const onDrain = () => {
      clearTimeout(timer)
      resume(Effect.succeed(true))
    }
    const timer = setTimeout(() => {
      net.off("drain", onDrain)
      resume(Effect.succeed(false))
    }, ms)
    net.once("drain", onDrain)
    return Effect.sync(() => {
      clearTimeout(timer)
      net.off("drain", onDrain)
    })
  })

/** Upgrades `req` and serves the connection until it closes; answers 400 to a request that is not an upgrade. */
export const serveConnection = (
  req: HttpServerRequest.HttpServerRequest,
  o: ConnectionOptions,
  h: ConnectionHandlers
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.scoped(
    Effect.gen(function* () {
      if ((req.headers["upgrade"] ?? "").toLowerCase() !== "websocket")
        return HttpServerResponse.unsafeJson(
          {
            _tag: "CascorBadRequest",
            status: "error",
            error: { code: "VALIDATION_ERROR", message: "WebSocket upgrade required", detail: null },
            detail: "WebSocket upgrade required",
            meta: { timestamp: Date.now() / 1000, version: "0.4.0" }
          },
          { status: 400 }
        )
      const socket = yield* req.upgrade
      const write = yield* socket.writer
      const net = NodeHttpServerRequest.toIncomingMessage(req).socket as NetSocket
      const outbox = new Outbox(o.bufferFrames)
      // Fast path: with nothing queued and the socket keeping up, a frame is written at once (shared bytes, no fiber
      // hop); otherwise it waits in the Outbox for the writer fiber, which applies backpressure and the send timeout.
      let raw: RawWebSocket | null = null
      // Pre-framed writes need a connection without extensions (the ws server offers none; checked per connection).
      let plainFrames = false
      let writerBusy = false
      let pending: Array<OutFrame | { readonly close: { readonly code: number; readonly reason: string } }> = []
      const fastPath = () =>
        raw !== null && !writerBusy && outbox.size === 0 && !outbox.isEnded && raw.readyState === 1 && net.writableLength <= HIGH_WATER_BYTES
      const deliver = (frame: OutFrame) => {
        if (!fastPath()) return outbox.push(frame)
        if (plainFrames) net.write(wireOf(frame))
        else raw!.send(bytesOf(frame), { binary: false })
        conn.lastOutboundAt = Date.now()
      }
      const flush = () => {
        const items = pending
        pending = []
        if (items.length === 0) return
        // Frames of one burst (a training step's rows, topology, state) leave in one write.
        let i = 0
        if (plainFrames && fastPath()) {
          while (i < items.length && !("close" in items[i]!)) i++
          if (i > 0) {
            net.write(batchOf(items.slice(0, i) as Array<OutFrame>))
            conn.lastOutboundAt = Date.now()
          }
        }
        if (i === items.length) return
        net.cork()
        try {
          for (const item of items.slice(i)) {
            if ("close" in item) outbox.close(item.close.code, item.close.reason)
            else deliver(item)
          }
        } finally {
          net.uncork()
        }
      }
      const conn: Connection = {
        id: nextId++,
        remoteAddress: remoteAddressOf(req),
        outbox,
        lastInboundAt: Date.now(),
        lastOutboundAt: Date.now(),
        send: (frame) => {
          if (outbox.isEnded) return
          pending.push(frame)
          scheduleFlush(flush)
        },
        close: (code, reason) => {
          pending.push({ close: { code, reason } })
          scheduleFlush(flush)
        },
        terminate: () => {
          pending = []
          outbox.shutdown()
          net.destroy()
        }
      }
      const writer = Effect.gen(function* () {
        for (;;) {
          writerBusy = false
          const item = yield* outbox.take
          if (item === null) return
          writerBusy = true
          if ("close" in item) {
            yield* write(new Socket.CloseEvent(item.close.code, item.close.reason))
            // A peer that never answers the close handshake is cut after a grace period.
            yield* Effect.sleep(Duration.seconds(2))
            net.destroy()
            return
          }
          if (net.writableLength > HIGH_WATER_BYTES && !(yield* waitDrain(net, o.sendTimeoutMs))) {
            yield* Effect.logWarning("dropping a WebSocket client that does not keep up").pipe(
              Effect.annotateLogs({ remote: conn.remoteAddress, buffered_bytes: net.writableLength })
            )
            conn.terminate()
            return
          }
          if (raw !== null && raw.readyState === 1) raw.send(bytesOf(item.frame), { binary: false })
          else yield* write(item.frame.text)
          conn.lastOutboundAt = Date.now()
        }
      }).pipe(Effect.catchAll(() => Effect.sync(() => outbox.shutdown())))
      const heartbeat = Effect.gen(function* () {
        for (;;) {
          yield* Effect.sleep(Duration.millis(o.heartbeatIntervalMs))
          const sentAt = Date.now()
          conn.send({ seq: null, type: "ping", text: JSON.stringify({ type: "ping", ts: sentAt / 1000 }), droppable: false, at: sentAt })
          yield* Effect.sleep(Duration.millis(o.pongTimeoutMs))
          if (conn.lastInboundAt < sentAt) {
            conn.close(1011, `Heartbeat timeout: no pong or traffic within ${o.pongTimeoutMs / 1000}s`)
            return
          }
        }
      })
      const idle = Effect.gen(function* () {
        for (;;) {
          const last = Math.max(conn.lastInboundAt, conn.lastOutboundAt)
          const wait = last + o.idleTimeoutMs - Date.now()
          if (wait <= 0) {
            conn.close(1000, "Idle timeout")
            return
          }
          yield* Effect.sleep(Duration.millis(wait))
        }
      })
      yield* Effect.forkScoped(writer)
      if (o.heartbeatIntervalMs > 0) yield* Effect.forkScoped(heartbeat)
      if (o.idleTimeoutMs > 0) yield* Effect.forkScoped(idle)
      yield* socket
        .runRaw(
          (data) => {
            conn.lastInboundAt = Date.now()
            return h.onMessage(conn, data)
          },
          {
            onOpen: Effect.sync(() => {
              raw = rawWebSocketOf(net)
              plainFrames = raw !== null && (raw as unknown as { extensions?: string }).extensions === ""
              h.onOpen(conn)
            })
          }
        )
        .pipe(
          Effect.catchAllCause(() => Effect.void),
          Effect.ensuring(
            Effect.sync(() => {
              outbox.shutdown()
              h.onClose(conn)
            })
          )
        )
      return HttpServerResponse.empty()
    })
  ).pipe(Effect.catchAllCause(() => Effect.succeed(HttpServerResponse.empty({ status: 400 }))))
