/**
 * Canopy's own broadcast side of `/ws/training` (canopy-ui §4.1): every frame for browsers — relayed from the backend
 * (cascor frames in service mode, the demo session's, the fake's) or made by Canopy (control_ack, params_updated,
 * status events) — gets Canopy's monotonic `seq` and `server_instance_id`, is serialised once, chunked above 60,000
 * bytes, kept in a 1024-frame replay ring, and handed to every connection. Because the numbering is Canopy's, a
 * browser resumes across upstream reconnects and restarts.
 *
 * Also the connection registry: admission caps (global and per IP) and the count readiness reports.
 */
import { randomUUID } from "node:crypto"
import { Context, Effect, Layer, Queue } from "effect"
import { CanopyBackend } from "../backend/backend.js"

export interface HubFrame {
  readonly seq: number | null
  readonly type: string
  readonly text: string
}

export interface HubSubscriber {
  readonly deliver: (frame: HubFrame) => void
}

export interface HubSettings {
  readonly replayBufferSize: number
  readonly chunkThresholdBytes: number
  readonly chunkPayloadBytes: number
  readonly maxConnections: number
  readonly maxConnectionsPerIp: number
}

export const DEFAULT_HUB_SETTINGS: HubSettings = {
  replayBufferSize: 1024,
  chunkThresholdBytes: 60_000,
  chunkPayloadBytes: 32_000,
  maxConnections: 50,
  maxConnectionsPerIp: 5
}

export class Hub {
  readonly instanceId = randomUUID()
  readonly startTime = Date.now() / 1000
  private seq = 0
  private ring: Array<HubFrame> = []
  private ringStart = 0
  private readonly subscribers = new Set<HubSubscriber>()
  private readonly perIp = new Map<string, number>()
  private total = 0
  readonly counters = { broadcasts: 0, bytes: 0 }

  constructor(readonly settings: HubSettings) {}

  get currentSeq(): number {
    return this.seq
  }
  get connections(): number {
    return this.total
  }
  get capacity(): number {
    return this.settings.replayBufferSize
  }
  get replayOccupancy(): number {
    return this.ring.length
  }

  /** Admission (§4.1 gate 4): true and counted, or false when a cap is reached (the caller closes with 1013). */
  admit(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0
    if (this.total >= this.settings.maxConnections || n >= this.settings.maxConnectionsPerIp) return false
    this.perIp.set(ip, n + 1)
    this.total++
    return true
  }

  release(ip: string): void {
    const n = this.perIp.get(ip) ?? 0
    if (n <= 1) this.perIp.delete(ip)
    else this.perIp.set(ip, n - 1)
    this.total = Math.max(0, this.total - 1)
  }

  subscribe(s: HubSubscriber): () => void {
    this.subscribers.add(s)
    return () => {
      this.subscribers.delete(s)
    }
  }

  /** A personal frame (no seq): greeting, initial_*, resume_*, pings. */
  personal(type: string, data: unknown, extra: Record<string, unknown> = {}): string {
    return JSON.stringify({ type, timestamp: Date.now() / 1000, ...extra, data })
  }

  /** Numbers, serialises (chunking when large), records and delivers one broadcast. */
  publish(type: string, data: unknown, timestamp: number = Date.now() / 1000): void {
    for (const f of this.frames(type, data, timestamp)) {
      this.record(f)
      this.counters.broadcasts++
      this.counters.bytes += f.text.length
      for (const s of this.subscribers) s.deliver(f)
    }
  }

  private frames(type: string, data: unknown, timestamp: number): Array<HubFrame> {
    const id = this.instanceId
    const seq = this.seq + 1
    const text = JSON.stringify({ type, timestamp, seq, server_instance_id: id, data })
    const max = this.settings.chunkThresholdBytes
    if (max <= 0 || (text.length <= max && Buffer.byteLength(text) <= max)) {
      this.seq = seq
      return [{ seq, type, text }]
    }
    const inner = JSON.stringify({ type, timestamp, server_instance_id: id, data })
    const ascii = Buffer.byteLength(inner) === inner.length
    const size = Math.max(1, ascii ? this.settings.chunkPayloadBytes : Math.floor(this.settings.chunkPayloadBytes / 3))
    const total = Math.ceil(inner.length / size)
    const chunkId = randomUUID()
    const out: Array<HubFrame> = []
    for (let i = 0; i < total; i++) {
      const s = ++this.seq
      const chunk = { chunk_id: chunkId, chunk_index: i, total_chunks: total, original_type: type, payload: inner.slice(i * size, (i + 1) * size) }
      out.push({ seq: s, type: "chunked_message", text: JSON.stringify({ type: "chunked_message", timestamp, seq: s, server_instance_id: id, data: chunk }) })
    }
    return out
  }

  private record(f: HubFrame): void {
    const cap = this.settings.replayBufferSize
    if (cap <= 0) return
    if (this.ring.length < cap) this.ring.push(f)
    else {
      this.ring[this.ringStart] = f
      this.ringStart = (this.ringStart + 1) % cap
    }
  }

  /** Buffered frames with seq > lastSeq in order; null when some are gone (or lastSeq is ahead, or resume is off). */
  replayAfter(lastSeq: number): Array<HubFrame> | null {
    if (this.settings.replayBufferSize <= 0 || lastSeq > this.seq || lastSeq < 0) return null
    const ordered = this.ringStart === 0 ? this.ring : [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)]
    const oldest = ordered[0]?.seq ?? this.seq + 1
    if (lastSeq < oldest - 1) return null
    return ordered.filter((f) => (f.seq ?? 0) > lastSeq)
  }

  private readonly closers = new Set<(shutdownFrame: string) => void>()
  private stopping = false

  get shuttingDown(): boolean {
    return this.stopping
  }

  /** Registers how to close a connection at shutdown (it gets the `server_shutdown` frame to send first). */
  onShutdown(close: (shutdownFrame: string) => void): () => void {
    this.closers.add(close)
    return () => {
      this.closers.delete(close)
    }
  }

  /** Graceful shutdown: every socket gets `server_shutdown`, then is closed (1001). */
  shutdown(): void {
    if (this.stopping) return
    this.stopping = true
    const text = this.personal("server_shutdown", {})
    for (const close of [...this.closers]) close(text)
  }
}

export class CanopyHub extends Context.Tag("@juniper/canopy/CanopyHub")<CanopyHub, Hub>() {}

/** The hub, fed by the backend's frames for as long as the layer lives. */
export const layerHub = (settings: HubSettings = DEFAULT_HUB_SETTINGS) =>
  Layer.scoped(
    CanopyHub,
    Effect.gen(function* () {
      const backend = yield* CanopyBackend
      const hub = new Hub(settings)
      // Subscribe now (not when a fiber gets round to it), so no early frame is missed.
      const queue = yield* backend.subscribe
      const pump = Queue.takeAll(queue).pipe(
        Effect.map((chunk) => {
          for (const f of chunk) hub.publish(f.type, f.data, f.timestamp)
        }),
        Effect.forever
      )
      yield* Effect.forkScoped(pump)
      // Lifecycle: the backend starts (the demo's first run) once frames have somewhere to go.
      yield* backend.initialize
      return hub
    })
  )
