/**
 * The upstream a backend talks to, in JuniperCascor's own shapes (cascor-api §4, §6): REST-like reads and commands
 * with the payloads unwrapped, and the `/ws/training` frames with connection events.
 *
 * Three implementations: the in-process demo session (./demo/), JuniperCascor over the cascor clients
 * (./service.ts), and the same over the FakeCascorClient (./fake.ts). One backend (./link-backend.ts) turns any of
 * them into the CanopyBackend interface, so every mode shares the normalisation, the relay and the error mapping.
 */
import { Data, type Effect, type Queue, type Scope } from "effect"
import type {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  HyperParameters,
  MetricsRow,
  NetworkInfo,
  SnapshotList,
  SnapshotMeta,
  SnapshotRestoreResult,
  Topology,
  TrainingStatus,
  WorkerList,
  WorkerStats
} from "@juniper/cascor/api/schema"
import type { BackendMode } from "../api/schema.js"

/** Why an upstream call failed, by the status it stands for. */
export class LinkError extends Data.TaggedError("LinkError")<{
  /**
   * unavailable: connection refused, timeout, 503, circuit open · not_found: 404 · conflict: 409 ·
   * invalid: 400/422 · failed: other errors (500, malformed answers) · unsupported: not in this mode.
   */
  readonly kind: "unavailable" | "not_found" | "conflict" | "invalid" | "failed" | "unsupported"
  readonly message: string
  readonly status?: number | null
}> {}

/** A `/ws/training` frame as JuniperCascor sends it (broadcasts carry cascor's `seq`; Canopy re-stamps its own). */
export interface UpstreamFrame {
  readonly type: string
  readonly timestamp?: number
  readonly data?: unknown
  readonly seq?: number
}

export type LinkEvent =
  /** A broadcast frame (state, metrics, topology, cascade_add, candidate_progress, event). */
  | { readonly _tag: "Frame"; readonly frame: UpstreamFrame }
  /** The stream is (re)connected. `resumed`: the upstream replayed what was missed (no gap). */
  | { readonly _tag: "Connected"; readonly resumed: boolean; readonly serverInstanceId: string | null }
  /** The stream dropped; the link reconnects by itself. */
  | { readonly _tag: "Disconnected"; readonly reason: string }
  /** Any inbound traffic (pings included): proves the stream is alive. */
  | { readonly _tag: "Heartbeat" }

export type LinkCommand = "start" | "stop" | "pause" | "resume" | "reset" | "set_params"

export type Call<A> = Effect.Effect<A, LinkError>

export interface CascorLink {
  readonly mode: BackendMode
  /** The upstream's base URL (readiness probes it), or null in-process. */
  readonly upstreamUrl: string | null
  /** Frames come over a relayed stream that can drop and reconnect (service, fake); false in-process (demo). */
  readonly relayed: boolean
  readonly getStatus: Call<TrainingStatus>
  /** The latest row, or null before the first one. */
  readonly getMetrics: Call<MetricsRow | null>
  /** Oldest first; `count` undefined = all retained. */
  readonly getMetricsHistory: (count?: number) => Call<ReadonlyArray<MetricsRow>>
  readonly getNetwork: Call<NetworkInfo | null>
  readonly getTopology: Call<Topology | null>
  /** Live hyper-parameters, or null without a network. */
  readonly getParams: Call<HyperParameters | null>
  readonly getDataset: Call<DatasetInfo>
  readonly getDatasetData: Call<DatasetData | null>
  /** null without a network or data. */
  readonly getDecisionBoundary: (resolution: number) => Call<DecisionBoundary | null>
  /**
   * A control command with cascor's semantics (§5, §7): `start` takes the REST start body, `set_params` the PATCH
   * body and answers the ParamsUpdateResult. One acknowledgement path: a command is sent once.
   */
  readonly command: (command: LinkCommand, params?: Readonly<Record<string, unknown>>) => Call<unknown>
  readonly listSnapshots: (limit: number, offset: number) => Call<SnapshotList>
  readonly getSnapshot: (id: string) => Call<SnapshotMeta>
  readonly createSnapshot: (description: string) => Call<SnapshotMeta>
  readonly restoreSnapshot: (id: string) => Call<SnapshotRestoreResult>
  readonly listWorkers: Call<WorkerList>
  readonly workerStats: Call<WorkerStats>
  /** Frames and connection events from now on, as a queue subscribed at once (for as long as the scope lives). */
  readonly subscribe: Effect.Effect<Queue.Dequeue<LinkEvent>, never, Scope.Scope>
  /** Called once the backend has subscribed: starts whatever the link runs by itself (the demo's first run). */
  readonly activate: Effect.Effect<void>
  /** State of the command channel. */
  readonly controlState: Effect.Effect<"healthy" | "reconnecting" | "n/a">
  /** How commands travel now: the upstream's control socket, its REST routes, or in-process. */
  readonly controlChannel: Effect.Effect<"websocket" | "rest" | "in-process">
}
