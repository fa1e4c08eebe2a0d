/**
 * /ws/training as an Effect Stream (§6): connect, validate frames, answer pings, and on any drop reconnect with
 * backoff and resume from the last `seq` of the same server instance, so that the consumer sees every broadcast once
 * and in order (the server replays what was missed; duplicates are dropped). Chunked frames are reassembled.
 *
 * `trainingFrames` is the plain Stream of frames; `trainingStreamEvents` adds the connection lifecycle (open, close,
 * invalid frames), which the class API (./training-stream-client.ts) turns into callbacks.
 */
import { Socket } from "@effect/platform"
import { Cause, Deferred, Duration, Effect, Exit, Option, Queue, Random, type Redacted, Schedule, Stream, Take } from "effect"
import { CloseCode } from "../api/schema.js"
import { type CascorConfigurationError, type CascorConnectionError, type CascorStreamError, connectionError, streamError } from "./errors.js"
import type { TrainingFrame } from "./frames.js"
import { checkBaseUrl, resolveApiKey, resolveOrigin, toWsUrl } from "./options.js"
import { type ProtocolOptions, TrainingProtocol } from "./training-protocol.js"
import { connectionHeaders, openSocket } from "./ws-socket.js"

export const DEFAULT_WS_BASE_URL = "ws://localhost:8200"
export const TRAINING_PATH = "/ws/training"

export interface TrainingStreamOptions extends ProtocolOptions {
  /** ws(s):// or http(s):// base, default ws://localhost:8200. */
  readonly baseUrl?: string
  /** Default "/ws/training". */
  readonly path?: string
  /** X-API-Key; default env JUNIPER_CASCOR_API_KEY. */
  readonly apiKey?: string | Redacted.Redacted<string>
  /** Origin header; default env JUNIPER_CASCOR_WS_ORIGIN, else none. */
  readonly origin?: string
  /** Reconnect after a drop (default true). Close codes 4001 (auth) and 4003 (Origin) are never retried. */
  readonly reconnect?: boolean
  /** Give up after this many consecutive failed attempts (no greeting), default unlimited. */
  readonly maxReconnectAttempts?: number
  /** First reconnect delay, doubled per consecutive failure up to reconnectMaxMs (±20 % jitter). Default 250 / 10 000. */
  readonly reconnectBaseMs?: number
  readonly reconnectMaxMs?: number
  /** Open handshake timeout, default 10 000 ms. */
  readonly openTimeoutMs?: number
  /** No `connection_established` this long after opening → reconnect. Default 10 000 ms. */
  readonly greetingTimeoutMs?: number
  /** No frame at all for this long (the server pings every 30 s) → reconnect. Default 90 000 ms; 0 disables. */
  readonly staleAfterMs?: number
}

export type TrainingStreamEvent =
  | { readonly _tag: "Open"; readonly attempt: number }
  | { readonly _tag: "Frame"; readonly frame: TrainingFrame; readonly receivedAt: number }
  | { readonly _tag: "Invalid"; readonly reason: string }
  | { readonly _tag: "Closed"; readonly code: number | null; readonly reason: string; readonly willReconnect: boolean }

export type TrainingStreamError = CascorStreamError | CascorConnectionError | CascorConfigurationError

/** Where the current connection's outgoing messages go (none while disconnected). */
export class OutboundLink {
  current: Queue.Queue<string> | undefined = undefined
  /** Queues a message on the open connection; false when there is none. */
  send(message: unknown): boolean {
    return this.current !== undefined && this.current.unsafeOffer(JSON.stringify(message))
  }
}

const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.authFailed, CloseCode.originRejected, 1008])

class Stale {
  readonly _tag = "Stale"
  constructor(readonly reason: string) {}
}

interface Resolved {
  readonly url: string
  readonly headers: Record<string, string>
}

const resolve = (options: TrainingStreamOptions, defaultPath: string, defaultOrigin: string | undefined) =>
  Effect.gen(function* () {
    const base = yield* checkBaseUrl(options.baseUrl ?? DEFAULT_WS_BASE_URL)
    const apiKey = yield* resolveApiKey(options.apiKey)
    const origin = yield* resolveOrigin(options.origin, defaultOrigin)
    return { url: toWsUrl(base, options.path ?? defaultPath), headers: connectionHeaders(apiKey, origin) } satisfies Resolved
  })

/**
 * Runs connections until a fatal close, the attempts are exhausted, or interruption; every event goes to `emit`
 * (synchronously, in order).
 */
