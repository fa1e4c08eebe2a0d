/**
 * `/v1/runs`: the run-scoped routes as an HttpApi group (added to the service's CascorApi, so the typed client and
 * OpenAPI include them). Failures use the service's error envelope: 400 malformed run id, 404 unknown run, 409 state
 * conflict or taken id, 413 inline dataset over the limit, 422 invalid parameters (issue `loc` names the parameter),
 * 503 store or cluster unreachable.
 */
import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import {
  CascorBadRequest,
  CascorConflict,
  CascorNotFound,
  CascorPayloadTooLarge,
  CascorUnavailable,
  CascorValidationFailed
} from "../api/errors.js"
import { DecisionBoundary, Envelope, Topology } from "../api/schema.js"
import {
  RunBoundaryUrlParams,
  RunCreateRequest,
  RunDeleted,
  RunInfo,
  RunList,
  RunListUrlParams,
  RunMetrics,
  RunMetricsUrlParams
} from "./api-schema.js"

const RunPath = Schema.Struct({ run_id: Schema.String })

const getById = <const N extends string>(name: N, path: `/${string}`) =>
  HttpApiEndpoint.get(name, path).setPath(RunPath).addError(CascorBadRequest).addError(CascorNotFound).addError(CascorUnavailable)
const postById = <const N extends string>(name: N, path: `/${string}`) =>
  HttpApiEndpoint.post(name, path).setPath(RunPath).addError(CascorBadRequest).addError(CascorNotFound).addError(CascorUnavailable)
const delById = <const N extends string>(name: N, path: `/${string}`) =>
  HttpApiEndpoint.del(name, path).setPath(RunPath).addError(CascorBadRequest).addError(CascorNotFound).addError(CascorUnavailable)

export class RunsGroup extends HttpApiGroup.make("runs")
  .add(
    HttpApiEndpoint.post("createRun", "/runs")
      .setPayload(RunCreateRequest)
      .addSuccess(Envelope(RunInfo), { status: 201 })
      .addError(CascorBadRequest)
      .addError(CascorConflict)
      .addError(CascorPayloadTooLarge)
      .addError(CascorValidationFailed)
      .addError(CascorUnavailable)
  )
  .add(HttpApiEndpoint.get("listRuns", "/runs").setUrlParams(RunListUrlParams).addSuccess(Envelope(RunList)).addError(CascorUnavailable))
  .add(getById("getRun", "/runs/:run_id").addSuccess(Envelope(RunInfo)))
  .add(getById("getRunStatus", "/runs/:run_id/status").addSuccess(Envelope(RunInfo)))
  .add(postById("pauseRun", "/runs/:run_id/pause").addSuccess(Envelope(RunInfo)).addError(CascorConflict))
  .add(postById("resumeRun", "/runs/:run_id/resume").addSuccess(Envelope(RunInfo)).addError(CascorConflict))
  .add(postById("stopRun", "/runs/:run_id/stop").addSuccess(Envelope(RunInfo)).addError(CascorConflict))
  .add(delById("deleteRun", "/runs/:run_id").addSuccess(Envelope(RunDeleted)).addError(CascorConflict))
  .add(getById("getRunMetrics", "/runs/:run_id/metrics").setUrlParams(RunMetricsUrlParams).addSuccess(Envelope(RunMetrics)))
  .add(getById("getRunTopology", "/runs/:run_id/topology").addSuccess(Envelope(Topology)))
  .add(
    getById("getRunDecisionBoundary", "/runs/:run_id/decision-boundary")
      .setUrlParams(RunBoundaryUrlParams)
      .addSuccess(Envelope(DecisionBoundary))
      .addError(CascorValidationFailed)
  ) {}
