/**
 * Client-side checks shared by the HTTP client and the fake: a request value that its wire schema refuses, or a
 * decision-boundary resolution outside 5..512, is a CascorValidationError (statusCode null) before any request.
 */
import { Effect, ParseResult, Schema } from "effect"
import { type CascorValidationError, validationError } from "./errors.js"
import { DECISION_BOUNDARY_MAX, DECISION_BOUNDARY_MIN } from "./shape.js"

export const check = <A, I>(schema: Schema.Schema<A, I>, value: unknown, what: string): Effect.Effect<A, CascorValidationError> =>
  Effect.mapError(Schema.encodeUnknown(schema)(value), (e) =>
    validationError(`Invalid ${what}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`, ParseResult.ArrayFormatter.formatErrorSync(e))
  ).pipe(Effect.as(value as A))

export const checkResolution = (resolution: number): Effect.Effect<number, CascorValidationError> =>
  !Number.isInteger(resolution) || resolution < DECISION_BOUNDARY_MIN || resolution > DECISION_BOUNDARY_MAX
    ? Effect.fail(validationError(`resolution must be an integer in ${DECISION_BOUNDARY_MIN}..${DECISION_BOUNDARY_MAX}, got ${resolution}`))
    : Effect.succeed(resolution)

/** A hidden unit's index (E3): an integer (a negative one is the server's 404). */
export const checkUnitIndex = (index: number): Effect.Effect<number, CascorValidationError> =>
  Number.isSafeInteger(index) ? Effect.succeed(index) : Effect.fail(validationError(`hidden unit index must be an integer, got ${index}`))
