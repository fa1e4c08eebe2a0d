/**
 * A training run as a durable workflow (@effect/workflow on the cluster's engine), keyed by its run id.
 *
 * The run advances one phase per activity. Before phase n, activity `control/n` reads the control request (pause /
 * stop / delete) from the run table; phase n's activity `phase/n` restores the run (from the previous phase's journal
 * when this process did not just run that phase), runs the phase — a candidate phase's jobs go through the
 * `CandidateTransport` — records it in the run table, and returns the run snapshot: the workflow's journal. After a
 * runner dies, the workflow restarts on the shard's new owner and replays: journaled activities return their stored
 * results without running again, so finished phases are never redone and no unit is installed twice; the first
 * unfinished phase restores the snapshot (exact continuation: the values cache is refilled bit-identically).
 *
 * Pause suspends the workflow on a durable deferred (`resume/n`): nothing runs and nothing is held until the API
 * completes it (resume → "run", stop/delete → "stop"). A runner that is shutting down interrupts its workflows
 * between phases; the cluster re-runs them on another runner.
 */
import { Sharding } from "@effect/cluster"
import { Activity, DurableDeferred, Workflow } from "@effect/workflow"
import { Effect, Option, Schema } from "effect"
import type { Dataset } from "../engine/dataset.js"
import { Network } from "../engine/network.js"
import { decodeParams } from "../engine/params.js"
import type { CascorRun } from "../engine/run.js"
import { createRun, restoreRun } from "../engine/runs.js"
import { CascorKernels } from "../engine/service.js"
import { RunnerIdentity } from "./compute.js"
import { type DatasetSpec, fromStored, generated } from "./datasets.js"
import { type PhaseRecord, RunSpec, RunStore } from "./store.js"
import { CandidateTransport } from "./transport.js"

export const RunOutcome = Schema.Struct({
  state: Schema.Literal("completed", "stopped", "failed", "deleted"),
  phases: Schema.Int,
  hiddenUnits: Schema.Int,
  error: Schema.optional(Schema.String)
})
export type RunOutcome = typeof RunOutcome.Type

export const TrainingWorkflow = Workflow.make({
  name: "JuniperCascorRun",
  /** `nonce` makes each creation its own execution (a run id can be reused after a delete). */
  payload: { runId: Schema.String, nonce: Schema.String, spec: RunSpec },
  success: RunOutcome,
  idempotencyKey: ({ nonce, runId }) => `${runId}/${nonce}`
})

/** A phase failed for good (retryable failures are retried as new activity attempts first). */
export class PhaseFailed extends Schema.TaggedError<PhaseFailed>()("PhaseFailed", {
  message: Schema.String,
  retryable: Schema.Boolean
}) {}

/** What a phase journals: its record and the run's full state after it. */
export const PhaseJournal = Schema.Struct({
  record: Schema.Unknown,
  snapshot: Schema.Unknown,
  done: Schema.Boolean
})

export const ControlSignal = Schema.Literal("run", "pause", "stop", "deleted")

/** The deferred a paused run waits on before phase `phase`. */
export const resumeSignal = (phase: number) =>
  DurableDeferred.make(`resume/${phase}`, { success: Schema.Literal("run", "stop") })

// Datasets rebuilt on this runner, by spec (a few at most: the runs being trained here).
const datasetCache = new Map<string, Dataset>()
const cacheDataset = (key: string, d: Dataset) => {
  datasetCache.set(key, d)
  if (datasetCache.size > 32) datasetCache.delete(datasetCache.keys().next().value!)
  return d
}

export const resolveDataset = (spec: DatasetSpec): Effect.Effect<Dataset, PhaseFailed, RunStore> =>
  Effect.suspend(() => {
    const key = JSON.stringify(spec)
    const hit = datasetCache.get(key)
    if (hit) return Effect.succeed(hit)
    if (spec.kind !== "stored") return Effect.succeed(cacheDataset(key, generated(spec)))
    return Effect.flatMap(RunStore, (store) => store.getDataset(spec.checksum)).pipe(
      Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: true })),
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.fail(new PhaseFailed({ message: `dataset ${spec.checksum} is not in the store`, retryable: false })),
          onSome: (s) => fromStored(s).pipe(Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: false })))
        })
      ),
      Effect.map((d) => cacheDataset(key, d))
    )
  })

/**
 * Jobs per candidate phase when the run does not say: one per runner where splitting is exact (the TypeScript
 * kernels: a candidate's arithmetic does not depend on the pool size or its place in it), else one unsplit job —
 * the native CPU kernels pick their vector layout by pool size (e.g. patterns across the lanes for C ≤ 16), so a
 * split pool can differ from the local one in the last bits. An explicit `candidate_chunks` always splits; its
 * result then depends on the chunk count only, never on which or how many runners ran the jobs.
 */
export const autoChunks = <E, R>(backend: string, workers: Effect.Effect<number, E, R>): Effect.Effect<number, E, R> =>
  backend === "ts" ? workers : Effect.succeed(1)

const retryable = { while: (e: PhaseFailed) => e.retryable, times: 3 } as const

