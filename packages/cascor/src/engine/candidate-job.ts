/**
 * The candidate phase as a pure, serialisable job, so a pool can be trained in pieces (other processes or machines)
 * and still give exactly the local result.
 *
 * Why this works: candidates never interact while they train. Candidate c's trajectory depends only on its own
 * initial weights (drawn from hash(runSeed, unit, c), rng/init.ts) and the shared (X, E, Ē, SSE). The one coupling is
 * the faithful stop rule (A.6), which reads the best score of the WHOLE pool after each epoch. A chunk cannot apply
 * it alone, so:
 *
 * - "pool" jobs apply the faithful rule to their own candidates. A single job over the whole pool is exactly the
 *   reference phase; the local trainer always runs this way (one kernel call per phase), so the faithful default is
 *   untouched.
 * - "trace" jobs disable the rule, run every epoch (maxEpochs + bootstrap) and return each epoch's scores. The
 *   coordinator takes the max over all chunks per epoch, replays the faithful stop rule on that sequence (it depends
 *   on nothing else), and finds the stop epoch i* and the winner. The winner's weights and correlations at i* are
 *   then recomputed by a one-candidate "pool" job with patience off and maxEpochs = i* + 1 — the same arithmetic,
 *   stopped at the same epoch.
 *
 * Result: best index, best score, every score, epochs and the installed weights are identical however the pool is
 * split (tested). Cost: trace chunks run past i* (up to maxEpochs), plus a replay of 1/C of a phase. Requirement on a
 * backend: a candidate's arithmetic must not depend on the pool size or its position in the pool (true for "ts";
 * the native backends must keep it to be usable for split pools).
 */
import { Effect, Schema } from "effect"
import { Float32ArrayFromBase64 } from "./encoding.js"
import { KernelFailure } from "./errors.js"
import { PhaseEnd } from "./kernel.js"
import type { ActivationCode, CandidatePhaseInput, Kernels, PhaseEndCode, PhaseSettings } from "./kernel.js"
import { candidatePatienceCheck, candidatePatienceStart } from "./math/patience.js"
import { candidateWeights } from "./rng/init.js"

export const PhaseSettingsSchema = Schema.Struct({
  epsilon: Schema.Number,
  mu: Schema.Number,
  decay: Schema.Number,
  patience: Schema.Int,
  changeThreshold: Schema.Number,
  maxEpochs: Schema.Int
})

const ActivationCodeSchema = Schema.Literal(0, 1, 2, 3, 4)
const PhaseEndSchema = Schema.Literal(0, 1, 2)

/** A job: candidates [c0, c1) of unit `unit`, everything needed to train them and nothing else. */
export const CandidateJob = Schema.Struct({
  P: Schema.Int,
  K: Schema.Int,
  O: Schema.Int,
  /** Row stride of X (the wire form is compacted to ldx = K by `compactCandidateJob`). */
  ldx: Schema.Int,
  X: Float32ArrayFromBase64,
  E: Float32ArrayFromBase64,
  errMean: Float32ArrayFromBase64,
  sse: Schema.Number,
  activation: ActivationCodeSchema,
  settings: PhaseSettingsSchema,
  meanCorrection: Schema.Literal("fahlman", "textbook"),
  weightRange: Schema.Number,
  runSeed: Schema.Number,
  unit: Schema.Int,
  c0: Schema.Int,
  c1: Schema.Int,
  mode: Schema.Literal("pool", "trace")
})
export type CandidateJob = typeof CandidateJob.Type

export const CandidateJobResult = Schema.Struct({
  c0: Schema.Int,
  c1: Schema.Int,
  /** (c1−c0)×K weights after the last update. */
  weights: Float32ArrayFromBase64,
  /** (c1−c0)×O correlations of the last adjust. */
  correlations: Float32ArrayFromBase64,
  /** c1−c0 scores of the last adjust. */
  scores: Float32ArrayFromBase64,
  /** Absolute candidate index (strict `>` from score 0 at index c0). */
  best: Schema.Int,
  bestScore: Schema.Number,
  /** Epochs counted, the bootstrap included. */
  epochs: Schema.Int,
  end: PhaseEndSchema,
  /** "trace" jobs: epochs×(c1−c0) scores, row 0 = bootstrap, row i+1 = training epoch i. */
  trace: Schema.optional(Float32ArrayFromBase64)
})
export type CandidateJobResult = typeof CandidateJobResult.Type

