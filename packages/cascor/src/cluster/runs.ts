/**
 * `ClusterRuns`: the run-scoped operations behind `/v1/runs` and the RPC group, on the API side. A run is created in
 * the run table and sent as a workflow (`TrainingWorkflow.execute`, discarded: the API does not wait); control
 * requests are recorded in the table (read by the workflow before each phase) and, for a paused run, also complete
 * its resume deferred. Views (status, metrics, topology, decision boundary) read the table: the runner that ran the
 * latest phase wrote them.
 *
 * The service's default run (upstream's single-network routes, a TrainingSession in this process) is listed too,
 * as run `default` (kind `session`): get, pause, resume, stop and the views act on that session.
 */
import { randomUUID } from "node:crypto"
import { DurableDeferred } from "@effect/workflow"
import { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { Context, Effect, Layer, Option, Schema } from "effect"
import type { DecisionBoundary, Topology } from "../api/schema.js"
import type { Dataset } from "../engine/dataset.js"
import { InvalidDataset, InvalidParameter } from "../engine/errors.js"
import { Network } from "../engine/network.js"
import { decodeParams, presets } from "../engine/params.js"
import { CascorParams } from "../engine/params.js"
import { CascorRuns } from "../session/registry.js"
import type { TrainingSession } from "../session/session.js"
import { decisionBoundaryOf, topologyOf } from "../session/views.js"
import {
  DEFAULT_RUN,
  RUN_ID_PATTERN,
  RunBadRequest,
  RunConflict,
  type RunCreateRequest,
  type RunError,
  type RunInfo,
  RunInvalid,
  type RunList,
  type RunMetrics,
  RunNotFound,
  RunTooLarge,
  RunUnavailable
} from "./api-schema.js"
import type { ClusterSettings } from "./config.js"
import { type DatasetSpec, inlineBytes, inlineDataset, toStored } from "./datasets.js"
import { type PhaseRecord, type RunRecord, type RunSpec, RunStore, type RunStoreError, terminalStates } from "./store.js"
import { resolveDataset, resumeSignal, TrainingWorkflow } from "./workflow.js"

export interface ClusterRunsShape {
  readonly create: (req: RunCreateRequest) => Effect.Effect<RunInfo, RunError>
  readonly list: (limit?: number, offset?: number) => Effect.Effect<RunList, RunError>
  readonly get: (runId: string) => Effect.Effect<RunInfo, RunError>
  readonly pause: (runId: string) => Effect.Effect<RunInfo, RunError>
  readonly resume: (runId: string) => Effect.Effect<RunInfo, RunError>
  readonly stop: (runId: string) => Effect.Effect<RunInfo, RunError>
  readonly remove: (runId: string) => Effect.Effect<{ readonly run_id: string; readonly deleted: true }, RunError>
  readonly metrics: (runId: string, limit?: number) => Effect.Effect<RunMetrics, RunError>
  readonly topology: (runId: string) => Effect.Effect<Topology, RunError>
  readonly decisionBoundary: (runId: string, resolution?: number) => Effect.Effect<DecisionBoundary, RunError>
}

export class ClusterRuns extends Context.Tag("@juniper/cascor/cluster/ClusterRuns")<ClusterRuns, ClusterRunsShape>() {}

const unavailable = (e: RunStoreError) => new RunUnavailable({ message: e.message })

const statusWire = (s: RunRecord["status"]): RunInfo["status"] =>
  s === null
    ? null
    : {
        algorithm: s.algorithm,
        stage: s.stage,
        round: s.round,
        epoch: s.epoch,
        hidden_units: s.hiddenUnits,
        crossings: s.crossings,
        true_error: s.trueError,
        error_bits: s.errorBits,
        accuracy: s.accuracy,
        done: s.done,
        outcome: s.outcome ?? null,
        reason: s.reason ?? null
      }

export const runInfoOf = (r: RunRecord): RunInfo => ({
  run_id: r.runId,
  kind: "workflow",
  state: r.state,
  desired: r.desired,
  paused_at: r.pausedAt,
  phases: r.phase,
  params: r.spec.params,
  dataset: r.spec.dataset,
  candidate_chunks: r.spec.chunks,
  status: statusWire(r.status),
  error: r.error,
  runner: r.runner,
  execution_id: r.executionId,
  created_at: r.createdAt / 1000,
  updated_at: r.updatedAt / 1000
})

const phaseWire = (p: PhaseRecord, P: number, O: number): RunMetrics["phases"][number] => ({
  phase: p.phase,
  kind: p.kind,
  round: p.round,
  end: p.end,
  epochs: p.epochs,
  epoch: p.epoch,
  hidden_units: p.hiddenUnits,
  loss: P * O > 0 && Number.isFinite(p.trueError) ? p.trueError / (P * O) : null,
  true_error: p.trueError,
  error_bits: p.errorBits,
  accuracy: p.accuracy,
  unit: p.unit ?? null,
  best_score: p.bestScore ?? null,
  jobs: p.jobs ?? null,
  ms: p.ms,
  runner: p.runner,
  attempts: p.attempts
})

const sessionState = (fsm: string): RunInfo["state"] =>
  fsm === "STARTED" || fsm === "REPLAYING" ? "running" : fsm === "PAUSED" ? "paused" : fsm === "COMPLETED" ? "completed" : fsm === "FAILED" ? "failed" : "stopped"

const sessionInfo = (s: TrainingSession): RunInfo => {
  const st = s.statusNow()
  const now = Date.now() / 1000
  return {
    run_id: DEFAULT_RUN,
    kind: "session",
    state: sessionState(st.state_machine.status),
    desired: st.state_machine.status === "PAUSED" ? "pause" : st.training_active ? "run" : "stop",
    paused_at: null,
    phases: st.current_epoch,
    params: null,
    dataset: null,
    candidate_chunks: 1,
    status: null,
    error: st.error ?? null,
    runner: null,
    execution_id: null,
    created_at: now,
    updated_at: now
  }
}

const sizeOfSpec = (spec: DatasetSpec): { P: number; O: number } =>
  spec.kind === "stored" ? { P: spec.P, O: spec.O } : spec.kind === "two_spirals" ? { P: 2 * spec.pairs, O: 1 } : spec.kind === "xor" ? { P: 4, O: 1 } : { P: 2 ** spec.bits, O: 1 }

/** The midpoint of the targets' range: the class threshold of a one-output network (0 for ±0.5 targets). */
const thresholdOf = (d: Dataset): number => {
  let lo = Infinity
  let hi = -Infinity
  for (const t of d.targets) (lo = Math.min(lo, t)), (hi = Math.max(hi, t))
  return Number.isFinite(lo) ? (lo + hi) / 2 : 0
}

export const makeClusterRuns = (settings: ClusterSettings) =>
  Effect.gen(function* () {
    const store = yield* RunStore
    const engine = yield* WorkflowEngine
    const sessions = yield* Effect.serviceOption(CascorRuns)
    const session = Option.map(sessions, (r) => r.default)
    const withEngine = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.provideService(e, WorkflowEngine, engine)
    const withStore = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.provideService(e, RunStore, store)

    const checkId = (runId: string) =>
      RUN_ID_PATTERN.test(runId) ? Effect.void : Effect.fail(new RunBadRequest({ message: `malformed run id '${runId.slice(0, 80)}': letters, digits, _ . - (≤ 64, not starting with a symbol)` }))
    const load = (runId: string) =>
      checkId(runId).pipe(
        Effect.zipRight(Effect.mapError(store.getRun(runId), unavailable)),
        Effect.flatMap(Option.match({ onNone: () => Effect.fail(new RunNotFound({ message: `Run '${runId}' not found` })), onSome: Effect.succeed }))
      )
    const defaultSession = Effect.mapError(session, () => new RunNotFound({ message: `Run '${DEFAULT_RUN}' not found` }))
    const sessionError = (e: { readonly _tag: string; readonly message: string; readonly state?: string }): RunError =>
      e._tag === "SessionConflict" ? new RunConflict({ message: e.message, state: e.state ?? "" }) : e._tag === "SessionNotFound" ? new RunNotFound({ message: e.message }) : e._tag === "SessionInvalid" ? new RunInvalid({ message: e.message, issues: [] }) : new RunUnavailable({ message: e.message })

    /** Completes the resume deferred of a run paused before phase `pausedAt`. */
    const signal = (r: RunRecord, value: "run" | "stop") =>
      r.pausedAt === null
        ? Effect.void
        : Effect.suspend(() => {
            const deferred = resumeSignal(r.pausedAt!)
            const token = DurableDeferred.tokenFromExecutionId(deferred, { workflow: TrainingWorkflow, executionId: r.executionId })
            return withEngine(DurableDeferred.succeed(deferred, { token, value }))
          })

    const invalidParams = (e: InvalidParameter) =>
      new RunInvalid({ message: `params.${e.parameter}: ${e.message}`, issues: [{ type: "value_error", loc: ["body", "params", ...e.parameter.split(".")], msg: e.message, input: null }] })
    const invalidDataset = (e: InvalidDataset) =>
      new RunInvalid({ message: `dataset.${e.parameter}: ${e.message}`, issues: [{ type: "value_error", loc: ["body", "dataset", e.parameter], msg: e.message, input: null }] })

    const create = (req: RunCreateRequest): Effect.Effect<RunInfo, RunError> =>
      Effect.gen(function* () {
        const runId = req.run_id ?? randomUUID()
        yield* checkId(runId)
        if (runId === DEFAULT_RUN) return yield* Effect.fail(new RunConflict({ message: "'default' is the service's own run", state: "reserved" }))
        const params = yield* decodeParams({ ...(req.preset ? presets[req.preset] : {}), ...(req.params ?? {}) }).pipe(Effect.mapError(invalidParams))
        let dataset: DatasetSpec
        if (req.dataset.kind === "inline") {
          const bytes = inlineBytes(req.dataset)
          if (bytes > settings.maxDatasetBytes)
            return yield* Effect.fail(new RunTooLarge({ message: `the inline dataset has ${bytes} bytes of float32 values; the limit is ${settings.maxDatasetBytes}`, limit: settings.maxDatasetBytes }))
          const d = yield* inlineDataset(req.dataset).pipe(Effect.mapError(invalidDataset))
          const stored = toStored(d)
          yield* Effect.mapError(store.putDataset(stored), unavailable)
          dataset = { kind: "stored", checksum: stored.checksum, P: d.P, I: d.I, O: d.O }
        } else
          // Callers in this process may skip the decoded form's defaults (the HTTP and RPC paths decode).
          dataset = req.dataset.kind === "two_spirals" ? { kind: "two_spirals", pairs: req.dataset.pairs ?? 97 } : req.dataset
        const { P } = sizeOfSpec(dataset)
        if (P * Math.max(1, params.poolSize) > 2 ** 31)
          return yield* Effect.fail(new RunTooLarge({ message: "patterns × pool size is too large", limit: 2 ** 31 }))
        const spec: RunSpec = { params: Schema.encodeSync(CascorParams)(params), dataset, chunks: req.candidate_chunks ?? settings.candidateChunks }
        const nonce = randomUUID()
        const executionId = yield* TrainingWorkflow.executionId({ runId, nonce, spec })
        const record = yield* store.createRun({ runId, executionId, spec }).pipe(
          Effect.catchTags({
            RunExists: () => Effect.fail(new RunConflict({ message: `Run '${runId}' exists already`, state: "exists" })),
            RunStoreError: (e) => Effect.fail(unavailable(e))
          })
        )
        yield* withEngine(TrainingWorkflow.execute({ runId, nonce, spec }, { discard: true })).pipe(
          Effect.catchAllCause((cause) =>
            store.finishRun(runId, "failed", `the workflow could not be sent: ${String(cause)}`).pipe(
              Effect.ignore,
              Effect.zipRight(Effect.fail(new RunUnavailable({ message: "the cluster did not accept the run" })))
            )
          )
        )
        yield* Effect.logInfo(`run ${runId} created (${dataset.kind}, seed ${params.seed}, pool ${params.poolSize})`)
        return runInfoOf(record)
      })

    const list = (limit = 100, offset = 0): Effect.Effect<RunList, RunError> =>
      Effect.gen(function* () {
        const lim = Math.max(1, Math.min(limit, settings.maxRunsListed))
        const page = yield* Effect.mapError(store.listRuns(lim, offset), unavailable)
        const own = Option.match(session, { onNone: () => [], onSome: (s) => (offset === 0 ? [sessionInfo(s)] : []) })
        return { runs: [...own, ...page.runs.map(runInfoOf)], total: page.total + (Option.isSome(session) ? 1 : 0), limit: lim, offset }
      })

    const get = (runId: string) =>
      runId === DEFAULT_RUN ? Effect.map(defaultSession, sessionInfo) : Effect.map(load(runId), runInfoOf)

    const pause = (runId: string): Effect.Effect<RunInfo, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) => s.pause().pipe(Effect.mapError(sessionError), Effect.as(sessionInfo(s))))
        : Effect.gen(function* () {
            const r = yield* load(runId)
            if (terminalStates.has(r.state) || r.desired === "stop")
              return yield* Effect.fail(new RunConflict({ message: `Run '${runId}' cannot be paused in the current state (${r.state})`, state: r.state }))
            const after = yield* Effect.mapError(store.setDesired(runId, "pause"), unavailable)
            return runInfoOf(Option.getOrElse(after, () => r))
          })

    const resume = (runId: string): Effect.Effect<RunInfo, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) => s.resume().pipe(Effect.mapError(sessionError), Effect.as(sessionInfo(s))))
        : Effect.gen(function* () {
            const r = yield* load(runId)
            if (r.desired !== "pause" && r.state !== "paused")
              return yield* Effect.fail(new RunConflict({ message: `Run '${runId}' cannot be resumed in the current state (${r.state})`, state: r.state }))
            const after = Option.getOrElse(yield* Effect.mapError(store.setDesired(runId, "run"), unavailable), () => r)
            yield* signal(after, "run")
            return runInfoOf(after)
          })

    const stop = (runId: string): Effect.Effect<RunInfo, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) => Effect.as(s.stop(), sessionInfo(s)))
        : Effect.gen(function* () {
            const r = yield* load(runId)
            if (terminalStates.has(r.state)) return runInfoOf(r) // idempotent
            const after = Option.getOrElse(yield* Effect.mapError(store.setDesired(runId, "stop"), unavailable), () => r)
            yield* signal(after, "stop")
            return runInfoOf(after)
          })

    const remove = (runId: string): Effect.Effect<{ readonly run_id: string; readonly deleted: true }, RunError> =>
      Effect.gen(function* () {
        if (runId === DEFAULT_RUN) return yield* Effect.fail(new RunConflict({ message: "the default run cannot be deleted", state: "reserved" }))
        yield* checkId(runId)
        const before = yield* Effect.mapError(store.markDeleted(runId), unavailable)
        if (Option.isNone(before)) return yield* Effect.fail(new RunNotFound({ message: `Run '${runId}' not found` }))
        const r = before.value
        // A finished run goes at once; a live one when its workflow reads the request (before its next phase).
        if (terminalStates.has(r.state)) yield* Effect.mapError(store.purge(runId), unavailable)
        else yield* signal(r, "stop")
        return { run_id: runId, deleted: true as const }
      })

    const metrics = (runId: string, limit = 1000): Effect.Effect<RunMetrics, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) =>
            Effect.map(s.metricsHistory(limit), (h) => ({
              run_id: DEFAULT_RUN,
              phases: h.metrics.map((m, i) => ({
                phase: i, kind: m.phase ?? "output", round: m.epoch, end: "", epochs: 0, epoch: m.engine_epoch ?? m.epoch,
                hidden_units: m.hidden_units, loss: m.loss, true_error: 0, error_bits: 0, accuracy: m.accuracy ?? 0,
                unit: null, best_score: null, jobs: null, ms: 0, runner: "local", attempts: 1
              }))
            }))
          )
        : Effect.gen(function* () {
            const r = yield* load(runId)
            const rows = yield* Effect.mapError(store.phases(runId, Math.max(1, Math.min(limit, 100_000))), unavailable)
            const { O, P } = sizeOfSpec(r.spec.dataset)
            return { run_id: runId, phases: rows.map((p) => phaseWire(p, P, O)) }
          })

    const networkOf = (r: RunRecord): Effect.Effect<Network, RunNotFound | RunUnavailable> =>
      r.network === null
        ? Effect.fail(new RunNotFound({ message: `Run '${r.runId}' has no network yet` }))
        : Schema.decodeUnknown(Network)(r.network).pipe(Effect.mapError(() => new RunUnavailable({ message: "the stored network is unreadable" })))

    const topology = (runId: string): Effect.Effect<Topology, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) => Effect.mapError(s.topology(), sessionError))
        : Effect.flatMap(load(runId), (r) => Effect.map(networkOf(r), topologyOf))

    const decisionBoundary = (runId: string, resolution = 100): Effect.Effect<DecisionBoundary, RunError> =>
      runId === DEFAULT_RUN
        ? Effect.flatMap(defaultSession, (s) => Effect.mapError(s.decisionBoundary(resolution), sessionError))
        : Effect.gen(function* () {
            const r = yield* load(runId)
            const net = yield* networkOf(r)
            const d = yield* withStore(resolveDataset(r.spec.dataset)).pipe(Effect.mapError((e) => new RunUnavailable({ message: e.message })))
            if (d.I !== 2)
              return yield* Effect.fail(new RunInvalid({ message: `the decision boundary needs 2-D inputs (the data has ${d.I})`, issues: [{ type: "value_error", loc: ["query", "resolution"], msg: `the data has ${d.I} inputs`, input: resolution }] }))
            return yield* decisionBoundaryOf(net, { rows: d.P, cols: d.I, data: d.inputs }, resolution, thresholdOf(d))
          })

    return { create, list, get, pause, resume, stop, remove, metrics, topology, decisionBoundary } satisfies ClusterRunsShape
  })

export const layerClusterRuns = (settings: ClusterSettings): Layer.Layer<ClusterRuns, never, RunStore | WorkflowEngine> =>
  Layer.effect(ClusterRuns, makeClusterRuns(settings))
