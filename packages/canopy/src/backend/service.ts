/**
 * The service upstream (canopy-ui §2.2): JuniperCascor through the cascor clients — REST through
 * `JuniperCascorClient`, the live stream through `/ws/training` (reconnecting, resuming from cascor's last `seq`,
 * chunks reassembled; all by the client), commands through `/ws/control` with the REST routes as the fallback when
 * the control socket is not open. A command that was sent and timed out is never re-sent over REST (one
 * acknowledgement path).
 *
 * The link reads the clients from their tags (`JuniperCascorClient`, `CascorTrainingStreams`), so the Service and the
 * Fake layers differ only by the cascor layer they provide: `layerCascor` (HTTP and WebSockets to a real
 * JuniperCascor) or `layerFakeCascor` (FakeCascorClient and the fake training and control streams, ./fake.ts).
 */
import { Duration, Effect, PubSub, type Scope, Stream } from "effect"
import type { DatasetRequest, InlineData, TrainingParams } from "@juniper/cascor/api/schema"
import type { ControlChannel } from "@juniper/cascor/client/control"
import type { CascorClientFailure } from "@juniper/cascor/client/errors"
import { JuniperCascorClient, type JuniperCascorClientShape } from "@juniper/cascor/client/shape"
import { CascorTrainingStreams, layerCascor } from "@juniper/cascor/client/streams-service"
import type { OutboundLink, TrainingStreamEvent, TrainingStreamOptions } from "@juniper/cascor/client/training-stream"
import type { BackendMode } from "../api/schema.js"
import { type CascorLink, LinkError, type LinkEvent } from "./link.js"

export interface ClientLinkOptions {
  readonly mode: Extract<BackendMode, "service" | "fake">
  /** The upstream's base URL for readiness probes (null: nothing to probe). */
  readonly upstreamUrl: string | null
  readonly client: JuniperCascorClientShape
  /** The /ws/training connection lifecycle and frames (reconnecting and resuming by itself). */
  readonly trainingEvents: Stream.Stream<TrainingStreamEvent, unknown>
  /** Opens /ws/control for a scope; null: commands go over REST only. */
  readonly openControl: Effect.Effect<ControlChannel, unknown, Scope.Scope> | null
  /** Delay before restarting a training stream that gave up (auth/Origin refusal, too many failures). */
  readonly restartDelayMs?: number
  /**
   * Where messages to the current /ws/training connection go: a fresh connect is started at once (a first frame that
   * is not a resume) instead of after the server's 5 s resume wait.
   */
  readonly outbound?: OutboundLink
}

const tagOf = (e: unknown): string => (typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : "")
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e))

/** A client failure → LinkError by meaning. */
export const linkError = (e: CascorClientFailure | unknown): LinkError => {
  const f = e as Partial<{ statusCode: number | null; message: string }>
  const status = typeof f.statusCode === "number" ? f.statusCode : null
  const message = messageOf(e)
  switch (tagOf(e)) {
    case "CascorConnectionError":
    case "CascorTimeoutError":
    case "CascorServiceUnavailableError":
    case "CascorOverloadError":
      return new LinkError({ kind: "unavailable", message, status })
    case "CascorNotFoundError":
      return new LinkError({ kind: "not_found", message, status: status ?? 404 })
    case "CascorConflictError":
      return new LinkError({ kind: "conflict", message, status: status ?? 409 })
    case "CascorValidationError":
      return new LinkError({ kind: "invalid", message, status: status ?? 422 })
    default:
      return new LinkError({ kind: status !== null && status >= 500 && status !== 501 ? "failed" : status === 501 ? "unsupported" : "failed", message, status })
  }
}

const call = <A>(effect: Effect.Effect<A, unknown>): Effect.Effect<A, LinkError> => Effect.mapError(effect, linkError)
/** 404 → null (no network, no metrics, no data yet). */
const orNull = <A>(effect: Effect.Effect<A, unknown>): Effect.Effect<A | null, LinkError> =>
  effect.pipe(
    Effect.map((a): A | null => a),
    Effect.catchAll((e) => (tagOf(e) === "CascorNotFoundError" ? Effect.succeed(null) : Effect.fail(linkError(e))))
  )

const BROADCASTS: ReadonlySet<string> = new Set(["state", "metrics", "topology", "cascade_add", "candidate_progress", "event"])