/** The pool's outcome as the trainer needs it: enough to install the winner and to report the phase. */
export interface CandidatePoolResult {
  readonly best: number
  readonly bestScore: number
  /** C scores at the stop epoch. */
  readonly scores: Float32Array
  readonly epochs: number
  readonly end: PhaseEndCode
  /** The winner's K weights (after its last update) and O correlations (prevCor, read by the install rule). */
  readonly weights: Float32Array
  readonly correlations: Float32Array
}

/** Copies X down to its first K columns (ldx = K), so a job ships only what it reads. */
export const compactCandidateJob = (job: CandidateJob): CandidateJob => {
  if (job.ldx === job.K && job.X.length === job.P * job.K) return job
  const X = new Float32Array(job.P * job.K)
  for (let p = 0; p < job.P; p++) X.set(job.X.subarray(p * job.ldx, p * job.ldx + job.K), p * job.K)
  return { ...job, X, ldx: job.K }
}

export const encodeCandidateJob = (job: CandidateJob): typeof CandidateJob.Encoded =>
  Schema.encodeSync(CandidateJob)(compactCandidateJob(job))
export const decodeCandidateJob = Schema.decodeUnknown(CandidateJob)
export const encodeCandidateJobResult = Schema.encodeSync(CandidateJobResult)
export const decodeCandidateJobResult = Schema.decodeUnknown(CandidateJobResult)

/** The kernel input of a job: initial weights drawn per candidate from (runSeed, unit, c). */
export const candidateJobInput = (job: CandidateJob): CandidatePhaseInput => {
  const C = job.c1 - job.c0
  const trace = job.mode === "trace"
  return {
    P: job.P,
    K: job.K,
    O: job.O,
    C,
    ldx: job.ldx,
    X: job.X,
    E: job.E,
    errMean: job.errMean,
    sse: job.sse,
    weights: candidateWeights(job.runSeed, job.unit, job.c0, job.c1, job.K, job.weightRange),
    activation: job.activation as ActivationCode,
    settings: trace ? { ...job.settings, patience: 0 } : job.settings,
    meanCorrection: job.meanCorrection,
    ...(trace ? { scoreTrace: new Float32Array(C * (job.settings.maxEpochs + 1)) } : {})
  }
}

/**
 * Runs one job on a backend: off the event loop where the backend can (`candidatePhaseAsync`), or inline with
 * `sync` (benchmarks, scripts, `Effect.runSync`).
 */
export const runCandidateJob = (
  kernels: Kernels,
  job: CandidateJob,
  sync = false
): Effect.Effect<CandidateJobResult, KernelFailure> =>
  Effect.suspend(() => {
    const input = candidateJobInput(job)
    const catcher = (e: unknown) => new KernelFailure({ backend: kernels.backend, phase: "candidate", message: String(e) })
    const run = sync
      ? Effect.try({ try: () => kernels.candidatePhase(input), catch: catcher })
      : Effect.tryPromise({ try: () => kernels.candidatePhaseAsync(input), catch: catcher })
    return run.pipe(
      Effect.map((out) => ({
        c0: job.c0,
        c1: job.c1,
        weights: out.weights,
        correlations: out.correlations,
        scores: out.scores,
        best: job.c0 + out.best,
        bestScore: out.bestScore,
        epochs: out.epochs,
        end: out.end,
        ...(input.scoreTrace ? { trace: input.scoreTrace.subarray(0, out.epochs * (job.c1 - job.c0)) } : {})
      }))
    )
  })

/** Where jobs run: locally through a backend, or (later) on other processes or machines. */
export type CandidateExecutor<E = KernelFailure> = (job: CandidateJob) => Effect.Effect<CandidateJobResult, E>

/** Jobs on a local backend; `sync` runs them inline on the calling thread. */
export const localExecutor = (kernels: Kernels, sync = false): CandidateExecutor => (job) =>
  runCandidateJob(kernels, job, sync)

