/** Handlers of the `runs` group: thin adapters from `ClusterRuns` to the envelope. */
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { badRequest, CascorPayloadTooLarge, conflict, errorEnvelope, notFound, nowMeta, unavailable, validationFailed } from "../api/errors.js"
import { CascorApi } from "../api/http-api.js"
import type { RunError } from "./api-schema.js"
import { ClusterRuns, type ClusterRunsShape } from "./runs.js"

const ok = <A>(data: A) => ({ status: "success" as const, data, meta: nowMeta() })

export const toHttpRunError = (e: RunError) => {
  switch (e._tag) {
    case "RunNotFound":
      return notFound(e.message)
    case "RunConflict":
      return conflict(e.message, e.state)
    case "RunBadRequest":
      return badRequest(e.message)
    case "RunInvalid":
      return validationFailed(e.issues, e.message)
    case "RunTooLarge":
      return new CascorPayloadTooLarge(errorEnvelope("PAYLOAD_TOO_LARGE", "Payload too large", e.message))
    case "RunUnavailable":
      return unavailable(e.message)
  }
}

/** Runs with ClusterRuns when the service provides it; a 503 otherwise (a server built without the cluster). */
const withRuns = <A>(f: (runs: ClusterRunsShape) => Effect.Effect<A, RunError>) =>
  Effect.flatMap(Effect.serviceOption(ClusterRuns), (o) =>
    Option.isNone(o) ? Effect.fail(unavailable("distributed runs are not enabled in this process")) : f(o.value).pipe(Effect.mapError(toHttpRunError))
  ).pipe(Effect.map(ok))

export const RunsLive = HttpApiBuilder.group(CascorApi, "runs", (h) =>
  h
    .handle("createRun", ({ payload }) => withRuns((r) => r.create(payload)))
    .handle("listRuns", ({ urlParams }) => withRuns((r) => r.list(urlParams.limit, urlParams.offset)))
    .handle("getRun", ({ path }) => withRuns((r) => r.get(path.run_id)))
    .handle("getRunStatus", ({ path }) => withRuns((r) => r.get(path.run_id)))
    .handle("pauseRun", ({ path }) => withRuns((r) => r.pause(path.run_id)))
    .handle("resumeRun", ({ path }) => withRuns((r) => r.resume(path.run_id)))
    .handle("stopRun", ({ path }) => withRuns((r) => r.stop(path.run_id)))
    .handle("deleteRun", ({ path }) => withRuns((r) => r.remove(path.run_id)))
    .handle("getRunMetrics", ({ path, urlParams }) => withRuns((r) => r.metrics(path.run_id, urlParams.limit)))
    .handle("getRunTopology", ({ path }) => withRuns((r) => r.topology(path.run_id)))
    .handle("getRunDecisionBoundary", ({ path, urlParams }) => withRuns((r) => r.decisionBoundary(path.run_id, urlParams.resolution)))
)
