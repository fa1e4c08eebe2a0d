/**
 * The `CandidateTrainer` entity: candidate jobs as volatile RPCs (never persisted: arrays do not belong in the
 * message store). Per phase, the values a job reads (X compacted to K columns, E, Ē, SSE) go once to each runner
 * (`LoadValues`, cached there under a phase key); each job then sends only what changes (`TrainJob`: the candidate
 * range, the mode and the phase settings). Arrays travel as float32 bytes (msgpack carries Uint8Array natively);
 * a receiver copies them before viewing them as Float32Array (socket buffers may be misaligned).
 *
 * Handlers never throw: a malformed job is answered with `InvalidJob`, a backend failure with `JobFailed`, an unknown
 * phase key with `ValuesMissing` (the client then sends the values and retries: the entity may have moved to another
 * runner after a failover, or the cache evicted them).
 */
import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"

const Bytes = Schema.Uint8ArrayFromSelf
/** Loose numbers on the wire: the handler checks them and answers a typed error (schema failures are not replies). */
const Num = Schema.Number

export class ValuesMissing extends Schema.TaggedError<ValuesMissing>()("ValuesMissing", {
  key: Schema.String,
  runner: Schema.String
}) {}
export class InvalidJob extends Schema.TaggedError<InvalidJob>()("InvalidJob", {
  message: Schema.String,
  runner: Schema.String
}) {}
export class JobFailed extends Schema.TaggedError<JobFailed>()("JobFailed", {
  message: Schema.String,
  runner: Schema.String
}) {}

export const TrainerError = Schema.Union(ValuesMissing, InvalidJob, JobFailed)
export type TrainerError = typeof TrainerError.Type

/**
 * One part of the values of a phase (what every job of the phase reads): the float32 bytes of X (P×K, ldx = K), then
 * E (P×O), then Ē (O), cut into parts of at most `VALUES_PART_BYTES` — the RPC framing re-scans a message's buffer
 * on every socket read, so one 64 MB message would cost minutes where 1 MiB parts cost milliseconds each. The
 * runner assembles the parts (in any order) and caches the values once all have arrived.
 */
export const ValuesPayload = {
  key: Schema.String,
  P: Num,
  K: Num,
  O: Num,
  sse: Num,
  part: Num,
  parts: Num,
  /** Byte offset of this part in X|E|Ē. */
  offset: Num,
  bytes: Bytes
}

export const VALUES_PART_BYTES = 1 << 20

/** One job: what changes per job. */
export const JobPayload = {
  key: Schema.String,
  activation: Num,
  settings: Schema.Struct({ epsilon: Num, mu: Num, decay: Num, patience: Num, changeThreshold: Num, maxEpochs: Num }),
  meanCorrection: Schema.String,
  weightRange: Num,
  runSeed: Num,
  unit: Num,
  c0: Num,
  c1: Num,
  mode: Schema.String
}

export const JobReply = Schema.Struct({
  c0: Schema.Int,
  c1: Schema.Int,
  weights: Bytes,
  correlations: Bytes,
  scores: Bytes,
  best: Schema.Int,
  bestScore: Schema.Number,
  epochs: Schema.Int,
  end: Schema.Int,
  trace: Schema.optional(Bytes),
  /** Which runner trained it and how long the kernel took. */
  runner: Schema.String,
  ms: Schema.Number
})
export type JobReply = typeof JobReply.Type

export const LoadValues = Rpc.make("LoadValues", {
  payload: ValuesPayload,
  /** `complete`: every part is in and the values are cached (`bytes` then is their size). */
  success: Schema.Struct({ runner: Schema.String, bytes: Schema.Number, complete: Schema.Boolean }),
  error: TrainerError
})

export const TrainJob = Rpc.make("TrainJob", {
  payload: JobPayload,
  success: JobReply,
  error: TrainerError
})
  // SIGTERM drains: a job in flight runs to its reply before the runner lets its shards go.
  .annotate(ClusterSchema.Uninterruptible, "server")

export const DropValues = Rpc.make("DropValues", { payload: { key: Schema.String } })

export const CandidateTrainer = Entity.make("CandidateTrainer", [LoadValues, TrainJob, DropValues])
