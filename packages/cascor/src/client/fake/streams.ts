/**
 * FakeCascorTrainingStream and FakeCascorControlStream (§13.4): the surfaces of the real stream classes over the fake
 * backend, in-process. Frames are the service's wire text and go through the same client protocol as a socket's
 * (validation, `seq`, resume, chunks), so a consumer exercises its real parsing path. While connected and the run is
 * training, the fake advances one training step every `delay` ms (pacing); `injectMessage` adds a frame (a broadcast
 * type without `seq` is numbered and broadcast like the server's), `simulateDisconnect` drops the connection (the
 * stream reconnects and resumes).
 */
import { Deferred, Duration, Effect, Either, Exit, Schema, Scope, Stream } from "effect"
import { BroadcastType, CommandResponseData, TrainingParams, TrainingStartRequest } from "../../api/schema.js"
import type { SessionError } from "../../session/errors.js"
import { channelFunctions, type ControlChannel, type ControlError, ControlStreamHandle } from "../control.js"
import { streamError, timeoutError } from "../errors.js"
import { TrainingProtocol, type ProtocolOptions } from "../training-protocol.js"
import { streamFromRunner, type TrainingStreamError, type TrainingStreamEvent } from "../training-stream.js"
import { TrainingStreamHandle } from "../training-stream-client.js"
import { type FakeBackendOptions, FakeCascorBackend } from "./backend.js"
import { applyScenario, type ScenarioName } from "./scenarios.js"
import { FakeTrainingConnection } from "./training-connection.js"

export interface FakeTrainingStreamOptions extends ProtocolOptions {
  /** Frames delivered one per `delay` after connecting (before pacing starts). */
  readonly messages?: ReadonlyArray<unknown>
  /** ms between two paced training steps (and two `messages`), default 100. */
  readonly delay?: number
  /** Advance the run one step per `delay` while connected and training (default true). */
  readonly autoAdvance?: boolean
  /** Reconnect after `simulateDisconnect` (default true), after this many ms (default 20). */
  readonly reconnect?: boolean
  readonly reconnectDelayMs?: number
  /** Accepted for symmetry with the real stream; unused. */
  readonly baseUrl?: string
  readonly apiKey?: string
  readonly origin?: string
}

/** Handles on the current fake connection (test hooks). */
export class FakeConnectionHooks {
  current: { readonly conn: FakeTrainingConnection; readonly inject: (frame: unknown) => void; readonly drop: (code: number, reason: string) => void } | undefined
  /** Sends a client message to the fake server; false when not connected. */
  send(message: unknown): boolean {
    if (!this.current) return false
    this.current.conn.fromClient(JSON.parse(JSON.stringify(message)))
    return true
  }
}

const broadcastTypes = new Set<string>(BroadcastType.literals)
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Connections to the fake backend until interrupted (or a fatal simulated close). */
export const runFakeTrainingConnections = (
  backend: FakeCascorBackend,
  options: FakeTrainingStreamOptions,
  protocol: TrainingProtocol,
  emit: (event: TrainingStreamEvent) => void,
  hooks: FakeConnectionHooks = new FakeConnectionHooks()
): Effect.Effect<void, TrainingStreamError> =>
  Effect.gen(function* () {
    const delay = Duration.millis(options.delay ?? 100)
    for (let attempt = 1; ; attempt++) {
      const closed = yield* Effect.scoped(
        Effect.gen(function* () {
          const ended = yield* Deferred.make<{ readonly code: number; readonly reason: string }>()
          let conn: FakeTrainingConnection | undefined
          const deliver = (text: string) => {
            const out = protocol.receive(text)
            for (const frame of out.frames) emit({ _tag: "Frame", frame, receivedAt: Date.now() })
            for (const reason of out.invalid) emit({ _tag: "Invalid", reason })
            for (const reply of out.replies) conn?.fromClient(reply)
          }
          conn = new FakeTrainingConnection(backend, deliver)
          const c = conn
          const inject = (frame: unknown) => {
            if (isObject(frame) && typeof frame["type"] === "string" && broadcastTypes.has(frame["type"]) && frame["seq"] === undefined)
              backend.broadcaster.publish(frame["type"] as BroadcastType, frame["data"])
            else deliver(JSON.stringify(frame))
          }
          hooks.current = { conn: c, inject, drop: (code, reason) => Deferred.unsafeDone(ended, Exit.succeed({ code, reason })) }
          yield* Effect.addFinalizer(() => Effect.sync(() => (c.close(), hooks.current?.conn === c ? (hooks.current = undefined) : undefined)))
          emit({ _tag: "Open", attempt })
          c.open()
          if (attempt === 1 && options.messages)
            yield* Effect.forkScoped(Effect.forEach(options.messages, (m) => Effect.zipRight(Effect.sleep(delay), Effect.sync(() => inject(m))), { discard: true }))
          if (options.autoAdvance ?? true)
            yield* Effect.forkScoped(
              Effect.forever(Effect.zipRight(Effect.sleep(delay), Effect.suspend(() => (backend.session.fsmState === "STARTED" && backend.gate.waiting ? backend.advanceEpoch(1) : Effect.void))))
            )
          return yield* Deferred.await(ended)
        })
      )
      const reconnect = (options.reconnect ?? true) && closed.code !== 4001 && closed.code !== 4003
      emit({ _tag: "Closed", code: closed.code, reason: closed.reason, willReconnect: reconnect })
      if (!reconnect) {
        if (closed.code === 1000) return
        return yield* Effect.fail(streamError(`fake connection closed with ${closed.code} (${closed.reason})`, closed.code))
      }
      yield* Effect.sleep(Duration.millis(options.reconnectDelayMs ?? 20))
    }
  })

