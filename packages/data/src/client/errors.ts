/**
 * The data client's typed failures, mirroring upstream's exception hierarchy (data-api §12): connection, timeout,
 * not found (404), validation (400/422) and any other non-2xx. `detail` is the server's payload as received.
 */
import { Data } from "effect"

export class DataClientConnectionError extends Data.TaggedError("DataClientConnectionError")<{ readonly message: string; readonly cause?: unknown }> {}
export class DataClientTimeoutError extends Data.TaggedError("DataClientTimeoutError")<{ readonly message: string }> {}
export class DataClientNotFoundError extends Data.TaggedError("DataClientNotFoundError")<{
  readonly message: string
  readonly statusCode: 404
  readonly detail: unknown
}> {}
export class DataClientValidationError extends Data.TaggedError("DataClientValidationError")<{
  readonly message: string
  readonly statusCode: number
  readonly detail: unknown
}> {}
/** Any other failure: a non-2xx status, retries exhausted (statusCode null), or a malformed response. */
export class DataClientError extends Data.TaggedError("DataClientError")<{
  readonly message: string
  readonly statusCode: number | null
  readonly detail: unknown
}> {}

export type DataClientFailure =
  | DataClientConnectionError
  | DataClientTimeoutError
  | DataClientNotFoundError
  | DataClientValidationError
  | DataClientError

/** `detail` rendered as text: a string as is; a FastAPI list as `loc.a.b: msg; …`. */
export const renderDetail = (detail: unknown): string => {
  if (typeof detail === "string") return detail
  if (Array.isArray(detail))
    return detail
      .map((d: { loc?: ReadonlyArray<unknown>; msg?: unknown }) => `${(d.loc ?? []).join(".")}: ${String(d.msg ?? "")}`)
      .join("; ")
  return JSON.stringify(detail)
}

/** The typed failure for an HTTP status and its body's `detail`. */
export const statusFailure = (status: number, detail: unknown): DataClientFailure => {
  const text = renderDetail(detail)
  if (status === 404) return new DataClientNotFoundError({ message: `Resource not found: ${text}`, statusCode: 404, detail })
  if (status === 400 || status === 422) return new DataClientValidationError({ message: `Validation error (${status}): ${text}`, statusCode: status, detail })
  return new DataClientError({ message: `Request failed (${status}): ${text}`, statusCode: status, detail })
}
