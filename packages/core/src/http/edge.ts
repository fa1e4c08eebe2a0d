/**
 * The HTTP edge: one global middleware around every route (HttpApi, RPC, WebSocket, static), so that every response
 * — errors included — gets the same treatment, in the contracts' order: CORS → request id → metrics → auth → rate
 * limit → security headers → body limit → routes. It also renders edge errors in the service's wire format: unknown
 * path 404, wrong method 405, malformed JSON 400, oversized body 413, schema violations 422, defects 500.
 */
import { randomUUID } from "node:crypto"
import { HttpIncomingMessage, HttpMiddleware, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Option } from "effect"
import type { HttpSettings } from "../config/http-settings.js"
import type { MetricsShape } from "../metrics/registry.js"
import { makeApiKeyCheck } from "./auth.js"
import { makeRateLimiter, type RateDecision } from "./rate-limit.js"
import type { RouteTable } from "./route-table.js"
import type { EdgeError, ValidationIssue, WireErrors } from "./wire-errors.js"

export const defaultSecurityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
}

export interface EdgeOptions {
  readonly settings: HttpSettings
  readonly errors: WireErrors
  readonly routes: RouteTable
  readonly metrics: MetricsShape
  /** Paths that skip auth and rate limiting (health, metrics, …). */
  readonly exempt: (path: string) => boolean
  /** Security headers for a path (the dashboard needs a CSP that allows its own scripts). */
  readonly securityHeaders?: (path: string) => Readonly<Record<string, string>>
  /** Counts requests in flight, for graceful shutdown. */
  readonly inflight?: { inc(): void; dec(): void }
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/

const issueType: Record<string, string> = {
  Missing: "missing",
  Type: "type_error",
  Refinement: "value_error",
  Transformation: "value_error",
  Unexpected: "extra_forbidden",
  Forbidden: "value_error",
  Pointer: "value_error",
  Composite: "value_error"
}

const valueAt = (root: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let v: unknown = root
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

/** HttpApiDecodeError issues → FastAPI-style issues naming the field, its location and the offending input. */
export const toValidationIssues = (
  issues: ReadonlyArray<{ readonly _tag: string; readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>,
  source: { readonly body: unknown; readonly query: Record<string, unknown>; readonly hasBody: boolean }
): ReadonlyArray<ValidationIssue> =>
  issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)))
    const first = path[0]
    const inQuery = !source.hasBody || (typeof first === "string" && first in source.query)
    const where = inQuery ? "query" : "body"
    const root = inQuery ? source.query : source.body
    const missing = issue._tag === "Missing"
    return {
      type: issueType[issue._tag] ?? "value_error",
      loc: [where, ...path],
      msg: missing ? "Field required" : issue.message,
      input: missing ? valueAt(root, issue.path.slice(0, -1)) ?? null : valueAt(root, issue.path) ?? null
    }
  })

