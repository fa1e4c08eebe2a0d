/**
 * The upstream-compatible variant (reference Part B, `algorithm: "upstream"`): how pcalnon/juniper-cascor grows a
 * network. Statistical parity only; nothing here is used by the faithful mode.
 *
 * - tanh hidden units (network-wide), a linear output layer with bias trained by Adam on MSE for a fixed number of
 *   epochs (no stagnation stop); a new unit's output weights start at zero.
 * - candidates: randn × 0.1 init from (seed, unit, candidate), plain gradient ascent on Pearson |r| against the
 *   single best column of the raw residual E = y − ŷ, optional patience (|r| must beat best + improvement).
 * - growth stops: target accuracy, residual collapsed, winner below the adaptive threshold
 *   max(1e−6, min(correlationThreshold, mean|E|·0.01)), growth patience on the training loss, max hidden units.
 *
 * Same phase-by-phase shape as the faithful trainer (CascorRun), so training.ts drives both. Output and candidate
 * phases run here in TypeScript (the kernel contract is the faithful objective); only the cache fill uses `Kernels`.
 */
import { Effect, Schema } from "effect"
import type { Dataset } from "../dataset.js"
import { datasetChecksum } from "../dataset.js"
import { Float32ArrayFromBase64 } from "../encoding.js"
import type { EngineError } from "../errors.js"
import { InvalidSnapshot, KernelFailure } from "../errors.js"
import { Activation } from "../kernel.js"
import type { Kernels } from "../kernel.js"
import { cacheAccuracy } from "../metrics.js"
import { appendOutputColumn, HiddenUnit, ValuesCache } from "../network.js"
import type { Network } from "../network.js"
import { CascorParams } from "../params.js"
import { candidateRng, SeedStream } from "../rng/init.js"
import { hashSeed, Xoshiro128 } from "../rng/prng.js"
import type {
  CandidateStepReport,
  CascorRun,
  Outcome,
  OutputStepReport,
  RunStatus,
  StepReport
} from "../run.js"
import { Adam } from "./adam.js"
import { centre, pearson, pearsonGradient } from "./pearson.js"

export const UpstreamStage = Schema.Literal("output", "candidate", "done")
export type UpstreamStage = typeof UpstreamStage.Type

export const UpstreamSnapshot = Schema.Struct({
  version: Schema.Literal(1),
  algorithm: Schema.Literal("upstream"),
  params: CascorParams,
  dataset: Schema.Struct({ P: Schema.Int, I: Schema.Int, O: Schema.Int, checksum: Schema.String }),
  stage: UpstreamStage,
  round: Schema.Int,
  epoch: Schema.Int,
  crossings: Schema.Number,
  hidden: Schema.Array(HiddenUnit),
  outputWeights: Float32ArrayFromBase64,
  residual: Float32ArrayFromBase64,
  bestLoss: Schema.Number,
  sinceImprovement: Schema.Int,
  trueError: Schema.Number,
  errorBits: Schema.Int,
  accuracy: Schema.Number,
  outcome: Schema.optional(Schema.Literal("win", "lose")),
  reason: Schema.optional(Schema.String),
  rng: Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number)
})
export type UpstreamSnapshot = typeof UpstreamSnapshot.Type

interface CandidateOutcome {
  readonly weights: Float32Array
  readonly score: number
  readonly epochs: number
}

export class UpstreamTrainer implements CascorRun {
  readonly algorithm = "upstream" as const
  private readonly cache: ValuesCache
  private rng: Xoshiro128
  stage: UpstreamStage = "output"
  round = 0
  epoch = 0
  crossings = 0
  hidden: Array<HiddenUnit> = []
  outputWeights: Float32Array
  /** Raw residual E = y − ŷ (target minus prediction), P×O, after the last output phase. */
  residual: Float32Array
  bestLoss = Number.POSITIVE_INFINITY
  sinceImprovement = 0
  trueError = 0
  errorBits = -1
  accuracy = 0
  outcome: Outcome | undefined
  reason: string | undefined

