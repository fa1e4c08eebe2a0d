/**
 * The faithful Cascade-Correlation trainer (reference A.5–A.8): the outer loop train(outLimit, inLimit, rounds) as a
 * state machine of phases, on top of any `Kernels` backend.
 *
 * Stages: "output" (round r's output phase) → "candidate" (candidate phase + install) → next round … → "final" (the
 * C port's extra output phase after the last round: WIN or LOSE) → "done". Victory in any output phase ends the run.
 *
 * State kept across phases, all of it in the snapshot: output weights with their Quickprop state (carried across
 * installs, a new column starting at zero), the frozen hidden units, the errors cache E / SumErrors / SSE of the
 * last output phase (stale, as the candidate phase must see them), counters and history. The values cache X is not
 * stored: restore refills it with the same kernels, which gives the same bits.
 */
import { Effect, Schema } from "effect"
import { localExecutor, runCandidatePool } from "./candidate-job.js"
import type { CandidatePoolResult, CandidatePoolSpec } from "./candidate-job.js"
import type { Dataset } from "./dataset.js"
import { datasetChecksum } from "./dataset.js"
import { Float32ArrayFromBase64 } from "./encoding.js"
import type { EngineError } from "./errors.js"
import { InvalidSnapshot, KernelFailure } from "./errors.js"
import { PhaseEnd } from "./kernel.js"
import type { Kernels, PhaseEndCode } from "./kernel.js"
import { activationCodes } from "./math/activation.js"
import { cacheAccuracy } from "./metrics.js"
import { appendOutputColumn, HiddenUnit, ValuesCache } from "./network.js"
import type { Network } from "./network.js"
import { CascorParams } from "./params.js"
import { runRng } from "./rng/init.js"
import { Xoshiro128 } from "./rng/prng.js"
import type {
  CandidateStepReport,
  CascorRun,
  InstalledUnit,
  Outcome,
  OutputStepReport,
  PhaseEndName,
  RunStatus,
  StepOptions,
  StepReport
} from "./run.js"

export const phaseEndName = (code: PhaseEndCode): PhaseEndName =>
  code === PhaseEnd.win ? "win" : code === PhaseEnd.stagnant ? "stagnant" : "timeout"

export const FahlmanStage = Schema.Literal("output", "candidate", "final", "done")
export type FahlmanStage = typeof FahlmanStage.Type

/** One line of the run's history (one per phase). */
export const PhaseRecord = Schema.Struct({
  phase: Schema.Literal("output", "candidate"),
  round: Schema.Int,
  end: Schema.Literal("win", "stagnant", "timeout"),
  epochs: Schema.Int,
  /** Global epoch after the phase. */
  epoch: Schema.Int,
  hiddenUnits: Schema.Int,
  trueError: Schema.optional(Schema.Number),
  errorBits: Schema.optional(Schema.Int),
  bestScore: Schema.optional(Schema.Number)
})
export type PhaseRecord = typeof PhaseRecord.Type

/** The full faithful-trainer state, JSON-safe when encoded. */
export const FahlmanSnapshot = Schema.Struct({
  version: Schema.Literal(1),
  algorithm: Schema.Literal("fahlman"),
  params: CascorParams,
  dataset: Schema.Struct({ P: Schema.Int, I: Schema.Int, O: Schema.Int, checksum: Schema.String }),
  stage: FahlmanStage,
  round: Schema.Int,
  epoch: Schema.Int,
  crossings: Schema.Number,
  hidden: Schema.Array(HiddenUnit),
  outputWeights: Float32ArrayFromBase64,
  outputDeltas: Float32ArrayFromBase64,
  outputPrevSlopes: Float32ArrayFromBase64,
  errors: Float32ArrayFromBase64,
  errSums: Float32ArrayFromBase64,
  sse: Schema.Number,
  trueError: Schema.Number,
  errorBits: Schema.Int,
  accuracy: Schema.Number,
  outcome: Schema.optional(Schema.Literal("win", "lose")),
  reason: Schema.optional(Schema.String),
  rng: Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number),
  history: Schema.Array(PhaseRecord)
})
export type FahlmanSnapshot = typeof FahlmanSnapshot.Type

