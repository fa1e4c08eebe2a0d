/**
 * A WebSocket client's outgoing buffer: bounded for what may be lost, never lossy for what may not. When full, the
 * oldest droppable frame (metrics, candidate progress, topology — each superseded by the next) is dropped to make
 * room; state frames, events, chunks and personal frames are always kept (they are rare: state is coalesced to
 * ≤ 1 Hz, and a client that stops reading is dropped by the send timeout anyway). A close request is queued behind
 * the frames before it, so "error response, then close" keeps its order.
 */
import { Effect } from "effect"
import type { OutFrame } from "../session/broadcaster.js"

export type OutboxItem = { readonly frame: OutFrame } | { readonly close: { readonly code: number; readonly reason: string } }

export class Outbox {
  private queue: Array<OutboxItem> = []
  private waiter: ((item: OutboxItem | null) => void) | null = null
  private ended = false
  /** Frames dropped because the buffer was full. */
  dropped = 0

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.length
  }

  get isEnded(): boolean {
    return this.ended
  }

  private hand(item: OutboxItem): boolean {
    const w = this.waiter
    if (!w) return false
    this.waiter = null
    w(item)
    return true
  }

  push(frame: OutFrame): void {
    if (this.ended || this.hand({ frame })) return
    if (this.queue.length >= this.capacity) {
      const i = this.queue.findIndex((it) => "frame" in it && it.frame.droppable)
      if (i >= 0) {
        this.queue.splice(i, 1)
        this.dropped++
      } else if (frame.droppable) {
        this.dropped++
        return
      }
    }
    this.queue.push({ frame })
  }

  /** Queues a close behind what is already queued; nothing is accepted after it. */
  close(code: number, reason: string): void {
    if (this.ended) return
    this.ended = true
    if (!this.hand({ close: { code, reason } })) this.queue.push({ close: { code, reason } })
  }

  /** Drops everything (the connection is gone). */
  shutdown(): void {
    this.ended = true
    this.queue = []
    const w = this.waiter
    this.waiter = null
    w?.(null)
  }

  /** The next item; null once shut down (or after the close item was taken). */
  readonly take: Effect.Effect<OutboxItem | null> = Effect.async<OutboxItem | null>((resume) => {
    const next = this.queue.shift()
    if (next) return resume(Effect.succeed(next))
    if (this.ended) return resume(Effect.succeed(null))
    this.waiter = (item) => resume(Effect.succeed(item))
    return Effect.sync(() => {
      this.waiter = null
    })
  })
}
