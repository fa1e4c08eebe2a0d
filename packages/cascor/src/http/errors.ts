/** Session failures → the error envelope of the contract (§1.2), precisely typed per failure. */
import { Effect } from "effect"
import {
  badRequest,
  type CascorBadRequest,
  type CascorConflict,
  type CascorInternalError,
  type CascorNotFound,
  type CascorValidationFailed,
  conflict,
  internalError,
  notFound,
  validationFailed
} from "../api/errors.js"
import type { SessionConflict, SessionError, SessionInternal, SessionInvalid, SessionNotFound } from "../session/errors.js"

export type HttpErrorOf<E> = E extends SessionNotFound
  ? CascorNotFound
  : E extends SessionConflict
    ? CascorConflict
    : E extends SessionInvalid
      ? CascorBadRequest | CascorValidationFailed
      : E extends SessionInternal
        ? CascorInternalError
        : never

const issueSummary = (issues: SessionInvalid["issues"]): string | null =>
  issues.length === 0 ? null : issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")

export const toHttpError = (e: SessionError): Effect.Effect<never, CascorNotFound | CascorConflict | CascorBadRequest | CascorValidationFailed | CascorInternalError> => {
  switch (e._tag) {
    case "SessionNotFound":
      return Effect.fail(notFound(e.message))
    case "SessionConflict":
      return Effect.fail(conflict(e.message, e.state))
    case "SessionInvalid":
      // A 400 that names a field (a wrong weight shape, say) keeps it in `error.detail`: "body.values[1]: …".
      return Effect.fail(e.status === 400 ? badRequest(e.message, issueSummary(e.issues)) : validationFailed(e.issues, e.message))
    case "SessionInternal":
      return Effect.zipRight(Effect.logError(e.message), Effect.fail(internalError(e.message)))
  }
}

/** For handlers: map every session failure of `effect` to its HTTP error. */
export const httpErrors = <A, E extends SessionError, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, HttpErrorOf<E>, R> =>
  Effect.catchAll(effect, toHttpError) as Effect.Effect<A, HttpErrorOf<E>, R>