const kernelTry = <A>(kernels: Kernels, phase: string, f: () => A) =>
  Effect.try({ try: f, catch: (e) => new KernelFailure({ backend: kernels.backend, phase, message: String(e) }) })

export class FahlmanTrainer implements CascorRun {
  readonly algorithm = "fahlman" as const
  private readonly cache: ValuesCache
  private readonly hiddenCode
  private readonly outputCode
  private readonly history: Array<PhaseRecord> = []
  private rng: Xoshiro128
  stage: FahlmanStage
  round = 0
  epoch = 0
  crossings = 0
  hidden: Array<HiddenUnit> = []
  outputWeights: Float32Array
  outputDeltas: Float32Array
  outputPrevSlopes: Float32Array
  /** E, SumErrors and SSE of the last output epoch's forward pass (stale by design, A.5). */
  errors: Float32Array
  errSums: Float32Array
  sse = 0
  trueError = 0
  errorBits = -1
  accuracy = 0
  outcome: Outcome | undefined
  reason: string | undefined

  private constructor(
    readonly params: CascorParams,
    readonly dataset: Dataset
  ) {
    const { I, O, P } = dataset
    this.hiddenCode = activationCodes[params.hiddenActivation]
    this.outputCode = activationCodes[params.outputActivation]
    // ldx = 1 + I + maxHidden, so every install of this run appends a column in place.
    const maxHidden = Math.max(0, Math.min(params.rounds, params.maxUnits - 1 - I))
    this.cache = new ValuesCache(P, I, dataset.inputs, 1 + I + maxHidden)
    this.rng = runRng(params.seed)
    const K = 1 + I
    // Initial state (A.2): bias and input→output weights uniform in [−WR, +WR]; all Quickprop state zero.
    this.outputWeights = new Float32Array(O * K)
    for (let k = 0; k < O * K; k++) this.outputWeights[k] = this.rng.uniform(params.weightRange)
    this.outputDeltas = new Float32Array(O * K)
    this.outputPrevSlopes = new Float32Array(O * K)
    this.errors = new Float32Array(P * O)
    this.errSums = new Float32Array(O)
    this.stage = params.rounds > 0 ? "output" : "final"
  }

  /** A fresh run (params already decoded, dataset already validated). */
  static create(params: CascorParams, dataset: Dataset): FahlmanTrainer {
    return new FahlmanTrainer(params, dataset)
  }

  /** K = 1 + I + H: units feeding a new unit. */
  get K(): number {
    return this.cache.K
  }

  get done(): boolean {
    return this.stage === "done"
  }

  /** The values cache (read-only use: tests and metrics). */
  get values(): { readonly X: Float32Array; readonly ldx: number; readonly K: number } {
    return this.cache
  }

  step(kernels: Kernels, options: StepOptions = {}): Effect.Effect<StepReport | undefined, EngineError> {
    switch (this.stage) {
      case "output":
        return this.outputStep(kernels, false)
      case "final":
        return this.outputStep(kernels, true)
      case "candidate":
        return this.candidateStep(kernels, options)
      case "done":
        return Effect.succeed(undefined)
    }
  }

  /** Runs train(outLimit, inLimit, rounds) to the end on one backend (no events): tests, benchmarks. */
  runToEnd(kernels: Kernels, options: StepOptions = {}): Effect.Effect<RunStatus, EngineError> {
    const loop: Effect.Effect<RunStatus, EngineError> = Effect.suspend(() =>
      this.done ? Effect.succeed(this.status()) : Effect.flatMap(this.step(kernels, options), () => loop)
    )
    return loop
  }

  // -------------------------------------------------------------------------------------------------------------
  // Output phase (A.5)
  // -------------------------------------------------------------------------------------------------------------

