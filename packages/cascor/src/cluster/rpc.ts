/**
 * The run operations in the service's RPC group (`/rpc`): `CascorClusterRpcs` is the service's group with these
 * merged in, so one RPC client reaches the default run's operations and the distributed runs'.
 */
import { Rpc, RpcGroup } from "@effect/rpc"
import { Effect, Layer, Option, Schema } from "effect"
import { DecisionBoundary, Topology } from "../api/schema.js"
import { CascorRpcs } from "../rpc/group.js"
import { RunCreateRequest, RunDeleted, RunError, RunInfo, RunList, RunMetrics, RunUnavailable } from "./api-schema.js"
import { ClusterRuns, type ClusterRunsShape } from "./runs.js"

const error = RunError
const Id = { run_id: Schema.String }

export class RunRpcs extends RpcGroup.make(
  Rpc.make("CreateRun", { payload: RunCreateRequest, success: RunInfo, error }),
  Rpc.make("ListRuns", {
    payload: { limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))), offset: Schema.optional(Schema.Int.pipe(Schema.nonNegative())) },
    success: RunList,
    error
  }),
  Rpc.make("GetRun", { payload: Id, success: RunInfo, error }),
  Rpc.make("PauseRun", { payload: Id, success: RunInfo, error }),
  Rpc.make("ResumeRun", { payload: Id, success: RunInfo, error }),
  Rpc.make("StopRun", { payload: Id, success: RunInfo, error }),
  Rpc.make("DeleteRun", { payload: Id, success: RunDeleted, error }),
  Rpc.make("GetRunMetrics", { payload: { ...Id, limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 100_000))) }, success: RunMetrics, error }),
  Rpc.make("GetRunTopology", { payload: Id, success: Topology, error }),
  Rpc.make("GetRunDecisionBoundary", { payload: { ...Id, resolution: Schema.optional(Schema.Int.pipe(Schema.between(5, 512))) }, success: DecisionBoundary, error })
) {}

/** The service's whole RPC group: the default run's operations and the run operations. */
export const CascorClusterRpcs = CascorRpcs.merge(RunRpcs)

const withRuns = <A>(f: (runs: ClusterRunsShape) => Effect.Effect<A, RunError>) =>
  Effect.flatMap(Effect.serviceOption(ClusterRuns), (o) =>
    Option.isNone(o) ? Effect.fail(new RunUnavailable({ message: "distributed runs are not enabled in this process" })) : f(o.value)
  )

export const RunRpcsLive: Layer.Layer<Rpc.ToHandler<RpcGroup.Rpcs<typeof RunRpcs>>> = RunRpcs.toLayer({
  CreateRun: (req) => withRuns((r) => r.create(req)),
  ListRuns: ({ limit, offset }) => withRuns((r) => r.list(limit, offset)),
  GetRun: ({ run_id }) => withRuns((r) => r.get(run_id)),
  PauseRun: ({ run_id }) => withRuns((r) => r.pause(run_id)),
  ResumeRun: ({ run_id }) => withRuns((r) => r.resume(run_id)),
  StopRun: ({ run_id }) => withRuns((r) => r.stop(run_id)),
  DeleteRun: ({ run_id }) => withRuns((r) => r.remove(run_id)),
  GetRunMetrics: ({ limit, run_id }) => withRuns((r) => r.metrics(run_id, limit)),
  GetRunTopology: ({ run_id }) => withRuns((r) => r.topology(run_id)),
  GetRunDecisionBoundary: ({ resolution, run_id }) => withRuns((r) => r.decisionBoundary(run_id, resolution))
})
