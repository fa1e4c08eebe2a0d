/**
 * /ws/control (§7) as an Effect resource: `controlChannel(options)` opens the socket with an Origin (the service
 * rejects a missing or unlisted one with 4003), waits for `connection_established`, then `command(name, params)`
 * sends `{"type":"command","command","command_id","params"}` and awaits the `command_response` with the same
 * `command_id` (at most 256 pending; a per-command timeout). `execute` turns an error response into a typed failure.
 */
import { Socket } from "@effect/platform"
import { Cause, Deferred, Duration, Effect, Exit, type Redacted, Scope } from "effect"
import type { CommandResponseData, ControlCommandName, TrainingParams } from "../api/schema.js"
import {
  CascorClientError,
  type CascorConfigurationError,
  CascorConflictError,
  type CascorConnectionError,
  CascorNotFoundError,
  CascorOverloadError,
  type CascorStreamError,
  type CascorTimeoutError,
  CascorTimeoutError as TimeoutClass,
  CascorValidationError,
  connectionError,
  streamError,
  timeoutError
} from "./errors.js"
import { decodeControlFrame } from "./frames.js"
import { checkBaseUrl, DEFAULT_CONTROL_ORIGIN, resolveApiKey, resolveOrigin, toWsUrl } from "./options.js"
import { DEFAULT_WS_BASE_URL } from "./training-stream.js"
import { connectionHeaders, openSocket } from "./ws-socket.js"

export const CONTROL_PATH = "/ws/control"
export const MAX_PENDING_COMMANDS = 256
/** The server's execution timeouts (§7.3) plus a margin: the client's default wait per command. */
export const COMMAND_TIMEOUTS_MS: Readonly<Record<string, number>> = { start: 12_000, stop: 4_000, pause: 4_000, resume: 4_000, reset: 4_000, set_params: 1_000 }

export interface ControlStreamOptions {
  readonly baseUrl?: string
  readonly path?: string
  readonly apiKey?: string | Redacted.Redacted<string>
  /** Default env JUNIPER_CASCOR_WS_ORIGIN, else http://localhost:8050 (Canopy's origin, on the default allowlist). */
  readonly origin?: string
  /** Default wait for a command's response when neither the call nor COMMAND_TIMEOUTS_MS names one: 30 000 ms. */
  readonly timeoutMs?: number
  /** Open + greeting timeout, default 10 000 ms. */
  readonly connectTimeoutMs?: number
  readonly maxPending?: number
}

export type ControlError = CascorStreamError | CascorTimeoutError
export type ControlConnectError = CascorStreamError | CascorConnectionError | CascorConfigurationError | CascorTimeoutError

export interface CommandOptions {
  readonly timeoutMs?: number
}

/** A typed failure for an error (or rate-limited) command response. */
export type CommandFailure = CascorConflictError | CascorNotFoundError | CascorValidationError | CascorTimeoutError | CascorOverloadError | CascorClientError

export interface ControlChannel {
  readonly serverInstanceId: string
  /** The response as sent (status success, error or rate_limited). */
  readonly command: (name: ControlCommandName | (string & {}), params?: unknown, options?: CommandOptions) => Effect.Effect<CommandResponseData, ControlError>
  /** `command`, then the `result` of a success or a typed failure. */
  readonly execute: (name: ControlCommandName | (string & {}), params?: unknown, options?: CommandOptions) => Effect.Effect<unknown, ControlError | CommandFailure>
  /** `set_params` (the PATCH body), default timeout 1 s. */
  readonly setParams: (params: TrainingParams, options?: CommandOptions) => Effect.Effect<CommandResponseData, ControlError>
  readonly pending: () => number
  readonly isOpen: () => boolean
}