export const makeClientLink = (o: ClientLinkOptions): Effect.Effect<CascorLink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { client } = o
    const scope = yield* Effect.scope
    const pubsub = yield* PubSub.unbounded<LinkEvent>()
    const emit = (e: LinkEvent) => pubsub.unsafeOffer(e)
    let connected = false
    let helloPending = false
    let serverInstanceId: string | null = null

    // --- /ws/training ---------------------------------------------------------------------------------------------
    const onEvent = (ev: TrainingStreamEvent) =>
      Effect.sync(() => {
        switch (ev._tag) {
          case "Open":
            // The client reports Open after the greeting was delivered: send the deferred first frame now.
            if (helloPending && o.outbound?.send({ type: "subscribe_metrics", data: { max_count: 1 } })) helloPending = false
            return
          case "Invalid":
            return
          case "Closed":
            if (connected) emit({ _tag: "Disconnected", reason: `${ev.code !== null ? `closed ${ev.code}` : "connection lost"}${ev.reason ? `: ${ev.reason}` : ""}` })
            connected = false
            return
          case "Frame": {
            const f = ev.frame as { type: string; data?: unknown; timestamp?: number; seq?: number }
            if (f.type === "connection_established") {
              serverInstanceId = (f.data as { server_instance_id?: string }).server_instance_id ?? null
              // The protocol has already queued its resume when it has one; otherwise this starts the fresh connect.
              helloPending = o.outbound !== undefined && !o.outbound.send({ type: "subscribe_metrics", data: { max_count: 1 } })
              emit({ _tag: "Heartbeat" })
              return
            }
            if (!connected && (f.type === "resume_ok" || f.type === "initial_status" || BROADCASTS.has(f.type))) {
              connected = true
              emit({ _tag: "Connected", resumed: f.type !== "initial_status", serverInstanceId })
            }
            if (BROADCASTS.has(f.type)) emit({ _tag: "Frame", frame: f })
            else emit({ _tag: "Heartbeat" })
            return
          }
        }
      })
    const restart = Duration.millis(o.restartDelayMs ?? 5000)
    const relay = Stream.runForEach(o.trainingEvents, onEvent).pipe(
      Effect.catchAllCause((cause) =>
        Effect.gen(function* () {
          const reason = messageOf(cause._tag === "Fail" ? cause.error : "stream ended")
          if (connected) emit({ _tag: "Disconnected", reason })
          connected = false
          yield* Effect.logWarning(`JuniperCascor training stream stopped (${reason}); retrying in ${Duration.format(restart)}`)
        })
      ),
      Effect.zipRight(Effect.sleep(restart)),
      Effect.forever
    )

    // --- /ws/control ----------------------------------------------------------------------------------------------
    let channel: ControlChannel | null = null
    if (o.openControl !== null) {
      const open = o.openControl
      const supervise = Effect.scoped(
        Effect.gen(function* () {
          const ch = yield* open
          channel = ch
          while (ch.isOpen()) yield* Effect.sleep("500 millis")
        })
      ).pipe(
        Effect.catchAll((e) => Effect.logDebug(`JuniperCascor control channel unavailable: ${messageOf(e)}`)),
        Effect.ensuring(Effect.sync(() => (channel = null))),
        Effect.zipRight(Effect.sleep("2 seconds")),
        Effect.forever
      )
      yield* Effect.forkScoped(supervise)
    }

    const rest = (name: string, params: Readonly<Record<string, unknown>> | undefined): Effect.Effect<unknown, unknown> => {
      const p = (params ?? {}) as {
        start_fresh?: boolean
        dataset?: DatasetRequest
        inline_data?: InlineData
        params?: TrainingParams
        epochs?: number
      }
      switch (name) {
        case "start":
          return client.startTraining({
            ...(p.start_fresh !== undefined ? { startFresh: p.start_fresh } : {}),
            ...(p.dataset ? { dataset: p.dataset } : {}),
            ...(p.inline_data ? { inlineData: p.inline_data } : {}),
            ...(p.params ? { params: p.params } : {}),
            ...(p.epochs !== undefined ? { epochs: p.epochs } : {})
          })
        case "stop":
          return client.stopTraining()
        case "pause":
          return client.pauseTraining()
        case "resume":
          return client.resumeTraining()
        case "reset":
          return client.resetTraining()
        case "set_params":
          return client.updateParams((params ?? {}) as TrainingParams)
        default:
          return Effect.fail(new LinkError({ kind: "invalid", message: `unknown command ${name}`, status: 400 }))
      }
    }

    const command: CascorLink["command"] = (name, params) =>
      Effect.suspend(() => {
        const ch = channel
        // Over the control socket when it is open; a command sent there is never re-sent over REST.
        if (ch !== null && ch.isOpen()) return call(ch.execute(name, params ?? (name === "set_params" ? {} : undefined)))
        return call(Effect.suspend(() => rest(name, params)))
      })

    const link: CascorLink = {
      mode: o.mode,
      upstreamUrl: o.upstreamUrl,
      relayed: true,
      getStatus: call(Effect.suspend(() => client.getTrainingStatus())),
      getMetrics: orNull(Effect.suspend(() => client.getMetrics())),
      getMetricsHistory: (count) => Effect.map(call(Effect.suspend(() => client.getMetricsHistory(count))), (h) => h.metrics),
      getNetwork: orNull(Effect.suspend(() => client.getNetwork())),
      getTopology: orNull(Effect.suspend(() => client.getTopology())),
      getParams: orNull(Effect.suspend(() => client.getTrainingParams())),
      getDataset: call(Effect.suspend(() => client.getDataset())),
      getDatasetData: orNull(Effect.suspend(() => client.getDatasetData())),
      getDecisionBoundary: (resolution) => orNull(Effect.suspend(() => client.getDecisionBoundary(resolution))),
      command,
      listSnapshots: (limit, offset) => call(Effect.suspend(() => client.listSnapshots({ limit, offset }))),
      getSnapshot: (id) => call(Effect.suspend(() => client.getSnapshot(id))),
      createSnapshot: (description) => call(Effect.suspend(() => client.saveSnapshot(description))),
      restoreSnapshot: (id) => call(Effect.suspend(() => client.loadSnapshot(id))),
      listWorkers: call(Effect.suspend(() => client.listWorkers())),
      workerStats: call(Effect.suspend(() => client.getWorkerStats())),
      subscribe: PubSub.subscribe(pubsub),
      // The relay starts once the backend listens, so the first Connected event is seen.
      activate: Effect.asVoid(Effect.forkIn(relay, scope)),
      // Commands still work over REST while the control socket is down; only a lost upstream is "reconnecting".
      controlState: Effect.sync(() => (channel !== null && channel.isOpen() ? "healthy" : connected ? "healthy" : "reconnecting")),
      controlChannel: Effect.sync(() => (channel !== null && channel.isOpen() ? "websocket" : "rest"))
    }
    return link
  })

