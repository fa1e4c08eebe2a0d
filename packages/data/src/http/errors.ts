/**
 * The HTTP errors of JuniperData, FastAPI-shaped (`{"detail": str}`) with a `_tag` naming the kind, and the mapping
 * from the data layer's typed failures to them (data-api §4).
 */
import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { BadCursor, DatasetNotFound, GenerationFailed, InvalidDatasetId, InvalidParameters, StorageError, UnknownGenerator } from "../errors.js"

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", { detail: Schema.String }, HttpApiSchema.annotations({ status: 400 })) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { detail: Schema.String }, HttpApiSchema.annotations({ status: 404 })) {}
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", { detail: Schema.String }, HttpApiSchema.annotations({ status: 500 })) {}

export type DataFailure = BadCursor | UnknownGenerator | InvalidParameters | GenerationFailed | DatasetNotFound | InvalidDatasetId | StorageError

/** Data-layer failure → HTTP error. Storage failures are logged (the client sees only "Internal server error"). */
export const toHttpError = (e: DataFailure): Effect.Effect<never, BadRequest | NotFound | InternalError> => {
  switch (e._tag) {
    case "UnknownGenerator":
    case "InvalidParameters":
    case "GenerationFailed":
    case "InvalidDatasetId":
    case "BadCursor":
      return Effect.fail(new BadRequest({ detail: e.detail }))
    case "DatasetNotFound":
      return Effect.fail(new NotFound({ detail: e.detail }))
    case "StorageError":
      return Effect.zipRight(Effect.logError(e.message), Effect.fail(new InternalError({ detail: e.detail })))
  }
}

/** The HTTP error each data-layer failure becomes. */
export type HttpErrorOf<E> = E extends StorageError ? InternalError : E extends DatasetNotFound ? NotFound : BadRequest

/** For handlers: map every data-layer failure of `effect` to its HTTP error (precisely typed per failure). */
export const httpErrors = <A, E extends DataFailure, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, HttpErrorOf<E>, R> =>
  Effect.catchAll(effect, toHttpError) as Effect.Effect<A, HttpErrorOf<E>, R>
