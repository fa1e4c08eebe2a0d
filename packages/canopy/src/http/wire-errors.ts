/**
 * The edge's own errors (unknown route 404, wrong method 405, malformed JSON 400, schema violations 422, auth 401,
 * rate limit 429, body too large 413, defects 500) in Canopy's one error shape: `{"error","detail","status_code"}`,
 * plus `_tag` and, for 422, the FastAPI-style `issues` list (additive).
 */
import { edgeMessage, edgeStatus, edgeTag, type WireErrors } from "@juniper/core"
import { ERROR_TITLES } from "../api/errors.js"

export const canopyWireErrors: WireErrors = (e) => {
  const status = edgeStatus(e)
  const error = ERROR_TITLES[status] ?? "Error"
  if (e._tag === "Validation") {
    const detail = e.issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")
    return { status, body: { _tag: "ValidationError", error, detail: detail || edgeMessage(e), status_code: status, issues: e.issues } }
  }
  return { status, body: { _tag: edgeTag(e), error, detail: edgeMessage(e), status_code: status } }
}
