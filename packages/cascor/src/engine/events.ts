/**
 * Everything a training run reports, as Effect Schemas in one module: the service publishes these over WebSocket
 * and the dashboard decodes them with the same schemas. Arrays of weights and scores are plain numbers (small:
 * one unit or one pool at a time).
 */
import { Schema } from "effect"

export const Phase = Schema.Literal("output", "candidate")
export type Phase = typeof Phase.Type
export const PhaseEndLiteral = Schema.Literal("win", "stagnant", "timeout")

/** The run begins (or continues from a snapshot). */
export const TrainingStarted = Schema.TaggedStruct("TrainingStarted", {
  algorithm: Schema.Literal("fahlman", "upstream"),
  backend: Schema.String,
  seed: Schema.Number,
  patterns: Schema.Int,
  inputs: Schema.Int,
  outputs: Schema.Int,
  poolSize: Schema.Int,
  restored: Schema.Boolean,
  epoch: Schema.Int,
  hiddenUnits: Schema.Int
})

export const PhaseStarted = Schema.TaggedStruct("PhaseStarted", {
  phase: Phase,
  round: Schema.Int,
  /** The C port's extra output phase after the last round. */
  final: Schema.Boolean,
  epoch: Schema.Int,
  hiddenUnits: Schema.Int
})

/**
 * One epoch's metrics. Output phases report every epoch run (from the kernel's per-epoch history); a candidate phase
 * reports one line at its end, so the epoch axis advances over the candidate epochs while the loss stays flat.
 * `loss` = TrueError/(P·O) (mean squared error); `accuracy` is given on the last epoch of a phase.
 */
export const EpochMetrics = Schema.TaggedStruct("EpochMetrics", {
  phase: Phase,
  /** Global epoch count after this epoch (A.8 accounting). */
  epoch: Schema.Int,
  /** 0-based index of the epoch within its phase. */
  phaseEpoch: Schema.Int,
  hiddenUnits: Schema.Int,
  loss: Schema.Number,
  trueError: Schema.Number,
  errorBits: Schema.Int,
  accuracy: Schema.optional(Schema.Number)
})

/** The candidate pool at the end of a phase. */
export const CandidateProgress = Schema.TaggedStruct("CandidateProgress", {
  unit: Schema.Int,
  round: Schema.Int,
  /** Candidate epochs, the bootstrap included. */
  epochs: Schema.Int,
  scores: Schema.Array(Schema.Number),
  best: Schema.Int,
  bestScore: Schema.Number,
  end: PhaseEndLiteral
})

export const UnitInstalled = Schema.TaggedStruct("UnitInstalled", {
  /** 0-based index among the hidden units. */
  index: Schema.Int,
  fanIn: Schema.Int,
  weights: Schema.Array(Schema.Number),
  /** The new output-weight column (one per output). */
  outputWeights: Schema.Array(Schema.Number),
  correlations: Schema.Array(Schema.Number),
  score: Schema.Number,
  epoch: Schema.Int
})

export const PhaseEnded = Schema.TaggedStruct("PhaseEnded", {
  phase: Phase,
  round: Schema.Int,
  end: PhaseEndLiteral,
  /** Epochs this phase added to the global count. */
  epochs: Schema.Int,
  epoch: Schema.Int,
  hiddenUnits: Schema.Int,
  ms: Schema.Number
})

export const TrainingPaused = Schema.TaggedStruct("TrainingPaused", { epoch: Schema.Int, hiddenUnits: Schema.Int })
export const TrainingResumed = Schema.TaggedStruct("TrainingResumed", { epoch: Schema.Int, hiddenUnits: Schema.Int })

export const TrainingCompleted = Schema.TaggedStruct("TrainingCompleted", {
  outcome: Schema.Literal("win", "lose", "stopped"),
  /** "victory", "rounds", "maxUnits", "stopped", or an upstream completion reason. */
  reason: Schema.String,
  epoch: Schema.Int,
  hiddenUnits: Schema.Int,
  crossings: Schema.Number,
  trueError: Schema.Number,
  errorBits: Schema.Int,
  accuracy: Schema.Number,
  /** Wall time of this stream's phases. */
  ms: Schema.Number
})

export const TrainingEvent = Schema.Union(
  TrainingStarted,
  PhaseStarted,
  EpochMetrics,
  CandidateProgress,
  UnitInstalled,
  PhaseEnded,
  TrainingPaused,
  TrainingResumed,
  TrainingCompleted
)
export type TrainingEvent = typeof TrainingEvent.Type
export type TrainingEventEncoded = typeof TrainingEvent.Encoded
