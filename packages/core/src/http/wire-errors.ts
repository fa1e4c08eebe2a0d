/**
 * Errors raised at the HTTP edge (before or around the handlers) and how each service renders them on the wire.
 * JuniperData speaks FastAPI's `{"detail": …}`; JuniperCascor wraps it in its `{status:"error", error:{…}}` envelope.
 */
export interface ValidationIssue {
  /** FastAPI-style error type: "missing", "type_error", "value_error", "extra_forbidden", … */
  readonly type: string
  /** Where: ["body", "params", "seed"], ["query", "limit"], ["path", "id"]. */
  readonly loc: ReadonlyArray<string | number>
  readonly msg: string
  readonly input: unknown
}

export type EdgeError =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "MethodNotAllowed" }
  | { readonly _tag: "MalformedJson" }
  | { readonly _tag: "InvalidContentLength" }
  | { readonly _tag: "PayloadTooLarge"; readonly limit: number }
  | { readonly _tag: "Unauthorized"; readonly reason: "missing" | "invalid" }
  | { readonly _tag: "RateLimited"; readonly retryAfter: number }
  | { readonly _tag: "Validation"; readonly issues: ReadonlyArray<ValidationIssue> }
  | { readonly _tag: "Internal" }
  | { readonly _tag: "Unavailable"; readonly message: string }
  | { readonly _tag: "Forbidden"; readonly message: string }

export interface WireError {
  readonly status: number
  readonly body: unknown
}

/** A service's rendering of edge errors. */
export type WireErrors = (error: EdgeError) => WireError

/** The plain status of each edge error. */
export const edgeStatus = (e: EdgeError): number => {
  switch (e._tag) {
    case "NotFound":
      return 404
    case "MethodNotAllowed":
      return 405
    case "MalformedJson":
    case "InvalidContentLength":
      return 400
    case "PayloadTooLarge":
      return 413
    case "Unauthorized":
      return 401
    case "RateLimited":
      return 429
    case "Validation":
      return 422
    case "Internal":
      return 500
    case "Unavailable":
      return 503
    case "Forbidden":
      return 403
  }
}

/** The human message of each edge error (upstream's texts where upstream has one). */
export const edgeMessage = (e: EdgeError): string => {
  switch (e._tag) {
    case "NotFound":
      return "Not Found"
    case "MethodNotAllowed":
      return "Method Not Allowed"
    case "MalformedJson":
      return "Request body is not valid JSON"
    case "InvalidContentLength":
      return "Invalid Content-Length header"
    case "PayloadTooLarge":
      return "Request body too large"
    case "Unauthorized":
      return e.reason === "missing" ? "Missing API key. Provide X-API-Key header." : "Invalid API key."
    case "RateLimited":
      return `Rate limit exceeded. Try again in ${e.retryAfter} seconds.`
    case "Validation":
      return "Request validation failed"
    case "Internal":
      return "Internal server error"
    case "Unavailable":
    case "Forbidden":
      return e.message
  }
}

/** The `_tag` each edge error carries on the wire (services' own HTTP errors use the same tags). */
export const edgeTag = (e: EdgeError): string => {
  switch (e._tag) {
    case "Validation":
      return "ValidationError"
    case "Internal":
      return "InternalError"
    default:
      return e._tag
  }
}

/**
 * FastAPI's shapes (JuniperData): `{"detail": str}`, and for 422 `{"detail": [{type, loc, msg, input}]}`. Every body
 * also carries `_tag`, a stable machine-readable error name, as an additive key.
 */
export const fastApiErrors: WireErrors = (e) => {
  const status = edgeStatus(e)
  const _tag = edgeTag(e)
  if (e._tag === "Validation") return { status, body: { _tag, detail: e.issues } }
  if (e._tag === "MalformedJson")
    return { status, body: { _tag, detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: {} }] } }
  return { status, body: { _tag, detail: edgeMessage(e) } }
}