  private outputStep(kernels: Kernels, final: boolean): Effect.Effect<OutputStepReport, KernelFailure> {
    return Effect.suspend(() => {
      const { P, O } = this.dataset
      const K = this.K
      const p = this.params
      const t0 = performance.now()
      const history = new Float32Array(2 * (p.outLimit + 1))
      const startEpoch = this.epoch
      return kernelTry(kernels, "output", () =>
        kernels.outputPhase({
          P,
          K,
          O,
          ldx: this.cache.ldx,
          X: this.cache.X,
          targets: this.dataset.targets,
          weights: this.outputWeights,
          deltas: this.outputDeltas,
          prevSlopes: this.outputPrevSlopes,
          errors: this.errors,
          errSums: this.errSums,
          activation: this.outputCode,
          sigmoidPrimeOffset: p.sigmoidPrimeOffset,
          scoreThreshold: p.scoreThreshold,
          settings: {
            epsilon: p.outputEpsilon,
            mu: p.outputMu,
            decay: p.outputDecay,
            patience: p.outputPatience,
            changeThreshold: p.outputChangeThreshold,
            maxEpochs: p.outLimit
          },
          history
        })
      ).pipe(
        Effect.map((out) => {
          this.epoch += out.epochs
          // Crossings (A.8): the output forward pass of every epoch run, victory epoch included.
          this.crossings += out.epochsRun * P * K * O
          this.sse = out.sse
          this.trueError = out.trueError
          this.errorBits = out.errorBits
          this.accuracy = cacheAccuracy(this.dataset, this.cache.X, this.cache.ldx, K, this.outputWeights, this.outputCode)
          const end = phaseEndName(out.end)
          if (end === "win") this.finish("win", "victory")
          else if (final) this.finish("lose", "rounds")
          else this.stage = "candidate"
          this.history.push({
            phase: "output", round: this.round, end, epochs: out.epochs, epoch: this.epoch,
            hiddenUnits: this.hidden.length, trueError: out.trueError, errorBits: out.errorBits
          })
          return {
            kind: "output" as const,
            round: this.round,
            final,
            startEpoch,
            end,
            epochs: out.epochs,
            epochsRun: out.epochsRun,
            history: history.subarray(0, 2 * out.epochsRun),
            trueError: out.trueError,
            errorBits: out.errorBits,
            accuracy: this.accuracy,
            hiddenUnits: this.hidden.length,
            ms: performance.now() - t0
          }
        })
      )
    })
  }

  // -------------------------------------------------------------------------------------------------------------
  // Candidate phase (A.6) and install (A.7)
  // -------------------------------------------------------------------------------------------------------------

  /** The pool job of the current unit: the data the candidate phase reads, by reference (no copies locally). */
  candidateSpec(): CandidatePoolSpec {
    const { P, O } = this.dataset
    const p = this.params
    const errMean = new Float32Array(O)
    for (let o = 0; o < O; o++) errMean[o] = this.errSums[o]! / P // Ē_o = SumErrors_o / P
    return {
      P,
      K: this.K,
      O,
      ldx: this.cache.ldx,
      X: this.cache.X,
      E: this.errors,
      errMean,
      sse: this.sse,
      activation: this.hiddenCode,
      settings: {
        epsilon: p.inputEpsilon,
        mu: p.inputMu,
        decay: p.inputDecay,
        patience: p.inputPatience,
        changeThreshold: p.inputChangeThreshold,
        maxEpochs: p.inLimit
      },
      meanCorrection: p.meanCorrection,
      weightRange: p.weightRange,
      runSeed: p.seed,
      unit: this.hidden.length
    }
  }