/** An error or rate-limited response → its typed failure; a success → its result. */
export const responseResult = (r: CommandResponseData): Effect.Effect<unknown, CommandFailure> => {
  if (r.status === "success") return Effect.succeed(r.result)
  const message = r.error ?? (r.status === "rate_limited" ? `command ${r.command ?? "?"} rate-limited; retry after ${r.retry_after ?? "?"} s` : `command ${r.command ?? "?"} failed`)
  const f = { message, statusCode: null, detail: r.error ?? null, errorCode: r.code ?? r.status, response: r }
  if (r.status === "rate_limited") return Effect.fail(new CascorOverloadError(f))
  switch (r.code) {
    case "conflict":
      return Effect.fail(new CascorConflictError(f))
    case "not_found":
      return Effect.fail(new CascorNotFoundError(f))
    case "invalid_params":
    case "invalid_message":
    case "unknown_command":
    case "frame_too_large":
      return Effect.fail(new CascorValidationError(f))
    case "timeout":
      return Effect.fail(new TimeoutClass(f))
    default:
      return Effect.fail(new CascorClientError(f))
  }
}

/** Builds the command/execute/setParams functions over a raw `send + await` (shared with the fake). */
export const channelFunctions = (
  defaultTimeoutMs: number,
  exchange: (name: string, params: unknown, timeoutMs: number) => Effect.Effect<CommandResponseData, ControlError>
): Pick<ControlChannel, "command" | "execute" | "setParams"> => {
  const command: ControlChannel["command"] = (name, params, o = {}) => exchange(name, params, o.timeoutMs ?? COMMAND_TIMEOUTS_MS[name] ?? defaultTimeoutMs)
  return {
    command,
    execute: (name, params, o) => Effect.flatMap(command(name, params, o), responseResult),
    setParams: (params, o = {}) => command("set_params", params, { timeoutMs: o.timeoutMs ?? 1_000 })
  }
}

/** Opens /ws/control for the scope. */
export const controlChannel = (options: ControlStreamOptions = {}): Effect.Effect<ControlChannel, ControlConnectError, Scope.Scope> =>
  Effect.gen(function* () {
    const base = yield* checkBaseUrl(options.baseUrl ?? DEFAULT_WS_BASE_URL)
    const apiKey = yield* resolveApiKey(options.apiKey)
    const origin = yield* resolveOrigin(options.origin, DEFAULT_CONTROL_ORIGIN)
    const url = toWsUrl(base, options.path ?? CONTROL_PATH)
    const connectTimeout = options.connectTimeoutMs ?? 10_000
    const maxPending = options.maxPending ?? MAX_PENDING_COMMANDS
    const socket = yield* openSocket(url, { headers: connectionHeaders(apiKey, origin), openTimeoutMs: connectTimeout })
    const write = yield* socket.writer
    const greeting = yield* Deferred.make<string, CascorStreamError | CascorConnectionError>()
    const pending = new Map<string, Deferred.Deferred<CommandResponseData, CascorStreamError>>()
    let open = true
    let closedBy: CascorStreamError | undefined

    const onMessage = (data: string | Uint8Array) => {
      const decoded = decodeControlFrame(typeof data === "string" ? data : new TextDecoder().decode(data))
      if (decoded._tag === "Left") return
      const frame = decoded.right
      if (frame.type === "connection_established") return void Deferred.unsafeDone(greeting, Exit.succeed(frame.data.server_instance_id))
      if (frame.type === "ping") return write(JSON.stringify({ type: "pong" })).pipe(Effect.ignore)
      const id = frame.data.command_id ?? frame.command_id ?? null
      const waiter = id === null ? undefined : pending.get(id)
      if (waiter && id !== null) {
        pending.delete(id)
        Deferred.unsafeDone(waiter, Exit.succeed(frame.data))
      }
    }
    const fail = (error: CascorStreamError) => {
      open = false
      closedBy = error
      Deferred.unsafeDone(greeting, Exit.fail(error))
      for (const d of pending.values()) Deferred.unsafeDone(d, Exit.fail(error))
      pending.clear()
    }
    yield* Effect.forkScoped(
      socket.runRaw(onMessage).pipe(
        Effect.catchAll((e) =>
          Effect.sync(() =>
            fail(
              Socket.SocketCloseError.is(e)
                ? streamError(`${url} closed with ${e.code}${e.closeReason ? ` (${e.closeReason})` : ""}`, e.code)
                : streamError(`${url}: ${e.reason} failed`, undefined, e)
            )
          )
        ),
        Effect.onInterrupt(() => Effect.sync(() => fail(streamError("control stream disconnected", 1000))))
      )
    )
    const serverInstanceId = yield* Deferred.await(greeting).pipe(
      Effect.timeoutFail({ duration: Duration.millis(connectTimeout), onTimeout: () => timeoutError(`no connection_established from ${url} within ${connectTimeout} ms`) }),
      Effect.catchTag("CascorStreamError", (e): Effect.Effect<never, CascorStreamError | CascorConnectionError> =>
        e.closeCode === undefined ? Effect.fail(connectionError(`Could not connect to ${url}: ${e.message}`, e.cause)) : Effect.fail(e)
      )
    )

    const exchange = (name: string, params: unknown, timeoutMs: number): Effect.Effect<CommandResponseData, ControlError> =>
      Effect.gen(function* () {
        if (!open) return yield* Effect.fail(closedBy ?? streamError("control stream is closed"))
        if (pending.size >= maxPending) return yield* Effect.fail(streamError(`too many pending commands (${maxPending})`))
        const id = crypto.randomUUID()
        const waiter = yield* Deferred.make<CommandResponseData, CascorStreamError>()
        pending.set(id, waiter)
        const message = { type: "command", command: name, command_id: id, ...(params !== undefined ? { params } : {}) }
        return yield* write(JSON.stringify(message)).pipe(
          Effect.mapError((e) => streamError(`could not send ${name}: ${e.message}`, undefined, e)),
          Effect.zipRight(
            Deferred.await(waiter).pipe(
              Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: () => timeoutError(`no response to ${name} (${id}) within ${timeoutMs} ms`) })
            )
          ),
          Effect.ensuring(Effect.sync(() => pending.delete(id)))
        )
      })

    return {
      serverInstanceId,
      ...channelFunctions(options.timeoutMs ?? 30_000, exchange),
      pending: () => pending.size,
      isOpen: () => open
    } satisfies ControlChannel
  })