  private constructor(
    readonly params: CascorParams,
    readonly dataset: Dataset
  ) {
    const { P, I, O } = dataset
    this.cache = new ValuesCache(P, I, dataset.inputs, 1 + I + this.maxHidden)
    this.rng = Xoshiro128.fromSeed(hashSeed(params.seed, SeedStream.upstreamOutput))
    // torch.nn.Linear's default init: uniform ±1/√fan_in over the bias and input weights.
    const K = 1 + I
    const bound = 1 / Math.sqrt(I)
    this.outputWeights = new Float32Array(O * K)
    for (let k = 0; k < O * K; k++) this.outputWeights[k] = this.rng.uniform(bound)
    this.residual = new Float32Array(P * O)
  }

  static create(params: CascorParams, dataset: Dataset): UpstreamTrainer {
    return new UpstreamTrainer(params, dataset)
  }

  get K(): number {
    return this.cache.K
  }

  get done(): boolean {
    return this.stage === "done"
  }

  /** Growth limit: `rounds`, and no more than maxUnits allows. */
  get maxHidden(): number {
    return Math.max(0, Math.min(this.params.rounds, this.params.maxUnits - 1 - this.dataset.I))
  }

  step(kernels: Kernels): Effect.Effect<StepReport | undefined, EngineError> {
    switch (this.stage) {
      case "output":
        return Effect.sync(() => this.outputStep())
      case "candidate":
        return Effect.try({
          try: () => this.candidateStep(kernels),
          catch: (e) => new KernelFailure({ backend: kernels.backend, phase: "candidate", message: String(e) })
        })
      case "done":
        return Effect.succeed(undefined)
    }
  }

  runToEnd(kernels: Kernels): Effect.Effect<RunStatus, EngineError> {
    const loop: Effect.Effect<RunStatus, EngineError> = Effect.suspend(() =>
      this.done ? Effect.succeed(this.status()) : Effect.flatMap(this.step(kernels), () => loop)
    )
    return loop
  }

  // -------------------------------------------------------------------------------------------------------------
  // Output layer: Adam on MSE, fixed epochs
  // -------------------------------------------------------------------------------------------------------------

  /** Forward pass of the linear outputs; returns Σ dif² and the error bits, fills the gradient and the residual. */
  private outputForward(grad: Float64Array | undefined): { trueError: number; errorBits: number } {
    const { P, O, targets } = this.dataset
    const { X, ldx } = this.cache
    const K = this.K
    const W = this.outputWeights
    const scale = 2 / (P * O) // d(mean squared error)/dŷ
    let trueError = 0
    let errorBits = 0
    grad?.fill(0)
    for (let p = 0; p < P; p++) {
      for (let o = 0; o < O; o++) {
        let y = 0
        for (let i = 0; i < K; i++) y += X[p * ldx + i]! * W[o * K + i]!
        const dif = y - targets[p * O + o]!
        trueError += dif * dif
        if (Math.abs(dif) > this.params.scoreThreshold) errorBits++
        this.residual[p * O + o] = -dif
        if (grad) for (let i = 0; i < K; i++) grad[o * K + i] = grad[o * K + i]! + scale * dif * X[p * ldx + i]!
      }
    }
    return { trueError, errorBits }
  }

  private outputStep(): OutputStepReport {
    const t0 = performance.now()
    const { P, O } = this.dataset
    const K = this.K
    const up = this.params.upstream
    const n = up.outputEpochs
    const adam = new Adam(O * K, up.outputLearningRate)
    const grad = new Float64Array(O * K)
    const history = new Float32Array(2 * n)
    const startEpoch = this.epoch
    for (let e = 0; e < n; e++) {
      const s = this.outputForward(grad)
      history[2 * e] = s.trueError
      history[2 * e + 1] = s.errorBits
      adam.step(this.outputWeights, grad)
    }
    const final = this.outputForward(undefined) // the residual the candidates see: after the last update
    this.epoch += n
    this.crossings += (n + 1) * P * K * O
    this.trueError = final.trueError
    this.errorBits = final.errorBits
    this.accuracy = cacheAccuracy(this.dataset, this.cache.X, this.cache.ldx, K, this.outputWeights, Activation.linear)
    this.decideGrowth(final.trueError / (P * O))
    return {
      kind: "output",
      round: this.round,
      final: false,
      startEpoch,
      end: this.outcome === "win" ? "win" : "timeout",
      epochs: n,
      epochsRun: n,
      history,
      trueError: final.trueError,
      errorBits: final.errorBits,
      accuracy: this.accuracy,
      hiddenUnits: this.hidden.length,
      ms: performance.now() - t0
    }
  }

