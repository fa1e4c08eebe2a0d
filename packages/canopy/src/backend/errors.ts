/**
 * Typed failures of the backend layer. Route handlers map them to HTTP statuses at the edge (../http/errors.ts);
 * the control socket maps them to `command_response` errors.
 */
import { Data } from "effect"

/** The upstream (JuniperCascor) cannot be reached, the circuit is open, or there is nothing to answer with: 503. */
export class BackendUnavailable extends Data.TaggedError("BackendUnavailable")<{ readonly message: string }> {}
/** The thing asked for does not exist (unknown snapshot, no metrics yet): 404. */
export class BackendNotFound extends Data.TaggedError("BackendNotFound")<{ readonly message: string }> {}
/** Not valid in the current state (restore while training): 409. */
export class BackendConflict extends Data.TaggedError("BackendConflict")<{ readonly message: string }> {}
/** The request itself is wrong: 400 (bad id, bad shape) or 422 (validation), with the offending field if known. */
export class BackendInvalid extends Data.TaggedError("BackendInvalid")<{
  readonly message: string
  readonly status: 400 | 422
  readonly field?: string
}> {}
/** The upstream refused or failed a valid request: 502. */
export class BackendRejected extends Data.TaggedError("BackendRejected")<{ readonly message: string; readonly upstreamStatus?: number | null }> {}
/** Not available in this mode (demo: replay, network editing): 501. */
export class BackendNotImplemented extends Data.TaggedError("BackendNotImplemented")<{ readonly message: string }> {}

/** An operation did not finish in time and may be retried (a restart whose stop did not complete): 504. */
export class BackendTimeout extends Data.TaggedError("BackendTimeout")<{ readonly message: string; readonly retriable: boolean }> {}

export type BackendError = BackendUnavailable | BackendNotFound | BackendConflict | BackendInvalid | BackendRejected | BackendNotImplemented | BackendTimeout