  private candidateStep(kernels: Kernels, options: StepOptions): Effect.Effect<CandidateStepReport, EngineError> {
    return Effect.suspend((): Effect.Effect<CandidateStepReport, EngineError> => {
      const K = this.K
      const startEpoch = this.epoch
      const t0 = performance.now()
      // A.7 step 1: no room for another unit; the reference aborts the run here.
      if (K >= this.params.maxUnits) {
        this.finish("lose", "maxUnits")
        return Effect.succeed({
          kind: "candidate" as const, round: this.round, unit: this.hidden.length, startEpoch, end: "timeout" as const,
          epochs: 0, scores: new Float32Array(0), best: 0, bestScore: 0, hiddenUnits: this.hidden.length, ms: 0
        })
      }
      const executor = options.executor ?? localExecutor(kernels, options.sync ?? false)
      const C = this.params.poolSize
      return runCandidatePool(executor, this.candidateSpec(), C, options.candidateChunks ?? 1).pipe(
        Effect.flatMap((pool) => kernelTry(kernels, "install", () => this.install(kernels, pool))),
        Effect.map(({ pool, installed }) => {
          const end = phaseEndName(pool.end)
          this.history.push({
            phase: "candidate", round: this.round - 1, end, epochs: pool.epochs, epoch: this.epoch,
            hiddenUnits: this.hidden.length, bestScore: pool.bestScore
          })
          return {
            kind: "candidate" as const,
            round: this.round - 1,
            unit: installed.index,
            startEpoch,
            end,
            epochs: pool.epochs,
            scores: pool.scores,
            best: pool.best,
            bestScore: pool.bestScore,
            installed,
            hiddenUnits: this.hidden.length,
            ms: performance.now() - t0
          }
        })
      )
    })
  }

  /** A.7: freeze the winner, add its output column, fill its cache column, advance the round. */
  private install(kernels: Kernels, pool: CandidatePoolResult): { pool: CandidatePoolResult; installed: InstalledUnit } {
    const { P, O } = this.dataset
    const K = this.K
    const C = this.params.poolSize
    // Candidate epochs count, bootstrap included; crossings = candidate forward MACs of both kinds of pass (A.8).
    this.epoch += pool.epochs
    this.crossings += pool.epochs * P * C * K
    const weights = Float32Array.from(pool.weights) // a copy of the winner's current weights, frozen from now on
    // W_out[o][K] = −prevCor[best][o] · WeightMultiplier: "at least the sign should be right".
    const column = new Float32Array(O)
    for (let o = 0; o < O; o++) column[o] = -pool.correlations[o]! * this.params.weightMultiplier
    this.outputWeights = appendOutputColumn(this.outputWeights, O, K, column)
    this.outputDeltas = appendOutputColumn(this.outputDeltas, O, K) // the new column starts with zero state
    this.outputPrevSlopes = appendOutputColumn(this.outputPrevSlopes, O, K)
    this.cache.append(kernels, weights, this.hiddenCode)
    this.crossings += P * K
    const index = this.hidden.length
    this.hidden.push({ fanIn: K, weights })
    // The pool is re-initialised implicitly: the next unit's candidates draw from hash(seed, unit + 1, c).
    this.round++
    this.stage = this.round < this.params.rounds ? "output" : "final"
    return {
      pool,
      installed: {
        index, fanIn: K, weights, outputWeights: column,
        correlations: Float32Array.from(pool.correlations), score: pool.bestScore
      }
    }
  }

  private finish(outcome: Outcome, reason: string): void {
    this.stage = "done"
    this.outcome = outcome
    this.reason = reason
  }

  // -------------------------------------------------------------------------------------------------------------
  // Views, snapshot, restore
  // -------------------------------------------------------------------------------------------------------------