export interface ServiceLinkOptions {
  readonly baseUrl: string
  readonly apiKey?: string | undefined
  /** The Origin of the control socket; must be on cascor's allowlist (JUNIPER_CASCOR_WS_CONTROL_ALLOWED_ORIGINS). */
  readonly origin: string
  /** Per REST call (default 5 000 ms; readiness and the UI must not hang on a stuck upstream). */
  readonly timeoutMs?: number
}

/** The link over whatever cascor clients are provided (real or fake). */
export const makeCascorLink = (o: {
  readonly mode: Extract<BackendMode, "service" | "fake">
  readonly upstreamUrl: string | null
  readonly training?: TrainingStreamOptions
}): Effect.Effect<CascorLink, never, Scope.Scope | JuniperCascorClient | CascorTrainingStreams> =>
  Effect.gen(function* () {
    const client = yield* JuniperCascorClient
    const streams = yield* CascorTrainingStreams
    return yield* makeClientLink({
      mode: o.mode,
      upstreamUrl: o.upstreamUrl,
      client,
      trainingEvents: streams.trainingEvents({ reconnect: true, reconnectBaseMs: 250, reconnectMaxMs: 3000, staleAfterMs: 75_000, ...o.training }),
      openControl: streams.control()
    })
  })

/** The cascor layer of the Service backend: the HTTP client and the real streams against JuniperCascor at `baseUrl`. */
export const layerServiceCascor = (o: ServiceLinkOptions) =>
  layerCascor({
    baseUrl: o.baseUrl,
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    origin: o.origin,
    timeoutMs: o.timeoutMs ?? 5000,
    retries: 1,
    backoffMs: 200,
    jitterMs: 100,
    connectTimeoutMs: 5000
  })
