/**
 * The training session's typed failures, independent of the transport: the HTTP handlers map them to the error
 * envelope (../http/errors.ts), the control channel to `command_response` errors, the RPC group sends them as is.
 */
import { Schema } from "effect"
import { ValidationIssue } from "../api/schema.js"

/** 404: no network, no data, unknown snapshot or worker. */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", { message: Schema.String }) {}

/** 409: the command is not valid in the current state (the message names the state). */
export class SessionConflict extends Schema.TaggedError<SessionConflict>()("SessionConflict", {
  message: Schema.String,
  state: Schema.String
}) {}

/** 400 (bad id, wrong shape) or 422 (request validation, with FastAPI-style issues). */
export class SessionInvalid extends Schema.TaggedError<SessionInvalid>()("SessionInvalid", {
  message: Schema.String,
  status: Schema.Literal(400, 422),
  issues: Schema.Array(ValidationIssue)
}) {}

/** 500: something broke (the message is safe to show; details are logged). */
export class SessionInternal extends Schema.TaggedError<SessionInternal>()("SessionInternal", { message: Schema.String }) {}

export type SessionError = SessionNotFound | SessionConflict | SessionInvalid | SessionInternal
export const SessionError = Schema.Union(SessionNotFound, SessionConflict, SessionInvalid, SessionInternal)

/** A 422 naming one field: `loc` like ["body", "params", "selected_candidates"]. */
export const invalidField = (loc: ReadonlyArray<string | number>, msg: string, input: unknown = null, type = "value_error") =>
  new SessionInvalid({ message: `${loc.slice(1).join(".") || loc.join(".")}: ${msg}`, status: 422, issues: [{ type, loc: [...loc], msg, input }] })

/** A 400 with a message (bad snapshot id, wrong shape). */
export const badRequest = (message: string) => new SessionInvalid({ message, status: 400, issues: [] })
