/** The health wire types shared by every Juniper service (roadmap §8.4): bare JSON, top-level `status`. */
import { Schema } from "effect"

export const DependencyState = Schema.Literal("healthy", "unhealthy", "degraded", "not_configured")
export type DependencyState = typeof DependencyState.Type

export class DependencyStatus extends Schema.Class<DependencyStatus>("DependencyStatus")({
  name: Schema.String,
  status: DependencyState,
  latency_ms: Schema.NullOr(Schema.Number),
  message: Schema.NullOr(Schema.String)
}) {}

export const ReadinessState = Schema.Literal("ready", "degraded", "not_ready")
export type ReadinessState = typeof ReadinessState.Type

export class ReadinessResponse extends Schema.Class<ReadinessResponse>("ReadinessResponse")({
  status: ReadinessState,
  version: Schema.String,
  service: Schema.String,
  timestamp: Schema.Number,
  git_sha: Schema.NullOr(Schema.String),
  build_date: Schema.NullOr(Schema.String),
  dependencies: Schema.Record({ key: Schema.String, value: DependencyStatus }),
  details: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

export class HealthResponse extends Schema.Class<HealthResponse>("HealthResponse")({
  status: Schema.Literal("ok"),
  version: Schema.String,
  service: Schema.String,
  git_sha: Schema.NullOr(Schema.String),
  build_date: Schema.NullOr(Schema.String)
}) {}

export class LivenessResponse extends Schema.Class<LivenessResponse>("LivenessResponse")({
  status: Schema.Literal("alive", "unresponsive"),
  tick: Schema.String,
  duration_ms: Schema.Number,
  error: Schema.optional(Schema.String)
}) {}