/** The fake's /ws/training events as a Stream (the same events as the real stream's). */
export const fakeTrainingEvents = (
  backend: FakeCascorBackend,
  options: FakeTrainingStreamOptions = {},
  protocol: TrainingProtocol = new TrainingProtocol(options),
  hooks?: FakeConnectionHooks
): Stream.Stream<TrainingStreamEvent, TrainingStreamError> => streamFromRunner((emit) => runFakeTrainingConnections(backend, options, protocol, emit, hooks))

/** A fake backend owned by a class instance (when none is shared): built on first use, in its own scope. */
class OwnedBackend {
  private readonly scope = Effect.runSync(Scope.make())
  private backend: Promise<FakeCascorBackend> | undefined

  constructor(private readonly options: FakeBackendOptions & { readonly scenario?: ScenarioName }) {}

  get(): Effect.Effect<FakeCascorBackend> {
    return Effect.promise(() => {
      this.backend ??= Effect.runPromise(
        Scope.extend(
          Effect.tap(FakeCascorBackend.make(this.options), (b) => Effect.orDie(applyScenario(b, this.options.scenario ?? "two_spiral_training"))),
          this.scope
        )
      )
      return this.backend
    })
  }

  dispose(): Promise<void> {
    return Effect.runPromise(Scope.close(this.scope, Exit.void))
  }
}

type BackendSource = { readonly backend: FakeCascorBackend } | { readonly scenario?: ScenarioName; readonly backendOptions?: FakeBackendOptions }

const backendOf = (source: BackendSource): { get: () => Effect.Effect<FakeCascorBackend>; dispose: () => Promise<void> } => {
  if ("backend" in source) return { get: () => Effect.succeed(source.backend), dispose: () => Promise.resolve() }
  const owned = new OwnedBackend({ ...source.backendOptions, ...(source.scenario !== undefined ? { scenario: source.scenario } : {}) })
  return { get: () => owned.get(), dispose: () => owned.dispose() }
}

/**
 * The fake /ws/training client: CascorTrainingStream's surface over a fake backend (shared with a FakeCascorClient
 * through `FakeCascor.backend`, or its own, in the `scenario` given, default two_spiral_training).
 */
export class FakeCascorTrainingStream extends TrainingStreamHandle {
  private readonly hooks: FakeConnectionHooks
  private readonly owner: { get: () => Effect.Effect<FakeCascorBackend>; dispose: () => Promise<void> }

  constructor(options: FakeTrainingStreamOptions & BackendSource = {}) {
    const protocol = new TrainingProtocol(options)
    const hooks = new FakeConnectionHooks()
    const owner = backendOf(options)
    super({
      events: () => Stream.unwrap(Effect.map(owner.get(), (b) => fakeTrainingEvents(b, options, protocol, hooks))),
      send: (message) => hooks.send(message),
      stats: () => protocol.stats
    })
    this.hooks = hooks
    this.owner = owner
  }