export const runTrainingConnections = (
  options: TrainingStreamOptions,
  protocol: TrainingProtocol,
  emit: (event: TrainingStreamEvent) => void,
  link: OutboundLink = new OutboundLink()
): Effect.Effect<void, TrainingStreamError> =>
  Effect.gen(function* () {
    const { url, headers } = yield* resolve(options, TRAINING_PATH, undefined)
    const reconnect = options.reconnect ?? true
    const maxFailures = options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY
    const base = options.reconnectBaseMs ?? 250
    const max = options.reconnectMaxMs ?? 10_000
    const greetingTimeout = options.greetingTimeoutMs ?? 10_000
    const staleAfter = options.staleAfterMs ?? 90_000
    const decoder = new TextDecoder()
    let failures = 0
    for (let attempt = 1; ; attempt++) {
      let greeted = false
      let lastFrame = Date.now()
      const once = Effect.scoped(
        Effect.gen(function* () {
          const socket = yield* openSocket(url, { headers, openTimeoutMs: options.openTimeoutMs ?? 10_000 })
          const write = yield* socket.writer
          const outbox = yield* Queue.unbounded<string>()
          const greeting = yield* Deferred.make<void>()
          yield* Effect.addFinalizer(() => Effect.sync(() => (link.current === outbox ? (link.current = undefined) : undefined)))
          yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(outbox), write)).pipe(Effect.ignore))
          const onMessage = (data: string | Uint8Array) => {
            lastFrame = Date.now()
            const out = protocol.receive(typeof data === "string" ? data : decoder.decode(data))
            for (const r of out.replies) outbox.unsafeOffer(JSON.stringify(r))
            for (const frame of out.frames) {
              if (frame.type === "connection_established" && !greeted) {
                greeted = true
                Deferred.unsafeDone(greeting, Exit.void)
              }
              emit({ _tag: "Frame", frame, receivedAt: lastFrame })
            }
            for (const reason of out.invalid) emit({ _tag: "Invalid", reason })
          }
          const watchdog = Effect.zipRight(
            Deferred.await(greeting).pipe(
              Effect.timeoutFail({ duration: Duration.millis(greetingTimeout), onTimeout: () => new Stale(`no connection_established within ${greetingTimeout} ms`) })
            ),
            staleAfter > 0
              ? Effect.repeat(
                  Effect.suspend(() => (Date.now() - lastFrame > staleAfter ? Effect.fail(new Stale(`no frame for ${staleAfter} ms`)) : Effect.void)),
                  Schedule.spaced(Duration.millis(Math.min(staleAfter, 5_000)))
                ).pipe(Effect.zipRight(Effect.never))
              : Effect.never
          )
          yield* Effect.raceFirst(
            socket.runRaw(onMessage, {
              onOpen: Effect.sync(() => {
                link.current = outbox
                emit({ _tag: "Open", attempt })
              })
            }),
            watchdog
          )
        })
      )
      const exit = yield* Effect.exit(once)
      if (Exit.isSuccess(exit)) continue // (closeCodeIsError makes every close a failure; kept for safety)
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return yield* Effect.die(Cause.squash(exit.cause))
      const error = failure.value
      const code = Socket.SocketCloseError.is(error) ? error.code : null
      const reason =
        error instanceof Stale ? error.reason : Socket.SocketCloseError.is(error) ? error.closeReason ?? "" : `${error.reason}: ${String((error.cause as { message?: unknown })?.message ?? error.cause)}`
      failures = greeted ? 0 : failures + 1
      const fatal = code !== null && FATAL_CLOSE_CODES.has(code)
      const normalEnd = !reconnect && code === CloseCode.normal
      const willReconnect = reconnect && !fatal && failures < maxFailures
      emit({ _tag: "Closed", code, reason, willReconnect })
      if (!willReconnect) {
        if (normalEnd) return
        if (code !== null) return yield* Effect.fail(streamError(`${url} closed with ${code}${reason ? ` (${reason})` : ""}`, code))
        return yield* Effect.fail(connectionError(`Could not connect to ${url}: ${reason}`, error))
      }
      const delay = failures === 0 ? base : Math.min(max, base * 2 ** (failures - 1))
      const jitter = yield* Random.nextRange(0.8, 1.2)
      yield* Effect.sleep(Duration.millis(delay * jitter))
    }
  })

/** Turns a push-style runner into a Stream (the runner is interrupted when the consumer stops). */
export const streamFromRunner = <A, E>(run: (emit: (a: A) => void) => Effect.Effect<void, E>): Stream.Stream<A, E> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<Take.Take<A, E>>()
      yield* Effect.forkScoped(
        Effect.exit(run((a) => queue.unsafeOffer(Take.of(a)))).pipe(
          Effect.flatMap((exit) => queue.offer(Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause)))
        )
      )
      return Stream.flattenTake(Stream.fromQueue(queue))
    })
  )

/** The connection lifecycle and frames of /ws/training, reconnecting and resuming. */
export const trainingStreamEvents = (
  options: TrainingStreamOptions = {},
  protocol: TrainingProtocol = new TrainingProtocol(options),
  link?: OutboundLink
): Stream.Stream<TrainingStreamEvent, TrainingStreamError> => streamFromRunner((emit) => runTrainingConnections(options, protocol, emit, link))

/** The decoded frames of /ws/training (pings included), reconnecting and resuming. */
export const trainingFrames = (options: TrainingStreamOptions = {}): Stream.Stream<TrainingFrame, TrainingStreamError> =>
  Stream.filterMap(trainingStreamEvents(options), (e) => (e._tag === "Frame" ? Option.some(e.frame) : Option.none()))
