/** Typed failures of the engine. Each names what was wrong so the service can answer with a precise 400. */
import { Schema } from "effect"

/** A training parameter is missing its bounds or has the wrong type; `parameter` is its path, e.g. "poolSize". */
export class InvalidParameter extends Schema.TaggedError<InvalidParameter>()("InvalidParameter", {
  parameter: Schema.String,
  message: Schema.String
}) {}

/** The dataset cannot be trained on: empty, mismatched shapes, NaN/Inf values. `parameter` names the offending part. */
export class InvalidDataset extends Schema.TaggedError<InvalidDataset>()("InvalidDataset", {
  parameter: Schema.String,
  message: Schema.String
}) {}

/** A backend kernel threw (native failure, unsupported option). */
export class KernelFailure extends Schema.TaggedError<KernelFailure>()("KernelFailure", {
  backend: Schema.String,
  phase: Schema.String,
  message: Schema.String
}) {}

/** A snapshot could not be restored (wrong dataset, corrupt arrays, unknown version). */
export class InvalidSnapshot extends Schema.TaggedError<InvalidSnapshot>()("InvalidSnapshot", {
  message: Schema.String
}) {}

export type EngineError = InvalidParameter | InvalidDataset | KernelFailure | InvalidSnapshot