  /** Upstream's completion rules, checked after each output phase. */
  private decideGrowth(loss: number): void {
    const up = this.params.upstream
    if (loss < this.bestLoss) {
      this.bestLoss = loss
      this.sinceImprovement = 0
    } else this.sinceImprovement++
    let meanAbs = 0
    for (const r of this.residual) meanAbs += Math.abs(r)
    meanAbs /= this.residual.length
    const reached = this.accuracy >= up.targetAccuracy
    if (reached) return this.finish("win", "target_accuracy")
    if (meanAbs < up.residualEpsilon) return this.finish("lose", "residual_collapsed")
    if (this.hidden.length >= this.maxHidden) return this.finish("lose", "max_iterations")
    if (up.growthPatience > 0 && this.sinceImprovement >= up.growthPatience) return this.finish("lose", "early_stopped")
    this.stage = "candidate"
  }

  // -------------------------------------------------------------------------------------------------------------
  // Candidates: gradient ascent on Pearson |r| against the best residual column
  // -------------------------------------------------------------------------------------------------------------

  private trainCandidate(c: number, Ecols: ReadonlyArray<Float64Array>, Enorms: ReadonlyArray<number>): CandidateOutcome {
    const { P } = this.dataset
    const { X, ldx } = this.cache
    const K = this.K
    const up = this.params.upstream
    const rng = candidateRng(this.params.seed, this.hidden.length, c, SeedStream.upstreamCandidate)
    const w = new Float64Array(K)
    for (let i = 0; i < K; i++) w[i] = rng.normal() * 0.1
    const out = new Float64Array(P)
    const a = new Float64Array(P)
    const g = new Float64Array(P)
    // |r| of the current weights against the best column; leaves o in `out`, a = o − ō, and returns (j*, r, ‖a‖).
    const evaluate = () => {
      for (let p = 0; p < P; p++) {
        let z = 0
        for (let i = 0; i < K; i++) z += X[p * ldx + i]! * w[i]!
        out[p] = Math.tanh(z)
      }
      const na = centre(out, P, a)
      let best = 0
      let r = 0
      for (let j = 0; j < Ecols.length; j++) {
        const rj = pearson(a, na, Ecols[j]!, Enorms[j]!, P)
        if (Math.abs(rj) > Math.abs(r) || j === 0) (best = j), (r = rj)
      }
      return { j: best, r, na }
    }
    let bestAbs = 0
    let since = 0
    let epochs = 0
    for (let e = 0; e < up.candidateEpochs; e++) {
      const { j, r, na } = evaluate()
      epochs++
      if (Math.abs(r) > bestAbs + up.candidateImprovement) (bestAbs = Math.abs(r)), (since = 0)
      else since++
      if (up.candidatePatience > 0 && since >= up.candidatePatience) break
      // Ascent: w += lr · Σ_p X_p · (∂|r|/∂o_p · tanh′(z_p)).
      pearsonGradient(a, na, Ecols[j]!, Enorms[j]!, r, P, g)
      for (let p = 0; p < P; p++) g[p] = g[p]! * (1 - out[p]! * out[p]!)
      for (let i = 0; i < K; i++) {
        let s = 0
        for (let p = 0; p < P; p++) s += X[p * ldx + i]! * g[p]!
        w[i] = w[i]! + up.candidateLearningRate * s
      }
    }
    const final = evaluate()
    return { weights: Float32Array.from(w), score: Math.abs(final.r), epochs: epochs + 1 }
  }

