// Typed failures of the data layer. Each carries what the HTTP layer needs for its `{"detail": …}` body (§4):
// `detail` is the exact wire text, `status` the HTTP status upstream uses.
import { Schema } from "effect"

/** Python's repr of a list of plain strings: ['spiral', 'xor']. */
const pyListRepr = (xs: ReadonlyArray<string>): string => `[${xs.map((x) => `'${x}'`).join(", ")}]`

/** D1 with an unregistered generator (400), or G2 for one (404: see `notFoundDetail`). */
export class UnknownGenerator extends Schema.TaggedError<UnknownGenerator>()("UnknownGenerator", {
  generator: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  get detail(): string {
    return `Unknown generator '${this.generator}'. Available: ${pyListRepr(this.available)}`
  }
  get notFoundDetail(): string {
    return `Generator '${this.generator}' not found`
  }
  override get message(): string {
    return this.detail
  }
}

export const ParamIssueSchema = Schema.Struct({ field: Schema.String, message: Schema.String })

/** Params the generator rejects (bounds, types, ratio sum): 400 `Invalid parameters: …`. */
export class InvalidParameters extends Schema.TaggedError<InvalidParameters>()("InvalidParameters", {
  generator: Schema.String,
  issues: Schema.Array(ParamIssueSchema)
}) {
  get detail(): string {
    return `Invalid parameters: ${this.issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`
  }
  override get message(): string {
    return this.detail
  }
}

/** Schema-valid params that fail during generation (e.g. centres of the wrong shape): 400. */
export class GenerationFailed extends Schema.TaggedError<GenerationFailed>()("GenerationFailed", {
  generator: Schema.String,
  reason: Schema.String
}) {
  get detail(): string {
    return "Invalid request parameters"
  }
  override get message(): string {
    return `${this.generator}: ${this.reason}`
  }
}

/** 404 `Dataset '<id>' not found`. */
export class DatasetNotFound extends Schema.TaggedError<DatasetNotFound>()("DatasetNotFound", {
  dataset_id: Schema.String
}) {
  get detail(): string {
    return `Dataset '${this.dataset_id}' not found`
  }
  override get message(): string {
    return this.detail
  }
}

/** A dataset id that fails §7's validation: 400 `Invalid request parameters`. */
export class InvalidDatasetId extends Schema.TaggedError<InvalidDatasetId>()("InvalidDatasetId", {
  dataset_id: Schema.String,
  reason: Schema.String
}) {
  get detail(): string {
    return "Invalid request parameters"
  }
  override get message(): string {
    return `invalid dataset id ${JSON.stringify(this.dataset_id)}: ${this.reason}`
  }
}

/** The storage backend failed (I/O, corrupt files): 500 `Internal server error`. */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  get detail(): string {
    return "Internal server error"
  }
  override get message(): string {
    return `storage ${this.operation} failed: ${this.reason}`
  }
}

/** D3: an undecodable cursor, or a cursor combined with offset ≠ 0: 400. */
export class BadCursor extends Schema.TaggedError<BadCursor>()("BadCursor", {
  cursor: Schema.String,
  reason: Schema.optionalWith(Schema.String, { default: () => "invalid cursor" })
}) {
  get detail(): string {
    return `Invalid cursor: ${this.reason}`
  }
  override get message(): string {
    return this.detail
  }
}
