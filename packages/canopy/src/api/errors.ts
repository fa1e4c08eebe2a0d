/**
 * Canopy's HTTP errors (canopy-ui §3.1 "Error body"): one shape on every route, `{"error","detail","status_code",
 * "error_id"?}` plus an additive `_tag`, one class per status; the edge's own errors (unknown route, malformed JSON,
 * schema violations, auth, rate limit) are rendered in the same shape by `canopyWireErrors`. Browser-safe: no Node
 * imports (the dashboard may decode error bodies with these schemas).
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { ErrorBodyFields } from "./schema.js"

export class CanopyBadRequest extends Schema.TaggedError<CanopyBadRequest>()("BadRequest", ErrorBodyFields, HttpApiSchema.annotations({ status: 400 })) {}
export class CanopyUnauthorized extends Schema.TaggedError<CanopyUnauthorized>()("Unauthorized", ErrorBodyFields, HttpApiSchema.annotations({ status: 401 })) {}
export class CanopyForbidden extends Schema.TaggedError<CanopyForbidden>()("Forbidden", ErrorBodyFields, HttpApiSchema.annotations({ status: 403 })) {}
export class CanopyNotFound extends Schema.TaggedError<CanopyNotFound>()("NotFound", ErrorBodyFields, HttpApiSchema.annotations({ status: 404 })) {}
export class CanopyConflict extends Schema.TaggedError<CanopyConflict>()("Conflict", ErrorBodyFields, HttpApiSchema.annotations({ status: 409 })) {}
export class CanopyPayloadTooLarge extends Schema.TaggedError<CanopyPayloadTooLarge>()("PayloadTooLarge", ErrorBodyFields, HttpApiSchema.annotations({ status: 413 })) {}
export class CanopyValidationError extends Schema.TaggedError<CanopyValidationError>()("ValidationError", ErrorBodyFields, HttpApiSchema.annotations({ status: 422 })) {}
export class CanopyRateLimited extends Schema.TaggedError<CanopyRateLimited>()("RateLimited", ErrorBodyFields, HttpApiSchema.annotations({ status: 429 })) {}
export class CanopyInternalError extends Schema.TaggedError<CanopyInternalError>()("InternalError", ErrorBodyFields, HttpApiSchema.annotations({ status: 500 })) {}
export class CanopyNotImplemented extends Schema.TaggedError<CanopyNotImplemented>()("NotImplemented", ErrorBodyFields, HttpApiSchema.annotations({ status: 501 })) {}
export class CanopyBadGateway extends Schema.TaggedError<CanopyBadGateway>()("BadGateway", ErrorBodyFields, HttpApiSchema.annotations({ status: 502 })) {}
export class CanopyUnavailable extends Schema.TaggedError<CanopyUnavailable>()("ServiceUnavailable", ErrorBodyFields, HttpApiSchema.annotations({ status: 503 })) {}
export class CanopyGatewayTimeout extends Schema.TaggedError<CanopyGatewayTimeout>()("GatewayTimeout", ErrorBodyFields, HttpApiSchema.annotations({ status: 504 })) {}

export type CanopyHttpError =
  | CanopyBadRequest
  | CanopyUnauthorized
  | CanopyForbidden
  | CanopyNotFound
  | CanopyConflict
  | CanopyPayloadTooLarge
  | CanopyValidationError
  | CanopyRateLimited
  | CanopyInternalError
  | CanopyNotImplemented
  | CanopyBadGateway
  | CanopyUnavailable
  | CanopyGatewayTimeout

/** The `error` title of each status. */
export const ERROR_TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  422: "Validation Error",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Upstream error",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

const make =
  <E>(ctor: new (fields: { error: string; detail: string | null; status_code: number; error_id?: string }) => E, status: number) =>
  (detail: string | null, errorId?: string) =>
    new ctor({ error: ERROR_TITLES[status] ?? "Error", detail, status_code: status, ...(errorId ? { error_id: errorId } : {}) })

export const badRequest = make(CanopyBadRequest, 400)
export const forbidden = make(CanopyForbidden, 403)
export const notFound = make(CanopyNotFound, 404)
export const conflict = make(CanopyConflict, 409)
export const validationError = make(CanopyValidationError, 422)
export const internalError = make(CanopyInternalError, 500)
export const notImplemented = make(CanopyNotImplemented, 501)
export const badGateway = make(CanopyBadGateway, 502)
export const unavailable = make(CanopyUnavailable, 503)
export const gatewayTimeout = make(CanopyGatewayTimeout, 504)