  private candidateStep(kernels: Kernels): CandidateStepReport {
    const t0 = performance.now()
    const { P, O } = this.dataset
    const K = this.K
    const C = this.params.poolSize
    const startEpoch = this.epoch
    const Ecols: Array<Float64Array> = []
    const Enorms: Array<number> = []
    let meanAbs = 0
    for (let o = 0; o < O; o++) {
      const col = new Float64Array(P)
      Enorms.push(centre(this.residual, P, col, O, o))
      Ecols.push(col)
    }
    for (const r of this.residual) meanAbs += Math.abs(r)
    meanAbs /= this.residual.length
    const pool = Array.from({ length: C }, (_, c) => this.trainCandidate(c, Ecols, Enorms))
    let best = 0
    let bestScore = 0
    for (let c = 0; c < C; c++) if (pool[c]!.score > bestScore) (bestScore = pool[c]!.score), (best = c)
    const epochs = Math.max(...pool.map((p) => p.epochs)) // the pool trains in parallel upstream
    this.epoch += epochs
    this.crossings += pool.reduce((s, p) => s + p.epochs, 0) * P * K
    const scores = Float32Array.from(pool.map((p) => p.score))
    const unit = this.hidden.length
    const base = { kind: "candidate" as const, round: this.round, unit, startEpoch, epochs, scores, best, bestScore }
    const threshold = Math.max(1e-6, Math.min(this.params.upstream.correlationThreshold, meanAbs * 0.01))
    if (bestScore < threshold) {
      this.finish("lose", "below_threshold")
      return { ...base, end: "stagnant", hiddenUnits: unit, ms: performance.now() - t0 }
    }
    // Install: frozen weights, output weights of the new unit start at zero, one cache column.
    const weights = pool[best]!.weights
    this.outputWeights = appendOutputColumn(this.outputWeights, O, K)
    this.cache.append(kernels, weights, Activation.tanh)
    this.crossings += P * K
    this.hidden.push({ fanIn: K, weights })
    this.round++
    this.stage = "output"
    return {
      ...base,
      end: "timeout",
      installed: {
        index: unit, fanIn: K, weights, outputWeights: new Float32Array(O), correlations: Float32Array.of(bestScore),
        score: bestScore
      },
      hiddenUnits: this.hidden.length,
      ms: performance.now() - t0
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
      algorithm: "upstream",
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
      hiddenActivation: "tanh",
      outputActivation: "linear",
      hidden: this.hidden.map((h) => ({ fanIn: h.fanIn, weights: Float32Array.from(h.weights) })),
      outputWeights: Float32Array.from(this.outputWeights)
    }
  }

  snapshotState(): UpstreamSnapshot {
    const { P, I, O } = this.dataset
    return {
      version: 1,
      algorithm: "upstream",
      params: this.params,
      dataset: { P, I, O, checksum: datasetChecksum(this.dataset) },
      stage: this.stage,
      round: this.round,
      epoch: this.epoch,
      crossings: this.crossings,
      hidden: this.hidden.map((h) => ({ fanIn: h.fanIn, weights: Float32Array.from(h.weights) })),
      outputWeights: Float32Array.from(this.outputWeights),
      residual: Float32Array.from(this.residual),
      bestLoss: Number.isFinite(this.bestLoss) ? this.bestLoss : Number.MAX_VALUE,
      sinceImprovement: this.sinceImprovement,
      trueError: this.trueError,
      errorBits: this.errorBits,
      accuracy: this.accuracy,
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      rng: this.rng.state()
    }
  }

  snapshot(): unknown {
    return Schema.encodeSync(UpstreamSnapshot)(this.snapshotState())
  }

  static restore(s: UpstreamSnapshot, dataset: Dataset, kernels: Kernels): Effect.Effect<UpstreamTrainer, InvalidSnapshot> {
    return Effect.try({
      try: () => {
        const { P, I, O } = dataset
        if (s.dataset.P !== P || s.dataset.I !== I || s.dataset.O !== O || s.dataset.checksum !== datasetChecksum(dataset))
          throw new Error("the snapshot was taken on a different dataset")
        const K = 1 + I + s.hidden.length
        if (s.outputWeights.length !== O * K || s.residual.length !== P * O) throw new Error("array sizes do not match")
        const t = new UpstreamTrainer(s.params, dataset)
        for (const h of s.hidden) {
          const weights = Float32Array.from(h.weights)
          t.cache.append(kernels, weights, Activation.tanh)
          t.hidden.push({ fanIn: h.fanIn, weights })
        }
        t.stage = s.stage
        t.round = s.round
        t.epoch = s.epoch
        t.crossings = s.crossings
        t.outputWeights = Float32Array.from(s.outputWeights)
        t.residual = Float32Array.from(s.residual)
        t.bestLoss = s.bestLoss === Number.MAX_VALUE ? Number.POSITIVE_INFINITY : s.bestLoss
        t.sinceImprovement = s.sinceImprovement
        t.trueError = s.trueError
        t.errorBits = s.errorBits
        t.accuracy = s.accuracy
        t.outcome = s.outcome
        t.reason = s.reason
        t.rng = new Xoshiro128(s.rng)
        return t
      },
      catch: (e) => new InvalidSnapshot({ message: e instanceof Error ? e.message : String(e) })
    })
  }
}
