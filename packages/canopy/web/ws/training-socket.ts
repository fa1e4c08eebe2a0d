// The /ws/training client (§4.1, §4.3): full-jitter reconnect, resume with last_seq + server_instance_id followed by
// subscribe_metrics, seq-gap warnings, chunk reassembly, pong replies, and a list of handlers per frame type.
import type { Frame } from "../api/types.js"
import { Emitter } from "../util/emitter.js"
import { backoffDelay } from "./backoff.js"
import { ChunkAssembler, type ChunkData } from "./chunks.js"
import { HandlerRegistry, type FrameHandler } from "./handlers.js"
import { socketUrl } from "./socket-url.js"

export type SocketState = "connecting" | "open" | "reconnecting" | "closed"

export interface SocketStatus {
  readonly state: SocketState
  /** Consecutive failed attempts since the last open socket. */
  readonly attempts: number
  readonly lastClose: { readonly code: number; readonly reason: string } | null
}

export interface TrainingSocketStats {
  frames: number
  seqGaps: number
  duplicates: number
  reconnects: number
  resumes: number
  resumeFailures: number
}

export class TrainingSocket {
  readonly handlers = new HandlerRegistry()
  readonly status = new Emitter<SocketStatus>()
  readonly stats: TrainingSocketStats = { frames: 0, seqGaps: 0, duplicates: 0, reconnects: 0, resumes: 0, resumeFailures: 0 }
  private ws: WebSocket | null = null
  private current: SocketStatus = { state: "closed", attempts: 0, lastClose: null }
  private readonly chunks = new ChunkAssembler(8)
  private lastSeq: number | null = null
  private serverInstanceId: string | null = null
  private everOpened = false
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private stopped = false

  constructor(private readonly path = "/ws/training") {}

  get state(): SocketStatus {
    return this.current
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  get instanceId(): string | null {
    return this.serverInstanceId
  }

  get seq(): number | null {
    return this.lastSeq
  }

  on(type: string, fn: FrameHandler): () => void {
    return this.handlers.on(type, fn)
  }

  start(): void {
    this.stopped = false
    this.open()
  }

  stop(): void {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.ws?.close(1000, "client stop")
    this.setStatus({ state: "closed", attempts: 0, lastClose: null })
  }

  send(msg: unknown): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false
    this.ws.send(JSON.stringify(msg))
    return true
  }

  private setStatus(s: SocketStatus): void {
    this.current = s
    this.status.emit(s)
  }

  private open(): void {
    const reconnecting = this.everOpened
    this.setStatus({ ...this.current, state: reconnecting ? "reconnecting" : "connecting" })
    let ws: WebSocket
    try {
      ws = new WebSocket(socketUrl(this.path))
    } catch {
      this.scheduleReconnect(1006, "constructor failed")
      return
    }
    this.ws = ws
    ws.onopen = () => {
      if (reconnecting) this.stats.reconnects++
      this.everOpened = true
      // Resume first (the server expects it as the first frame), then ask for the metrics backlog.
      if (this.lastSeq !== null && this.serverInstanceId) {
        ws.send(JSON.stringify({ type: "resume", data: { last_seq: this.lastSeq, server_instance_id: this.serverInstanceId } }))
        this.stats.resumes++
      }
      // Also the first frame of a fresh connect: any non-resume first frame skips the server's resume wait.
      ws.send(JSON.stringify({ type: "subscribe_metrics", data: { max_count: 100 } }))
      this.setStatus({ state: "open", attempts: 0, lastClose: null })
    }
    ws.onmessage = (ev) => this.onMessage(ev.data)
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.ws = null
      if (this.stopped) return
      this.scheduleReconnect(ev.code, ev.reason)
    }
    ws.onerror = () => {
      /* onclose follows and schedules the retry */
    }
  }

  private scheduleReconnect(code: number, reason: string): void {
    const attempts = this.current.attempts + 1
    this.setStatus({ state: "reconnecting", attempts, lastClose: { code, reason } })
    const delay = backoffDelay(attempts - 1)
    this.retryTimer = setTimeout(() => this.open(), delay)
  }

  private onMessage(raw: unknown): void {
    if (typeof raw !== "string") return
    let frame: Frame
    try {
      frame = JSON.parse(raw) as Frame
    } catch {
      console.warn("canopy ws: unparseable frame")
      return
    }
    this.handleFrame(frame)
  }

  /** Public for tests: process one decoded frame. */
  handleFrame(frame: Frame): void {
    if (!frame || typeof frame.type !== "string") return
    this.stats.frames++
    if (frame.type === "ping") {
      this.send({ type: "pong" })
      return
    }
    if (frame.type === "connection_established") {
      const id = (frame.data as { server_instance_id?: string } | undefined)?.server_instance_id
      if (id && id !== this.serverInstanceId) {
        // A different server instance: our seq numbers mean nothing there.
        if (this.serverInstanceId !== null) this.lastSeq = null
        this.serverInstanceId = id
      }
    }
    if (frame.server_instance_id && frame.server_instance_id !== this.serverInstanceId) {
      this.serverInstanceId = frame.server_instance_id
      this.lastSeq = null
    }
    if (frame.type === "resume_failed") {
      this.stats.resumeFailures++
      this.lastSeq = null
    }
    if (typeof frame.seq === "number") {
      if (this.lastSeq !== null) {
        if (frame.seq <= this.lastSeq) {
          this.stats.duplicates++
          return
        }
        if (frame.seq > this.lastSeq + 1) {
          this.stats.seqGaps++
          console.warn(`canopy ws: seq gap ${this.lastSeq} → ${frame.seq} (${frame.seq - this.lastSeq - 1} frames missed)`)
        }
      }
      this.lastSeq = frame.seq
    }
    if (frame.type === "chunked_message") {
      const text = this.chunks.add(frame.data as ChunkData)
      if (text === null) return
      let inner: Frame
      try {
        inner = JSON.parse(text) as Frame
      } catch {
        console.warn("canopy ws: reassembled chunk group is not JSON")
        return
      }
      const original = (frame.data as ChunkData).original_type
      this.handlers.dispatch({ ...inner, type: inner.type ?? original ?? "unknown", seq: frame.seq ?? inner.seq } as Frame)
      return
    }
    this.handlers.dispatch(frame)
  }
}
