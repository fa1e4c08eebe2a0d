/**
 * What a training run looks like from the outside, whichever algorithm grows it: a state machine advanced one phase
 * at a time. Phases are atomic (one kernel call); between two steps the run can be paused, stopped or snapshotted.
 */
import type { Effect } from "effect"
import type { CandidateExecutor } from "./candidate-job.js"
import type { Dataset } from "./dataset.js"
import type { EngineError } from "./errors.js"
import type { Kernels } from "./kernel.js"
import type { Network } from "./network.js"
import type { Algorithm, CascorParams } from "./params.js"

export type PhaseEndName = "win" | "stagnant" | "timeout"
export type Outcome = "win" | "lose"

/** One output-training phase (A.5, or upstream's fixed Adam epochs). */
export interface OutputStepReport {
  readonly kind: "output"
  readonly round: number
  /** The C port's extra output phase after the last round. */
  readonly final: boolean
  /** Global epoch count before the phase. */
  readonly startEpoch: number
  readonly end: PhaseEndName
  /** Epochs that updated weights (counted in the global epoch). */
  readonly epochs: number
  /** Epochs run, the victory epoch included. */
  readonly epochsRun: number
  /** Per epoch run: trueError (Σ dif²) and errorBits, interleaved (history[2i], history[2i+1]). */
  readonly history: Float32Array
  readonly trueError: number
  readonly errorBits: number
  /** Classification accuracy after the phase's last update. */
  readonly accuracy: number
  readonly hiddenUnits: number
  readonly ms: number
}

/** The unit a candidate phase installed (A.7). */
export interface InstalledUnit {
  /** 0-based index among the hidden units. */
  readonly index: number
  readonly fanIn: number
  readonly weights: Float32Array
  /** The new output-weight column, O values (−prevCor·WeightMultiplier in faithful mode). */
  readonly outputWeights: Float32Array
  readonly correlations: Float32Array
  readonly score: number
}

/** One candidate phase (A.6) and, normally, the install of its winner. */
export interface CandidateStepReport {
  readonly kind: "candidate"
  readonly round: number
  readonly unit: number
  readonly startEpoch: number
  readonly end: PhaseEndName
  /** Epochs counted, the bootstrap included. */
  readonly epochs: number
  readonly scores: Float32Array
  readonly best: number
  readonly bestScore: number
  /** Absent when the run ended instead of installing (max units reached, upstream threshold). */
  readonly installed?: InstalledUnit
  readonly hiddenUnits: number
  readonly ms: number
}

export type StepReport = OutputStepReport | CandidateStepReport

export interface RunStatus {
  readonly algorithm: Algorithm
  readonly stage: string
  readonly round: number
  readonly epoch: number
  readonly hiddenUnits: number
  readonly crossings: number
  readonly trueError: number
  readonly errorBits: number
  readonly accuracy: number
  readonly done: boolean
  readonly outcome?: Outcome
  /** Why the run ended (e.g. "victory", "rounds", "maxUnits", upstream's "below_threshold"). */
  readonly reason?: string
}

/** Options of one step. */
export interface StepOptions {
  /** Where candidate jobs run (default: locally on the step's kernels). */
  readonly executor?: CandidateExecutor<EngineError>
  /** Split the pool into this many jobs (results are identical; see candidate-job.ts). Default 1. */
  readonly candidateChunks?: number
  /** Run the candidate phase inline (`kernels.candidatePhase`) instead of `candidatePhaseAsync`: for runSync. */
  readonly sync?: boolean
}

export interface CascorRun {
  readonly algorithm: Algorithm
  readonly params: CascorParams
  readonly dataset: Dataset
  /** Advances one phase. Fails only on kernel errors; calling it on a finished run is a no-op returning undefined. */
  readonly step: (kernels: Kernels, options?: StepOptions) => Effect.Effect<StepReport | undefined, EngineError>
  readonly status: () => RunStatus
  readonly network: () => Network
  /** The run's full state in its wire form (JSON-safe); restore with `restoreRun` (snapshot.ts). */
  readonly snapshot: () => unknown
}
