/**
 * The class API of /ws/training for non-Effect code (§13.3 `CascorTrainingStream`): `connect()`, `disconnect()`, an
 * async iterator over frames (`stream()` or `for await (… of stream)`), callbacks (`onMetrics`, `onState`, …), and
 * liveness (`isConnected`, `isAlive(window)`, `lastFrameAt`, `pongsSent`). It runs the Effect stream of
 * ./training-stream.ts, so it reconnects and resumes the same way. FakeCascorTrainingStream has the same surface.
 */
import { Cause, Effect, Exit, Fiber, Stream } from "effect"
import { AsyncQueue } from "./async-queue.js"
import { streamError } from "./errors.js"
import type { FrameOf, TrainingFrame } from "./frames.js"
import { type ProtocolStats, TrainingProtocol } from "./training-protocol.js"
import {
  OutboundLink,
  TRAINING_PATH,
  type TrainingStreamError,
  type TrainingStreamEvent,
  trainingStreamEvents,
  type TrainingStreamOptions
} from "./training-stream.js"

export interface DisconnectInfo {
  readonly code: number | null
  readonly reason: string
  /** true when the stream reconnects by itself. */
  readonly willReconnect: boolean
}

type Handler<F> = (frame: F) => void

/** The surface shared by CascorTrainingStream and FakeCascorTrainingStream. */
export interface TrainingStreamClient {
  /** Resolves once `connection_established` arrived; rejects with a typed client error. */
  connect(path?: string): Promise<void>
  disconnect(): Promise<void>
  /** The frames from the connection on (one consumer; chunks reassembled; duplicates dropped). */
  stream(): AsyncIterableIterator<TrainingFrame>
  [Symbol.asyncIterator](): AsyncIterableIterator<TrainingFrame>
  /** Resolves when the stream ends (disconnect); rejects on a fatal error. Callbacks fire meanwhile. */
  listen(): Promise<void>
  /** Sends `{"type":"command","command","params"}` on the open socket (fire and forget); false when not connected. */
  sendCommand(command: string, params?: Readonly<Record<string, unknown>>): boolean
  /** Asks for an `initial_metrics` frame with the last `maxCount` rows (1..100) (§6.2 step 5). */
  subscribeMetrics(maxCount?: number): boolean
  onFrame(cb: Handler<TrainingFrame>): () => void
  onMetrics(cb: Handler<FrameOf<"metrics">>): () => void
  onState(cb: Handler<FrameOf<"state">>): () => void
  onTopology(cb: Handler<FrameOf<"topology">>): () => void
  onCascadeAdd(cb: Handler<FrameOf<"cascade_add">>): () => void
  onEvent(cb: Handler<FrameOf<"event">>): () => void
  onCandidateProgress(cb: Handler<FrameOf<"candidate_progress">>): () => void
  onDisconnect(cb: (info: DisconnectInfo) => void): () => void
  readonly isConnected: boolean
  /** A frame arrived within `windowMs` (default 90 000). */
  isAlive(windowMs?: number): boolean
  /** Epoch ms of the last frame, null before any. */
  readonly lastFrameAt: number | null
  readonly pongsSent: number
  readonly stats: ProtocolStats
}

/** Where a handle's events come from: a socket (real) or the simulator (fake). */
export interface TrainingEventSource {
  readonly events: (path: string) => Stream.Stream<TrainingStreamEvent, TrainingStreamError>
  readonly send: (message: unknown) => boolean
  readonly stats: () => ProtocolStats
}

const broadcastCallbacks = ["metrics", "state", "topology", "cascade_add", "event", "candidate_progress"] as const
type CallbackType = (typeof broadcastCallbacks)[number]

export class TrainingStreamHandle implements TrainingStreamClient {
  private fiber: Fiber.RuntimeFiber<void, TrainingStreamError> | undefined
  private queue = new AsyncQueue<TrainingFrame>()
  private connected = false
  private lastFrame: number | null = null
  private ended: Promise<void> = Promise.resolve()
  private readonly frameHandlers = new Set<Handler<TrainingFrame>>()
  private readonly typed = new Map<CallbackType, Set<Handler<any>>>()
  private readonly disconnectHandlers = new Set<(info: DisconnectInfo) => void>()

  constructor(private readonly source: TrainingEventSource) {}

  get isConnected(): boolean {
    return this.connected
  }
  get lastFrameAt(): number | null {
    return this.lastFrame
  }
  get pongsSent(): number {
    return this.source.stats().pongsSent
  }
  get stats(): ProtocolStats {
    return this.source.stats()
  }
  isAlive(windowMs = 90_000): boolean {
    return this.connected && this.lastFrame !== null && Date.now() - this.lastFrame <= windowMs
  }