/** Splits [0, C) into `chunks` contiguous ranges as even as possible (never empty). */
export const splitPool = (C: number, chunks: number): Array<readonly [number, number]> => {
  const n = Math.max(1, Math.min(C, Math.floor(chunks)))
  return Array.from({ length: n }, (_, k) => [Math.floor((k * C) / n), Math.floor(((k + 1) * C) / n)] as const)
}

/** Everything of a job except the candidate range and mode. */
export type CandidatePoolSpec = Omit<CandidateJob, "c0" | "c1" | "mode">

const fromPoolJob = (r: CandidateJobResult, K: number, O: number): CandidatePoolResult => {
  const local = r.best - r.c0
  return {
    best: r.best,
    bestScore: r.bestScore,
    scores: r.scores,
    epochs: r.epochs,
    end: r.end as PhaseEndCode,
    weights: r.weights.slice(local * K, local * K + K),
    correlations: r.correlations.slice(local * O, local * O + O)
  }
}

/**
 * Finds the faithful stop epoch from split traces: per epoch, the pool's best score is the max over all candidates
 * in index order (strict `>` from 0, so ties keep the lowest index — the same as one local pass); the patience test
 * of A.6 then runs on that sequence. Returns the row of the stop epoch (0 = bootstrap) and how the phase ended.
 */
export const resolveTraces = (
  results: ReadonlyArray<CandidateJobResult>,
  C: number,
  settings: PhaseSettings
): { readonly row: number; readonly end: PhaseEndCode; readonly scores: Float32Array; readonly best: number } => {
  const ordered = [...results].sort((a, b) => a.c0 - b.c0)
  const rowScores = (r: number): Float32Array => {
    const s = new Float32Array(C)
    for (const res of ordered) {
      const n = res.c1 - res.c0
      const t = res.trace
      if (!t || t.length < (r + 1) * n) throw new RangeError(`trace of [${res.c0}, ${res.c1}) is missing row ${r}`)
      s.set(t.subarray(r * n, (r + 1) * n), res.c0)
    }
    return s
  }
  const argmax = (s: Float32Array): number => {
    let best = 0
    let bestScore = 0
    for (let c = 0; c < C; c++) if (s[c]! > bestScore) (bestScore = s[c]!), (best = c)
    return best
  }
  const patience = candidatePatienceStart(settings.maxEpochs)
  let row = 0
  let end: PhaseEndCode = PhaseEnd.timeout
  for (let i = 0; i < settings.maxEpochs; i++) {
    row = i + 1
    const s = rowScores(row)
    if (candidatePatienceCheck(patience, i, s[argmax(s)]!, settings.patience, settings.changeThreshold) === "stagnant") {
      end = PhaseEnd.stagnant
      break
    }
  }
  const scores = rowScores(row)
  return { row, end, scores, best: argmax(scores) }
}

/**
 * Trains a pool of C candidates, split into `chunks` jobs run by `executor` (concurrently). chunks = 1 is the plain
 * faithful phase; any other split gives the identical result (see the module comment).
 */
export const runCandidatePool = <E>(
  executor: CandidateExecutor<E>,
  spec: CandidatePoolSpec,
  C: number,
  chunks = 1
): Effect.Effect<CandidatePoolResult, E> =>
  Effect.gen(function* () {
    const ranges = splitPool(C, chunks)
    if (ranges.length === 1) {
      const r = yield* executor({ ...spec, c0: 0, c1: C, mode: "pool" })
      return fromPoolJob(r, spec.K, spec.O)
    }
    const traced = yield* Effect.all(
      ranges.map(([c0, c1]) => executor({ ...spec, c0, c1, mode: "trace" })),
      { concurrency: "unbounded" }
    )
    const { row, end, scores, best } = resolveTraces(traced, C, spec.settings)
    // Replay the winner alone up to the stop epoch: its weights after update i* and its correlations of that adjust.
    const replay = yield* executor({
      ...spec,
      settings: { ...spec.settings, patience: 0, maxEpochs: row },
      c0: best,
      c1: best + 1,
      mode: "pool"
    })
    return {
      best,
      bestScore: scores[best]!,
      scores,
      epochs: row + 1,
      end,
      weights: replay.weights.slice(0, spec.K),
      correlations: replay.correlations.slice(0, spec.O)
    }
  })
