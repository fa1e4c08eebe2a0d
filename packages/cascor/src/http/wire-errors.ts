/**
 * JuniperCascor's rendering of core's edge errors (unknown route, wrong method, malformed JSON, body too large, bad
 * API key, rate limit, request validation, defects): the error envelope of §1.2 with the `_tag` of the matching
 * HttpApi error class, so the typed client decodes them like handler errors. 422 carries the FastAPI list in the
 * top-level `detail`.
 */
import { edgeMessage, edgeStatus, type ValidationIssue, type WireErrors } from "@juniper/core"
import { errorEnvelope, errorTagOf } from "../api/errors.js"

const codeOf = (status: number): string => errorTagOf[status]?.code ?? (status === 405 ? "METHOD_NOT_ALLOWED" : "INTERNAL_ERROR")
const tagOf = (status: number): string => errorTagOf[status]?.tag ?? (status === 405 ? "CascorMethodNotAllowed" : "CascorInternalError")

/**
 * Schema unions report every member's failure: an optional field adds "Expected undefined", an optional body (null
 * or an object) adds "Expected null". Those echoes go when a more specific issue is there.
 */
export const pruneIssues = (issues: ReadonlyArray<ValidationIssue>): ReadonlyArray<ValidationIssue> => {
  const noise = (i: ValidationIssue) => /^Expected (undefined|null), actual/.test(i.msg)
  const kept = issues.filter((i) => !noise(i))
  return kept.length > 0 ? kept : issues
}

export const cascorErrors: WireErrors = (e) => {
  const status = edgeStatus(e)
  const message = e._tag === "MalformedJson" ? "Invalid request parameters" : edgeMessage(e)
  if (e._tag === "Validation") {
    const issues = pruneIssues(e.issues)
    const summary = issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")
    return { status, body: { _tag: tagOf(status), ...errorEnvelope("VALIDATION_ERROR", "Request validation failed", summary, issues) } }
  }
  const detail = e._tag === "MalformedJson" ? "Request body is not valid JSON" : null
  return { status, body: { _tag: tagOf(status), ...errorEnvelope(codeOf(status), message, detail) } }
}