export const TrainingWorkflowLive = TrainingWorkflow.toLayer(
  Effect.fn(function* (payload) {
    const store = yield* RunStore
    const kernels = yield* CascorKernels
    const transport = yield* CandidateTransport
    const runner = yield* RunnerIdentity
    const sharding = yield* Sharding.Sharding
    const { runId, spec } = payload
    let phases = 0
    let hiddenUnits = 0

    const finish = (state: "completed" | "stopped" | "failed" | "deleted", error?: string) =>
      Activity.make({
        name: "finish",
        success: RunOutcome,
        error: PhaseFailed,
        execute: store.finishRun(runId, state === "deleted" ? "stopped" : state, error ?? null).pipe(
          Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: true })),
          Effect.as({ state, phases, hiddenUnits, ...(error !== undefined ? { error } : {}) })
        )
      }).pipe(Activity.retry(retryable), Effect.orElseSucceed(() => ({ state, phases, hiddenUnits, ...(error !== undefined ? { error } : {}) })))

    const setup = yield* Effect.all([
      decodeParams(spec.params).pipe(Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: false }))),
      resolveDataset(spec.dataset).pipe(Effect.retry({ ...retryable, schedule: undefined }))
    ]).pipe(Effect.either)
    if (setup._tag === "Left") return yield* finish("failed", setup.left.message)
    const [params, dataset] = setup.right

    // The run as of the last journaled phase, and the live object when this process ran that phase itself.
    let snapshot: unknown = null
    let live: { run: CascorRun; at: number } | null = null

    const currentRun = (n: number): Effect.Effect<CascorRun, PhaseFailed> =>
      live !== null && live.at === n
        ? Effect.succeed(live.run)
        : snapshot === null
          ? Effect.sync(() => createRun(params, dataset))
          : restoreRun(snapshot, dataset, kernels).pipe(Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: false })))

    const phase = (n: number) =>
      Activity.make({
        name: `phase/${n}`,
        success: PhaseJournal,
        error: PhaseFailed,
        execute: Effect.gen(function* () {
          const run = yield* currentRun(n)
          live = null
          const before = run.status()
          const candidate = before.stage === "candidate" && run.algorithm === "fahlman"
          let jobs: number | undefined
          const report = candidate
            ? yield* Effect.scoped(
                Effect.gen(function* () {
                  const chunks = spec.chunks > 0 ? spec.chunks : yield* autoChunks(kernels.backend, transport.workers)
                  const px = yield* transport.phase(`${runId}/${before.hiddenUnits}`)
                  const r = yield* run.step(kernels, { executor: px.executor, candidateChunks: chunks })
                  jobs = px.stats().jobs
                  return r
                })
              )
            : yield* run.step(kernels)
          if (!report) return yield* Effect.fail(new PhaseFailed({ message: "the run had already ended", retryable: false }))
          const s = run.status()
          const record: Omit<PhaseRecord, "attempts"> = {
            phase: n,
            kind: report.kind,
            round: report.round,
            end: report.end,
            epochs: report.epochs,
            epoch: s.epoch,
            hiddenUnits: s.hiddenUnits,
            trueError: s.trueError,
            errorBits: s.errorBits,
            accuracy: s.accuracy,
            ...(report.kind === "candidate"
              ? { bestScore: report.bestScore, ...(report.installed ? { unit: report.installed.index } : {}), ...(jobs !== undefined ? { jobs } : {}) }
              : {}),
            ms: report.ms,
            runner
          }
          const recorded = yield* store
            .recordPhase(runId, record, s, Schema.encodeSync(Network)(run.network()))
            .pipe(Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: true })))
          live = { run, at: n + 1 }
          return { record: recorded, snapshot: run.snapshot(), done: s.done }
        }).pipe(
          Effect.catchTags({
            InvalidParameter: (e) => Effect.fail(new PhaseFailed({ message: e.message, retryable: false })),
            InvalidDataset: (e) => Effect.fail(new PhaseFailed({ message: e.message, retryable: false })),
            InvalidSnapshot: (e) => Effect.fail(new PhaseFailed({ message: e.message, retryable: false })),
            // Transport trouble (a runner lost mid-job, values refused) may pass: the phase runs again.
            KernelFailure: (e) => Effect.fail(new PhaseFailed({ message: e.message, retryable: e.backend === "cluster" }))
          }),
          Effect.catchAllDefect((d) => Effect.fail(new PhaseFailed({ message: `defect: ${String(d)}`, retryable: false })))
        )
      }).pipe(Activity.retry(retryable))

    const control = (n: number) =>
      Activity.make({
        name: `control/${n}`,
        success: ControlSignal,
        error: PhaseFailed,
        execute: store.controlCheck(runId, n).pipe(
          Effect.map((c) => (c.deleted ? ("deleted" as const) : c.desired)),
          Effect.mapError((e) => new PhaseFailed({ message: e.message, retryable: true }))
        )
      }).pipe(Activity.retry(retryable))

    for (let n = 0; ; n++) {
      // A runner shutting down hands its runs over between phases (the cluster restarts them on another runner).
      if (yield* sharding.isShutdown) {
        yield* Effect.sleep("200 millis")
        return yield* Effect.interrupt
      }
      const signal = yield* Effect.either(control(n))
      if (signal._tag === "Left") return yield* finish("failed", signal.left.message)
      if (signal.right === "deleted") return yield* finish("deleted")
      if (signal.right === "stop") return yield* finish("stopped")
      if (signal.right === "pause") {
        const next = yield* DurableDeferred.await(resumeSignal(n))
        if (next === "stop") return yield* finish("stopped")
      }
      const journal = yield* Effect.either(phase(n))
      if (journal._tag === "Left") return yield* finish("failed", journal.left.message)
      snapshot = journal.right.snapshot
      phases = n + 1
      const rec = journal.right.record as { hiddenUnits?: number }
      hiddenUnits = rec.hiddenUnits ?? hiddenUnits
      if (journal.right.done) return yield* finish("completed")
    }
  })
)