  connect(path: string = TRAINING_PATH): Promise<void> {
    if (this.fiber) return Promise.resolve()
    this.queue = new AsyncQueue<TrainingFrame>()
    return new Promise<void>((resolve, reject) => {
      let greeted = false
      const fiber = Effect.runFork(
        Stream.runForEach(this.source.events(path), (event) =>
          Effect.sync(() => {
            this.handle(event)
            if (!greeted && event._tag === "Frame" && event.frame.type === "connection_established") {
              greeted = true
              resolve()
            }
          })
        )
      )
      this.fiber = fiber
      this.ended = new Promise<void>((done, fail) =>
        fiber.addObserver((exit) => {
          this.connected = false
          if (this.fiber === fiber) this.fiber = undefined
          if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) {
            this.queue.end()
            done()
            if (!greeted) reject(streamError("disconnected before connection_established"))
          } else {
            const error = Cause.squash(exit.cause)
            this.queue.end({ error })
            fail(error)
            if (!greeted) reject(error)
          }
        })
      )
      this.ended.catch(() => undefined)
    })
  }

  async disconnect(): Promise<void> {
    const fiber = this.fiber
    if (!fiber) return
    this.fiber = undefined
    await Effect.runPromise(Fiber.interrupt(fiber))
    this.connected = false
    this.fireDisconnect({ code: 1000, reason: "client disconnect", willReconnect: false })
  }

  stream(): AsyncIterableIterator<TrainingFrame> {
    return this.queue.iterator()
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<TrainingFrame> {
    return this.stream()
  }
  listen(): Promise<void> {
    return this.ended
  }
  sendCommand(command: string, params?: Readonly<Record<string, unknown>>): boolean {
    return this.source.send({ type: "command", command, ...(params !== undefined ? { params } : {}) })
  }
  subscribeMetrics(maxCount = 100): boolean {
    return this.source.send({ type: "subscribe_metrics", data: { max_count: maxCount } })
  }

  onFrame(cb: Handler<TrainingFrame>): () => void {
    this.frameHandlers.add(cb)
    return () => this.frameHandlers.delete(cb)
  }
  onMetrics(cb: Handler<FrameOf<"metrics">>) {
    return this.on("metrics", cb)
  }
  onState(cb: Handler<FrameOf<"state">>) {
    return this.on("state", cb)
  }
  onTopology(cb: Handler<FrameOf<"topology">>) {
    return this.on("topology", cb)
  }
  onCascadeAdd(cb: Handler<FrameOf<"cascade_add">>) {
    return this.on("cascade_add", cb)
  }
  onEvent(cb: Handler<FrameOf<"event">>) {
    return this.on("event", cb)
  }
  onCandidateProgress(cb: Handler<FrameOf<"candidate_progress">>) {
    return this.on("candidate_progress", cb)
  }
  onDisconnect(cb: (info: DisconnectInfo) => void): () => void {
    this.disconnectHandlers.add(cb)
    return () => this.disconnectHandlers.delete(cb)
  }

  private on(type: CallbackType, cb: Handler<any>): () => void {
    let set = this.typed.get(type)
    if (!set) this.typed.set(type, (set = new Set()))
    set.add(cb)
    return () => set.delete(cb)
  }

  private handle(event: TrainingStreamEvent): void {
    switch (event._tag) {
      case "Open":
        return
      case "Invalid":
        return
      case "Closed":
        this.connected = false
        return this.fireDisconnect({ code: event.code, reason: event.reason, willReconnect: event.willReconnect })
      case "Frame": {
        const frame = event.frame
        this.lastFrame = event.receivedAt
        if (frame.type === "connection_established") this.connected = true
        this.queue.push(frame)
        for (const cb of this.frameHandlers) safely(cb, frame)
        const set = this.typed.get(frame.type as CallbackType)
        if (set) for (const cb of set) safely(cb, frame)
      }
    }
  }

  private fireDisconnect(info: DisconnectInfo): void {
    for (const cb of this.disconnectHandlers) safely(cb, info)
  }
}

/** A callback's exception never breaks the stream. */
const safely = <A>(cb: (a: A) => void, a: A): void => {
  try {
    cb(a)
  } catch {
    // ignored: callbacks are the consumer's responsibility
  }
}

/** The /ws/training client over a real socket (reconnecting, resuming; see TrainingStreamOptions). */
export class CascorTrainingStream extends TrainingStreamHandle {
  constructor(options: TrainingStreamOptions = {}) {
    const protocol = new TrainingProtocol(options)
    const link = new OutboundLink()
    super({
      events: (path) => trainingStreamEvents({ ...options, path }, protocol, link),
      send: (message) => link.send(message),
      stats: () => protocol.stats
    })
  }
}