/** The surface shared by CascorControlStream and FakeCascorControlStream (Promise API). */
export interface ControlStreamClient {
  connect(): Promise<void>
  disconnect(): Promise<void>
  command(name: ControlCommandName | (string & {}), params?: unknown, timeoutMs?: number): Promise<CommandResponseData>
  setParams(params: TrainingParams, timeoutMs?: number): Promise<CommandResponseData>
  readonly isConnected: boolean
  readonly serverInstanceId: string | null
}

/** The Promise API over any ControlChannel acquisition (rejections are the typed client errors). */
export class ControlStreamHandle implements ControlStreamClient {
  private scope: Scope.CloseableScope | undefined
  private channel: ControlChannel | undefined

  constructor(private readonly acquire: Effect.Effect<ControlChannel, ControlConnectError, Scope.Scope>) {}

  get isConnected(): boolean {
    return this.channel?.isOpen() ?? false
  }
  get serverInstanceId(): string | null {
    return this.channel?.serverInstanceId ?? null
  }

  async connect(): Promise<void> {
    if (this.channel?.isOpen()) return
    await this.disconnect()
    const scope = Effect.runSync(Scope.make())
    const exit = await Effect.runPromiseExit(Scope.extend(this.acquire, scope))
    if (Exit.isFailure(exit)) {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      throw Cause.squash(exit.cause)
    }
    this.scope = scope
    this.channel = exit.value
  }

  async disconnect(): Promise<void> {
    const scope = this.scope
    this.scope = undefined
    this.channel = undefined
    if (scope) await Effect.runPromise(Scope.close(scope, Exit.void))
  }

  command(name: ControlCommandName | (string & {}), params?: unknown, timeoutMs?: number): Promise<CommandResponseData> {
    return this.run((c) => c.command(name, params, timeoutMs === undefined ? {} : { timeoutMs }))
  }
  setParams(params: TrainingParams, timeoutMs = 1_000): Promise<CommandResponseData> {
    return this.run((c) => c.setParams(params, { timeoutMs }))
  }

  private async run<A>(f: (c: ControlChannel) => Effect.Effect<A, ControlError>): Promise<A> {
    const channel = this.channel
    if (!channel) throw streamError("control stream is not connected")
    const exit = await Effect.runPromiseExit(f(channel))
    if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
    return exit.value
  }
}

/** The /ws/control client over a real socket. */
export class CascorControlStream extends ControlStreamHandle {
  constructor(options: ControlStreamOptions = {}) {
    super(controlChannel(options))
  }
}
