/**
 * Wire types of the run-scoped API (`/v1/runs`, the RPC group's run operations) and its typed failures. Field names
 * follow the service's snake_case convention; engine parameters are the engine's own names (camelCase, as
 * `engine_params` in NetworkInfo).
 */
import { Schema } from "effect"
import { ValidationIssue } from "../api/schema.js"
import { DatasetRequest } from "./datasets.js"

export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
export const DEFAULT_RUN = "default"

export const RunCreateRequest = Schema.Struct({
  /** Letters, digits, `_`, `.`, `-` (≤ 64); generated when absent. `default` is the service's own run. */
  run_id: Schema.optional(Schema.String),
  /** A named parameter set the params override (`fahlman`: Fahlman's defaults, `twoSpirals`: his two-spirals set). */
  preset: Schema.optional(Schema.Literal("fahlman", "twoSpirals")),
  /** Engine parameters (engine/params.ts, e.g. `{ "seed": 7, "poolSize": 8, "rounds": 10 }`): validated, 422 naming the parameter. */
  params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  dataset: DatasetRequest,
  /** Candidate jobs per phase (results are identical for any value): 0 = one per runner, 1 = unsplit. */
  candidate_chunks: Schema.optional(Schema.Int.pipe(Schema.between(0, 1024)))
})
export type RunCreateRequest = typeof RunCreateRequest.Type

export const RunStatusWire = Schema.Struct({
  algorithm: Schema.String,
  stage: Schema.String,
  round: Schema.Number,
  epoch: Schema.Number,
  hidden_units: Schema.Number,
  crossings: Schema.Number,
  true_error: Schema.Number,
  error_bits: Schema.Number,
  accuracy: Schema.Number,
  done: Schema.Boolean,
  outcome: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String)
})

export const RunInfo = Schema.Struct({
  run_id: Schema.String,
  /** `workflow`: a durable run on the cluster's runners; `session`: the service's default run (upstream routes). */
  kind: Schema.Literal("workflow", "session"),
  state: Schema.Literal("queued", "running", "paused", "completed", "stopped", "failed"),
  /** The last control request (`run`, `pause`, `stop`). */
  desired: Schema.String,
  /** The phase the run is paused before (null when not paused). */
  paused_at: Schema.NullOr(Schema.Int),
  /** Phases completed. */
  phases: Schema.Int,
  params: Schema.Unknown,
  dataset: Schema.Unknown,
  candidate_chunks: Schema.Int,
  status: Schema.NullOr(RunStatusWire),
  error: Schema.NullOr(Schema.String),
  /** The runner that ran the latest phase. */
  runner: Schema.NullOr(Schema.String),
  execution_id: Schema.NullOr(Schema.String),
  created_at: Schema.Number,
  updated_at: Schema.Number
})
export type RunInfo = typeof RunInfo.Type

export const RunList = Schema.Struct({
  runs: Schema.Array(RunInfo),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
})
export type RunList = typeof RunList.Type

export const RunPhase = Schema.Struct({
  phase: Schema.Int,
  kind: Schema.String,
  round: Schema.Int,
  end: Schema.String,
  epochs: Schema.Int,
  epoch: Schema.Int,
  hidden_units: Schema.Int,
  loss: Schema.NullOr(Schema.Number),
  true_error: Schema.Number,
  error_bits: Schema.Number,
  accuracy: Schema.Number,
  unit: Schema.NullOr(Schema.Int),
  best_score: Schema.NullOr(Schema.Number),
  jobs: Schema.NullOr(Schema.Int),
  ms: Schema.Number,
  runner: Schema.String,
  attempts: Schema.Int
})
export type RunPhase = typeof RunPhase.Type

export const RunMetrics = Schema.Struct({ run_id: Schema.String, phases: Schema.Array(RunPhase) })
export type RunMetrics = typeof RunMetrics.Type

export const RunDeleted = Schema.Struct({ run_id: Schema.String, deleted: Schema.Literal(true) })

export const RunListUrlParams = Schema.Struct({
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000))),
  offset: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()))
})
export const RunMetricsUrlParams = Schema.Struct({
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100_000)))
})
export const RunBoundaryUrlParams = Schema.Struct({
  resolution: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(5, 512)))
})

// ---------------------------------------------------------------------------------------------------------------
// Failures (transport-independent; HTTP maps them to the error envelope, RPC sends them as they are)
// ---------------------------------------------------------------------------------------------------------------

/** 404: no run with this id. */
export class RunNotFound extends Schema.TaggedError<RunNotFound>()("RunNotFound", { message: Schema.String }) {}
/** 409: the request does not fit the run's state (or the id is taken). */
export class RunConflict extends Schema.TaggedError<RunConflict>()("RunConflict", { message: Schema.String, state: Schema.String }) {}
/** 400: a malformed run id. */
export class RunBadRequest extends Schema.TaggedError<RunBadRequest>()("RunBadRequest", { message: Schema.String }) {}
/** 422: invalid run parameters or dataset, with FastAPI-style issues naming the field. */
export class RunInvalid extends Schema.TaggedError<RunInvalid>()("RunInvalid", {
  message: Schema.String,
  issues: Schema.Array(ValidationIssue)
}) {}
/** 413: the inline dataset is larger than the configured limit. */
export class RunTooLarge extends Schema.TaggedError<RunTooLarge>()("RunTooLarge", { message: Schema.String, limit: Schema.Number }) {}
/** 503: the run store or the cluster is not reachable. */
export class RunUnavailable extends Schema.TaggedError<RunUnavailable>()("RunUnavailable", { message: Schema.String }) {}

export const RunError = Schema.Union(RunNotFound, RunConflict, RunBadRequest, RunInvalid, RunTooLarge, RunUnavailable)
export type RunError = typeof RunError.Type
