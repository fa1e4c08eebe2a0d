/**
 * The broadcast side of /ws/training (§6), transport-independent: every broadcast frame gets the next `seq` of this
 * server instance, is serialised once, split into `chunked_message` frames when its JSON exceeds the chunk threshold,
 * kept in a replay ring (resume by `last_seq`) and handed to every live subscriber. Subscribers (WebSocket clients,
 * RPC streams) buffer on their side; `deliver` never blocks, so a slow client never slows training.
 */
import { randomUUID } from "node:crypto"
import type { BroadcastType } from "../api/schema.js"

export interface OutFrame {
  /** null for personal frames (greeting, initial_*, resume_*, ping, command_response). */
  readonly seq: number | null
  /** The wire type (`chunked_message` for a chunk). */
  readonly type: string
  /** The serialised frame. */
  readonly text: string
  /** Metrics and progress may be dropped (oldest first) by a full client buffer; state, events and chunks never. */
  readonly droppable: boolean
  /** Unix ms when the engine event behind it was emitted. */
  readonly at: number
}

export interface Subscriber {
  readonly deliver: (frame: OutFrame) => void
}

export interface BroadcastSettings {
  /** Replay ring capacity (0 disables resume). */
  readonly replayBufferSize: number
  /** Frames whose JSON exceeds this many bytes are chunked (0 disables chunking). */
  readonly maxMessageSizeBytes: number
  readonly chunkPayloadSizeBytes: number
}

const droppableTypes = new Set<string>(["metrics", "candidate_progress", "topology"])

/** Unix time with sub-millisecond resolution (same clock as Date.now()). */
export const nowMs = (): number => performance.timeOrigin + performance.now()

export class Broadcaster {
  readonly instanceId = randomUUID()
  readonly startTime = Date.now() / 1000
  private seq = 0
  private ring: Array<OutFrame> = []
  private ringStart = 0
  private readonly subscribers = new Set<Subscriber>()
  /** Counters for /v1/metrics/transport-style reporting and the emission summary log. */
  readonly counters = { messages: new Map<string, number>(), bytes: new Map<string, number>() }

  constructor(readonly settings: BroadcastSettings) {}

  get currentSeq(): number {
    return this.seq
  }

  get subscriberCount(): number {
    return this.subscribers.size
  }

  get replayOccupancy(): number {
    return this.ring.length
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s)
    return () => this.subscribers.delete(s)
  }

  /** A personal (un-numbered) frame's text. */
  personal(type: string, data: unknown, extra: Record<string, unknown> = {}): OutFrame {
    const at = nowMs()
    return { seq: null, type, text: JSON.stringify({ type, timestamp: at / 1000, ...extra, data }), droppable: false, at }
  }

  /** Numbers, serialises (chunking if needed), records and delivers one broadcast frame. */
  publish(type: BroadcastType, data: unknown, at: number = nowMs()): void {
    const frames = this.frame(type, data, at)
    for (const f of frames) {
      this.record(f)
      for (const s of this.subscribers) s.deliver(f)
    }
  }

  private frame(type: string, data: unknown, at: number): Array<OutFrame> {
    const timestamp = at / 1000
    const monotonic = performance.now() / 1000
    const droppable = droppableTypes.has(type)
    const seq = this.seq + 1
    const text = JSON.stringify({ type, timestamp, seq, emitted_at_monotonic: monotonic, data })
    const max = this.settings.maxMessageSizeBytes
    if (max <= 0 || (text.length <= max && Buffer.byteLength(text) <= max)) {
      this.seq = seq
      return [{ seq, type, text, droppable, at }]
    }
    // The original frame travels without seq inside its chunks; each chunk carries its own seq.
    const inner = JSON.stringify({ type, timestamp, emitted_at_monotonic: monotonic, data })
    const ascii = Buffer.byteLength(inner) === inner.length
    const size = Math.max(1, ascii ? this.settings.chunkPayloadSizeBytes : Math.floor(this.settings.chunkPayloadSizeBytes / 3))
    const total = Math.ceil(inner.length / size)
    const chunkId = randomUUID()
    const out: Array<OutFrame> = []
    for (let i = 0; i < total; i++) {
      const s = ++this.seq
      const chunk = { chunk_id: chunkId, chunk_index: i, total_chunks: total, original_type: type, payload: inner.slice(i * size, (i + 1) * size) }
      out.push({
        seq: s,
        type: "chunked_message",
        text: JSON.stringify({ type: "chunked_message", timestamp, seq: s, emitted_at_monotonic: monotonic, data: chunk }),
        droppable: false,
        at
      })
    }
    return out
  }

  private record(f: OutFrame): void {
    this.counters.messages.set(f.type, (this.counters.messages.get(f.type) ?? 0) + 1)
    this.counters.bytes.set(f.type, (this.counters.bytes.get(f.type) ?? 0) + f.text.length)
    const cap = this.settings.replayBufferSize
    if (cap <= 0) return
    if (this.ring.length < cap) this.ring.push(f)
    else {
      this.ring[this.ringStart] = f
      this.ringStart = (this.ringStart + 1) % cap
    }
  }

  /**
   * The buffered frames with seq > lastSeq, in order; null when they are not all buffered any more (or lastSeq is in
   * the future, or resume is disabled).
   */
  replayAfter(lastSeq: number): Array<OutFrame> | null {
    if (this.settings.replayBufferSize <= 0 || lastSeq > this.seq || lastSeq < 0) return null
    const ordered = this.ringStart === 0 ? this.ring : [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)]
    const oldest = ordered[0]?.seq ?? this.seq + 1
    if (lastSeq < oldest - 1) return null
    return ordered.filter((f) => (f.seq ?? 0) > lastSeq)
  }

  /** Forgets the counters (tests) — never the seq, which is monotonic per instance. */
  resetCounters(): void {
    this.counters.messages.clear()
    this.counters.bytes.clear()
  }
}