  status(): RunStatus {
    return {
      algorithm: "fahlman",
      stage: this.stage,
      round: this.round,
      epoch: this.epoch,
      hiddenUnits: this.hidden.length,
      crossings: this.crossings,
      trueError: this.trueError,
      errorBits: this.errorBits,
      accuracy: this.accuracy,
      done: this.done,
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.reason ? { reason: this.reason } : {})
    }
  }

  network(): Network {
    return {
      inputs: this.dataset.I,
      outputs: this.dataset.O,
      hiddenActivation: this.params.hiddenActivation,
      outputActivation: this.params.outputActivation,
      hidden: this.hidden.map((h) => ({ fanIn: h.fanIn, weights: Float32Array.from(h.weights) })),
      outputWeights: Float32Array.from(this.outputWeights)
    }
  }

  historyRecords(): ReadonlyArray<PhaseRecord> {
    return this.history
  }

  /** The full state (typed arrays copied). Encode with `Schema.encode(FahlmanSnapshot)` for the wire. */
  snapshotState(): FahlmanSnapshot {
    const { P, I, O } = this.dataset
    return {
      version: 1,
      algorithm: "fahlman",
      params: this.params,
      dataset: { P, I, O, checksum: datasetChecksum(this.dataset) },
      stage: this.stage,
      round: this.round,
      epoch: this.epoch,
      crossings: this.crossings,
      hidden: this.hidden.map((h) => ({ fanIn: h.fanIn, weights: Float32Array.from(h.weights) })),
      outputWeights: Float32Array.from(this.outputWeights),
      outputDeltas: Float32Array.from(this.outputDeltas),
      outputPrevSlopes: Float32Array.from(this.outputPrevSlopes),
      errors: Float32Array.from(this.errors),
      errSums: Float32Array.from(this.errSums),
      sse: this.sse,
      trueError: this.trueError,
      errorBits: this.errorBits,
      accuracy: this.accuracy,
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      rng: this.rng.state(),
      history: [...this.history]
    }
  }

  snapshot(): unknown {
    return Schema.encodeSync(FahlmanSnapshot)(this.snapshotState())
  }

  /**
   * Rebuilds a trainer from a snapshot on the same dataset: the cache is refilled by `kernels.fillColumn`, unit by
   * unit, so with the same backend it holds the same bits and the run continues exactly as the uninterrupted one.
   */
  static restore(s: FahlmanSnapshot, dataset: Dataset, kernels: Kernels): Effect.Effect<FahlmanTrainer, InvalidSnapshot> {
    return Effect.suspend(() => {
      const { P, I, O } = dataset
      if (s.dataset.P !== P || s.dataset.I !== I || s.dataset.O !== O || s.dataset.checksum !== datasetChecksum(dataset))
        return Effect.fail(new InvalidSnapshot({ message: "the snapshot was taken on a different dataset" }))
      const K = 1 + I + s.hidden.length
      const sizes: Array<[string, number, number]> = [
        ["outputWeights", s.outputWeights.length, O * K],
        ["outputDeltas", s.outputDeltas.length, O * K],
        ["outputPrevSlopes", s.outputPrevSlopes.length, O * K],
        ["errors", s.errors.length, P * O],
        ["errSums", s.errSums.length, O]
      ]
      for (const [name, got, want] of sizes)
        if (got !== want) return Effect.fail(new InvalidSnapshot({ message: `${name} has ${got} values, expected ${want}` }))
      for (const [j, h] of s.hidden.entries())
        if (h.fanIn !== 1 + I + j || h.weights.length !== h.fanIn)
          return Effect.fail(new InvalidSnapshot({ message: `hidden unit ${j} has a wrong fan-in or weight count` }))
      const t = new FahlmanTrainer(s.params, dataset)
      return kernelTry(kernels, "restore", () => {
        for (const h of s.hidden) {
          const weights = Float32Array.from(h.weights)
          t.cache.append(kernels, weights, t.hiddenCode)
          t.hidden.push({ fanIn: h.fanIn, weights })
        }
      }).pipe(
        Effect.mapError((e) => new InvalidSnapshot({ message: e.message })),
        Effect.as(t),
        Effect.tap(() => {
          t.stage = s.stage
          t.round = s.round
          t.epoch = s.epoch
          t.crossings = s.crossings
          t.outputWeights = Float32Array.from(s.outputWeights)
          t.outputDeltas = Float32Array.from(s.outputDeltas)
          t.outputPrevSlopes = Float32Array.from(s.outputPrevSlopes)
          t.errors = Float32Array.from(s.errors)
          t.errSums = Float32Array.from(s.errSums)
          t.sse = s.sse
          t.trueError = s.trueError
          t.errorBits = s.errorBits
          t.accuracy = s.accuracy
          t.outcome = s.outcome
          t.reason = s.reason
          t.rng = new Xoshiro128(s.rng)
          t.history.push(...s.history)
        })
      )
    })
  }
}