export const makeEdge = (o: EdgeOptions) => {
  const auth = makeApiKeyCheck(o.settings.apiKeys)
  const limiter = o.settings.rateLimit.enabled ? makeRateLimiter(o.settings.rateLimit.requests, o.settings.rateLimit.windowSeconds) : null
  const origins = o.settings.corsOrigins
  const cors =
    origins.length > 0
      ? HttpMiddleware.cors({
          allowedOrigins: origins.includes("*") ? (() => true) : origins,
          allowedMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
          credentials: !origins.includes("*")
        })
      : <A>(app: A) => app
  const headersFor = o.securityHeaders ?? (() => defaultSecurityHeaders)
  const maxBody = o.settings.maxBodyBytes

  const render = (e: EdgeError): HttpServerResponse.HttpServerResponse => {
    const { status, body } = o.errors(e)
    const headers: Record<string, string> = {}
    if (e._tag === "RateLimited") headers["retry-after"] = String(e.retryAfter)
    if (e._tag === "Unauthorized") headers["www-authenticate"] = "ApiKey"
    return HttpServerResponse.unsafeJson(body, { status, headers })
  }

  /** A 400 HttpApiDecodeError body from HttpApiBuilder becomes the service's validation error. */
  const fixDecodeError = (req: HttpServerRequest.HttpServerRequest, res: HttpServerResponse.HttpServerResponse) => {
    if (res.status !== 400 || res.body._tag !== "Uint8Array") return Effect.succeed(res)
    let parsed: { _tag?: string; issues?: ReadonlyArray<{ _tag: string; path: ReadonlyArray<PropertyKey>; message: string }> }
    try {
      parsed = JSON.parse(new TextDecoder().decode(res.body.body))
    } catch {
      return Effect.succeed(res)
    }
    if (parsed._tag !== "HttpApiDecodeError" || !parsed.issues) return Effect.succeed(res)
    const issues = parsed.issues
    const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.method !== "DELETE"
    return Effect.map(hasBody ? Effect.orElseSucceed(req.json, () => undefined) : Effect.succeed(undefined), (body) =>
      render({
        _tag: "Validation",
        issues: toValidationIssues(issues, {
          body,
          hasBody,
          query: Object.fromEntries(new URL(req.url, "http://x").searchParams)
        })
      })
    )
  }

  /** Failures and defects that escaped the handlers → wire errors; anything unexpected is logged and becomes 500. */
  const fromCause = (req: HttpServerRequest.HttpServerRequest, route: { wrongMethod: boolean }, cause: Cause.Cause<unknown>) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && HttpServerError.isServerError(failure.value) && failure.value._tag === "RouteNotFound")
      return Effect.succeed(render(route.wrongMethod ? { _tag: "MethodNotAllowed" } : { _tag: "NotFound" }))
    const defect = Option.orElse(Cause.dieOption(cause), () => failure)
    if (Option.isSome(defect)) {
      const d = defect.value
      if (HttpServerError.isServerError(d) && d._tag === "RequestError" && d.reason === "Decode") {
        const tooLarge = d.cause instanceof Error && d.cause.message === "maxBytes exceeded"
        return Effect.succeed(render(tooLarge ? { _tag: "PayloadTooLarge", limit: maxBody } : { _tag: "MalformedJson" }))
      }
    }
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
    return Effect.as(
      Effect.logError("unhandled error", Cause.pretty(cause)).pipe(Effect.annotateLogs({ method: req.method, url: req.url })),
      render({ _tag: "Internal" })
    )
  }

  const precheck = (req: HttpServerRequest.HttpServerRequest, path: string): { res?: HttpServerResponse.HttpServerResponse; rate?: RateDecision } => {
    let rate: RateDecision | undefined
    if (!o.exempt(path) && req.method !== "OPTIONS") {
      const key = req.headers["x-api-key"]
      const verdict = auth.check(key)
      if (verdict !== "ok") return { res: render({ _tag: "Unauthorized", reason: verdict }) }
      if (limiter) {
        rate = limiter.hit(auth.enabled && key ? `key:${key}` : `ip:${Option.getOrElse(req.remoteAddress, () => "unknown")}`)
        if (!rate.allowed) return { res: render({ _tag: "RateLimited", retryAfter: rate.reset }), rate }
      }
    }
    const length = req.headers["content-length"]
    if (length !== undefined) {
      if (!/^\d+$/.test(length)) return rate ? { res: render({ _tag: "InvalidContentLength" }), rate } : { res: render({ _tag: "InvalidContentLength" }) }
      if (Number(length) > maxBody) return rate ? { res: render({ _tag: "PayloadTooLarge", limit: maxBody }), rate } : { res: render({ _tag: "PayloadTooLarge", limit: maxBody }) }
    }
    return rate ? { rate } : {}
  }

  return (app: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>) =>
    cors(
      Effect.gen(function* () {
        const req = yield* HttpServerRequest.HttpServerRequest
        const started = performance.now()
        o.inflight?.inc()
        const given = req.headers["x-request-id"]
        const requestId = given !== undefined && safeRequestId.test(given) ? given : randomUUID()
        const q = req.url.indexOf("?")
        const path = q === -1 ? req.url : req.url.slice(0, q)
        const route = o.routes.match(req.method, req.url)
        const pre = precheck(req, path)
        let res =
          pre.res ??
          (yield* app.pipe(
            HttpIncomingMessage.withMaxBodySize(Option.some(maxBody)),
            Effect.flatMap((r) => fixDecodeError(req, r)),
            Effect.catchAllCause((cause) => fromCause(req, route, cause)),
            Effect.annotateLogs("request_id", requestId)
          ))
        const headers: Record<string, string> = { ...headersFor(path), "x-request-id": requestId }
        if (req.headers["x-forwarded-proto"] === "https") headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
        if (pre.rate) {
          headers["x-ratelimit-limit"] = String(pre.rate.limit)
          headers["x-ratelimit-remaining"] = String(pre.rate.remaining)
          headers["x-ratelimit-reset"] = String(pre.rate.reset)
        }
        res = HttpServerResponse.setHeaders(res, headers)
        o.metrics.observeRequest(req.method, route.route ?? (res.status === 404 ? "unmatched" : "other"), res.status, (performance.now() - started) / 1000)
        o.inflight?.dec()
        return res
      }).pipe(Effect.onInterrupt(() => Effect.sync(() => o.inflight?.dec())))
    )
}