  /** Adds a frame to the stream: a broadcast type without `seq` is numbered and broadcast (as the server's). */
  injectMessage(frame: unknown): boolean {
    if (!this.hooks.current) return false
    this.hooks.current.inject(frame)
    return true
  }

  /** Drops the connection (default code 1011); the stream reconnects and resumes (not after 4001/4003 or with reconnect: false). */
  simulateDisconnect(code = 1011, reason = "simulated disconnect"): boolean {
    if (!this.hooks.current) return false
    this.hooks.current.drop(code, reason)
    return true
  }

  /** Releases an owned backend (after disconnect). */
  async dispose(): Promise<void> {
    await this.disconnect()
    await this.owner.dispose()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------------------------

const codeOf = (e: SessionError) =>
  e._tag === "SessionNotFound" ? "not_found" : e._tag === "SessionConflict" ? "conflict" : e._tag === "SessionInvalid" ? "invalid_params" : "internal"

const decodeParams = <A, I>(schema: Schema.Schema<A, I>, u: unknown): Either.Either<A, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "first" })(u), (e) => e.message.split("\n")[0] ?? "invalid params")

/** One control command against the fake backend: the result, or an in-band error with its code (as the service). */
export const runFakeCommand = (backend: FakeCascorBackend, name: string, params: unknown): Effect.Effect<unknown, { code: string; message: string }> => {
  const session = <A>(e: Effect.Effect<A, SessionError>) => Effect.mapError(e, (err) => ({ code: codeOf(err), message: err.message }))
  const invalid = (message: string) => Effect.fail({ code: "invalid_params", message })
  switch (name) {
    case "start": {
      const p = decodeParams(Schema.NullOr(TrainingStartRequest), params ?? null)
      return Either.isLeft(p) ? invalid(p.left) : session(backend.start(p.right))
    }
    case "stop":
      return backend.stop()
    case "pause":
      return session(backend.pause())
    case "resume":
      return session(backend.resume())
    case "reset":
      return session(backend.reset())
    case "set_params": {
      const p = decodeParams(TrainingParams, params ?? {})
      return Either.isLeft(p) ? invalid(p.left) : session(backend.patchParams(p.right))
    }
    default:
      return Effect.fail({ code: "unknown_command", message: `Unknown command '${name.slice(0, 100)}'` })
  }
}

/** A response as a client would receive it: through JSON and the wire schema. */
const decodeResponse = (r: unknown) =>
  Effect.mapError(Schema.decodeUnknown(CommandResponseData)(JSON.parse(JSON.stringify(r))), (e) => streamError(`fake produced an invalid command_response: ${e.message}`))

/** A ControlChannel over the fake backend (no socket; responses built and decoded as the service's). */
export const fakeControlChannel = (getBackend: Effect.Effect<FakeCascorBackend>): Effect.Effect<ControlChannel, never, Scope.Scope> =>
  Effect.gen(function* () {
    const backend = yield* getBackend
    let open = true
    let pending = 0
    yield* Effect.addFinalizer(() => Effect.sync(() => (open = false)))
    const exchange = (name: string, params: unknown, timeoutMs: number): Effect.Effect<CommandResponseData, ControlError> =>
      Effect.suspend((): Effect.Effect<CommandResponseData, ControlError> => {
        if (!open) return Effect.fail(streamError("control stream is closed"))
        const commandId = crypto.randomUUID()
        pending++
        return runFakeCommand(backend, name, params).pipe(
          Effect.match({
            onSuccess: (result) => ({ command: name, command_id: commandId, status: "success", result }),
            onFailure: (e) => ({ command: name, command_id: commandId, status: "error", error: e.message, code: e.code })
          }),
          Effect.flatMap(decodeResponse),
          Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: () => timeoutError(`no response to ${name} (${commandId}) within ${timeoutMs} ms`) }),
          Effect.ensuring(Effect.sync(() => pending--))
        )
      })
    return {
      serverInstanceId: backend.broadcaster.instanceId,
      ...channelFunctions(30_000, exchange),
      pending: () => pending,
      isOpen: () => open
    } satisfies ControlChannel
  })

/** The fake /ws/control client: CascorControlStream's surface over a fake backend. */
export class FakeCascorControlStream extends ControlStreamHandle {
  constructor(options: BackendSource & { readonly baseUrl?: string; readonly apiKey?: string; readonly origin?: string } = {}) {
    super(fakeControlChannel(backendOf(options).get()))
  }
}

