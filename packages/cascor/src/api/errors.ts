/**
 * The error envelope (§1.2) as HttpApi error schemas, one class per status. Each body is
 * `{"_tag","status":"error","error":{"code","message","detail"},"detail","meta"}` (`_tag` is additive: it lets the
 * typed client decode the failure). The edge's own errors (401, 404 route, 413, 422 decode, 429, 500) are rendered by
 * ../http/wire-errors.ts with the same tags, so a typed client decodes them too.
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { API_VERSION, type ErrorCode, ErrorEnvelopeFields, type ValidationIssue } from "./schema.js"

export class CascorBadRequest extends Schema.TaggedError<CascorBadRequest>()("CascorBadRequest", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 400 })) {}
export class CascorUnauthorized extends Schema.TaggedError<CascorUnauthorized>()("CascorUnauthorized", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 401 })) {}
export class CascorNotFound extends Schema.TaggedError<CascorNotFound>()("CascorNotFound", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 404 })) {}
export class CascorConflict extends Schema.TaggedError<CascorConflict>()("CascorConflict", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 409 })) {}
export class CascorPayloadTooLarge extends Schema.TaggedError<CascorPayloadTooLarge>()("CascorPayloadTooLarge", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 413 })) {}
export class CascorValidationFailed extends Schema.TaggedError<CascorValidationFailed>()("CascorValidationFailed", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 422 })) {}
export class CascorRateLimited extends Schema.TaggedError<CascorRateLimited>()("CascorRateLimited", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 429 })) {}
export class CascorInternalError extends Schema.TaggedError<CascorInternalError>()("CascorInternalError", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 500 })) {}
export class CascorUnavailable extends Schema.TaggedError<CascorUnavailable>()("CascorUnavailable", ErrorEnvelopeFields, HttpApiSchema.annotations({ status: 503 })) {}

export type CascorHttpError =
  | CascorBadRequest
  | CascorUnauthorized
  | CascorNotFound
  | CascorConflict
  | CascorPayloadTooLarge
  | CascorValidationFailed
  | CascorRateLimited
  | CascorInternalError
  | CascorUnavailable

/** The `_tag` and error code of each HTTP status of the contract. */
export const errorTagOf: Record<number, { readonly tag: CascorHttpError["_tag"]; readonly code: ErrorCode }> = {
  400: { tag: "CascorBadRequest", code: "VALIDATION_ERROR" },
  401: { tag: "CascorUnauthorized", code: "UNAUTHORIZED" },
  404: { tag: "CascorNotFound", code: "NOT_FOUND" },
  409: { tag: "CascorConflict", code: "CONFLICT" },
  413: { tag: "CascorPayloadTooLarge", code: "PAYLOAD_TOO_LARGE" },
  422: { tag: "CascorValidationFailed", code: "VALIDATION_ERROR" },
  429: { tag: "CascorRateLimited", code: "RATE_LIMITED" },
  500: { tag: "CascorInternalError", code: "INTERNAL_ERROR" },
  503: { tag: "CascorUnavailable", code: "SERVICE_UNAVAILABLE" }
}

export const nowMeta = () => ({ timestamp: Date.now() / 1000, version: API_VERSION })

/** The error envelope body (without `_tag`) for a message and, for 422, the FastAPI issue list. */
export const errorEnvelope = (
  code: string,
  message: string,
  detail: string | null = null,
  issues?: ReadonlyArray<ValidationIssue>
) => ({
  status: "error" as const,
  error: { code, message, detail },
  detail: issues ?? message,
  meta: nowMeta()
})

const make = <E>(ctor: new (fields: ReturnType<typeof errorEnvelope>) => E, code: ErrorCode) =>
  (message: string, detail: string | null = null) => new ctor(errorEnvelope(code, message, detail))

export const badRequest = make(CascorBadRequest, "VALIDATION_ERROR")
export const notFound = make(CascorNotFound, "NOT_FOUND")
export const conflict = make(CascorConflict, "CONFLICT")
export const internalError = make(CascorInternalError, "INTERNAL_ERROR")
export const unavailable = make(CascorUnavailable, "SERVICE_UNAVAILABLE")
/** 422 with the FastAPI list in the top-level `detail`. */
export const validationFailed = (issues: ReadonlyArray<ValidationIssue>, detail: string | null = null) =>
  new CascorValidationFailed(errorEnvelope("VALIDATION_ERROR", "Request validation failed", detail ?? issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "), issues))
