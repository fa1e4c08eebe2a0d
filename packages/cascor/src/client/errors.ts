/**
 * The client's typed failures (cascor-api §13.2), one class per upstream exception. Every class extends
 * `JuniperCascorClientError` (so `instanceof` works for Promise users) and carries a literal `_tag` (so Effect users
 * can `catchTag`). The message comes from the error envelope's `error.message`, else its top-level `detail`.
 */
import { Data, Schema } from "effect"
import { ErrorEnvelope } from "../api/schema.js"

export interface ClientErrorFields {
  readonly message: string
  /** The HTTP status, or null when there was no response (connection, timeout, client-side validation). */
  readonly statusCode: number | null
  /** The server's `detail` (a string, or the FastAPI issue list for a 422), or null. */
  readonly detail: unknown
  /** The envelope's `error.code` (e.g. "NOT_FOUND"), a WebSocket command's `code`, or null. */
  readonly errorCode: string | null
  /** The response body as received (JSON), when there was one. */
  readonly response?: unknown
  /** A WebSocket close code, when the failure is a close. */
  readonly closeCode?: number
  readonly cause?: unknown
}

/** The base class of every client failure (upstream `JuniperCascorClientError`). Not itself thrown. */
export abstract class JuniperCascorClientError extends Data.Error<ClientErrorFields> {
  abstract readonly _tag: string
}

/** Any other failure: a non-2xx status without its own class, retries exhausted, a malformed response. */
export class CascorClientError extends JuniperCascorClientError {
  readonly _tag = "CascorClientError" as const
}
/** The service could not be reached (refused, reset, DNS, WebSocket open failure). */
export class CascorConnectionError extends JuniperCascorClientError {
  readonly _tag = "CascorConnectionError" as const
}
/** A request, command or connection did not finish in time. */
export class CascorTimeoutError extends JuniperCascorClientError {
  readonly _tag = "CascorTimeoutError" as const
}
/** 404. */
export class CascorNotFoundError extends JuniperCascorClientError {
  readonly _tag = "CascorNotFoundError" as const
}
/** 409: the command is not valid in the current state (the message names it). */
export class CascorConflictError extends JuniperCascorClientError {
  readonly _tag = "CascorConflictError" as const
}
/** 400 / 422, or an argument the client refuses before sending. */
export class CascorValidationError extends JuniperCascorClientError {
  readonly _tag = "CascorValidationError" as const
}
/** 503. */
export class CascorServiceUnavailableError extends JuniperCascorClientError {
  readonly _tag = "CascorServiceUnavailableError" as const
}
/** 429 (REST rate limit) or a rate-limited control command. */
export class CascorOverloadError extends JuniperCascorClientError {
  readonly _tag = "CascorOverloadError" as const
}
/** Bad client configuration (a URL that cannot be parsed, an unusable option). */
export class CascorConfigurationError extends JuniperCascorClientError {
  readonly _tag = "CascorConfigurationError" as const
}
/** A WebSocket closed on us for good (auth 4001, Origin 4003, …) or broke a protocol rule; `closeCode` when closed. */
export class CascorStreamError extends JuniperCascorClientError {
  readonly _tag = "CascorStreamError" as const
}

/** What a REST call can fail with. */
export type CascorClientFailure =
  | CascorClientError
  | CascorConnectionError
  | CascorTimeoutError
  | CascorNotFoundError
  | CascorConflictError
  | CascorValidationError
  | CascorServiceUnavailableError
  | CascorOverloadError
  | CascorConfigurationError

export const isCascorClientFailure = (u: unknown): u is CascorClientFailure | CascorStreamError =>
  u instanceof JuniperCascorClientError

const fields = (message: string, extra: Partial<ClientErrorFields> = {}): ClientErrorFields => ({
  statusCode: null,
  detail: null,
  errorCode: null,
  ...extra,
  message
})

export const connectionError = (message: string, cause?: unknown) => new CascorConnectionError(fields(message, { cause }))
export const timeoutError = (message: string) => new CascorTimeoutError(fields(message))
export const validationError = (message: string, detail: unknown = null) => new CascorValidationError(fields(message, { detail }))
export const configurationError = (message: string) => new CascorConfigurationError(fields(message))
export const streamError = (message: string, closeCode?: number, cause?: unknown) =>
  new CascorStreamError(fields(message, { ...(closeCode !== undefined ? { closeCode } : {}), cause }))

/** The FastAPI issue list rendered as `loc.a.b: msg; …`; any other detail as text. */
export const renderDetail = (detail: unknown): string => {
  if (typeof detail === "string") return detail
  if (Array.isArray(detail))
    return detail.map((d: { loc?: ReadonlyArray<unknown>; msg?: unknown }) => `${(d?.loc ?? []).join(".")}: ${String(d?.msg ?? "")}`).join("; ")
  return detail === null || detail === undefined ? "" : JSON.stringify(detail)
}

const decodeEnvelope = Schema.decodeUnknownOption(ErrorEnvelope)

/** `error.message`, else `detail`, else a generic text (§1.2: the client reads error.message, then detail). */
export const messageOf = (status: number, body: unknown): { message: string; detail: unknown; errorCode: string | null } => {
  const env = decodeEnvelope(body)
  if (env._tag === "Some") return { message: env.value.error.message, detail: env.value.detail, errorCode: env.value.error.code }
  const loose = (typeof body === "object" && body !== null ? body : {}) as { error?: { message?: unknown; code?: unknown }; detail?: unknown }
  const errorCode = typeof loose.error?.code === "string" ? loose.error.code : null
  if (typeof loose.error?.message === "string" && loose.error.message !== "") return { message: loose.error.message, detail: loose.detail ?? null, errorCode }
  const detail = loose.detail ?? (typeof body === "string" ? body : null)
  const text = renderDetail(detail)
  return { message: text !== "" ? text : `HTTP ${status}`, detail, errorCode }
}

/** The typed failure for an HTTP status and its (JSON) body. */
export const statusFailure = (status: number, body: unknown): CascorClientFailure => {
  const { message, detail, errorCode } = messageOf(status, body)
  const f: ClientErrorFields = { message, statusCode: status, detail, errorCode, response: body }
  switch (status) {
    case 400:
    case 422:
      return new CascorValidationError(f)
    case 404:
      return new CascorNotFoundError(f)
    case 409:
      return new CascorConflictError(f)
    case 429:
      return new CascorOverloadError(f)
    case 503:
      return new CascorServiceUnavailableError(f)
    default:
      return new CascorClientError(f)
  }
}
