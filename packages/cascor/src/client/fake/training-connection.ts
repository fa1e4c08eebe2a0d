/**
 * The server side of one in-process /ws/training connection over the fake backend, as the service does it
 * (../../ws/training.ts): the greeting, then a resume (replay of the broadcasts after `last_seq`) or a fresh connect
 * (`initial_status`, `state`, `initial_metrics`), then the session's broadcasts. Frames are the service's own wire
 * text (the Broadcaster serialises and chunks them), handed to the client's protocol as a socket would.
 */
import type { FakeCascorBackend } from "./backend.js"

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export class FakeTrainingConnection {
  private mode: "pending" | "live" | "closed" = "pending"
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly backend: FakeCascorBackend,
    /** Hands one text frame to the client. */
    private readonly deliver: (text: string) => void
  ) {}

  private get b() {
    return this.backend.broadcaster
  }

  /** Sends the greeting; a resume must come back synchronously (the protocol answers the greeting at once). */
  open(): void {
    this.deliver(
      this.b.personal("connection_established", {
        connections: 1,
        server_instance_id: this.b.instanceId,
        server_start_time: this.b.startTime,
        replay_buffer_capacity: this.b.settings.replayBufferSize,
        channel: "training",
        current_seq: this.b.currentSeq
      }).text
    )
    if (this.mode === "pending") this.fresh()
  }

  close(): void {
    this.mode = "closed"
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** A message from the client (pong, resume, subscribe_metrics; anything else is ignored). */
  fromClient(message: unknown): void {
    if (this.mode === "closed" || !isObject(message)) return
    const type = message["type"]
    if (this.mode === "pending") {
      if (type === "resume") return this.resume(message)
      this.fresh()
    }
    if (type === "subscribe_metrics") {
      const d = message["data"]
      const n = isObject(d) && typeof d["max_count"] === "number" && Number.isFinite(d["max_count"]) ? Math.round(d["max_count"]) : 100
      this.deliver(this.b.personal("initial_metrics", this.backend.session.initialMetrics(Math.max(1, Math.min(100, n)))).text)
    }
  }

  private goLive(): void {
    this.mode = "live"
    this.unsubscribe = this.b.subscribe({ deliver: (f) => this.deliver(f.text) })
  }

  private fresh(): void {
    if (this.mode !== "pending") return
    const s = this.backend.session
    this.deliver(this.b.personal("initial_status", s.statusNow()).text)
    this.deliver(this.b.personal("state", s.stateFrameData()).text)
    this.deliver(this.b.personal("initial_metrics", s.initialMetrics()).text)
    this.goLive()
  }

  private resume(message: Record<string, unknown>): void {
    const data = message["data"]
    const lastSeq = isObject(data) ? data["last_seq"] : undefined
    const instance = isObject(data) ? data["server_instance_id"] : undefined
    const fail = (reason: string) => {
      this.deliver(this.b.personal("resume_failed", { reason }).text)
      this.fresh()
    }
    if (typeof lastSeq !== "number" || !Number.isInteger(lastSeq) || lastSeq < 0 || typeof instance !== "string") return fail("malformed_resume")
    if (instance !== this.b.instanceId) return fail("server_restarted")
    const frames = this.b.replayAfter(lastSeq)
    if (frames === null) return fail("out_of_range")
    this.deliver(this.b.personal("resume_ok", { replayed_count: frames.length }).text)
    for (const f of frames) this.deliver(f.text)
    this.goLive()
  }
}
