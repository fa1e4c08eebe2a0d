/**
 * Training parameters as one Effect Schema: Fahlman's defaults (the Lisp column of reference A.10), their bounds,
 * and named presets. Decoding fills in defaults; a bad value fails with InvalidParameter naming the parameter.
 */
import { Effect, ParseResult, Schema } from "effect"
import { InvalidParameter } from "./errors.js"

const FiniteNumber = Schema.Number.pipe(Schema.finite())
const Positive = FiniteNumber.pipe(Schema.positive())
const NonNegative = FiniteNumber.pipe(Schema.nonNegative())
const Count = (min: number) => Schema.Int.pipe(Schema.greaterThanOrEqualTo(min))
const withDefault = <S extends Schema.Schema.Any>(schema: S, value: Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: () => value })

/** Hidden and candidate units (A.2): the symmetric sigmoid is the default; Gaussian only here. */
export const HiddenActivation = Schema.Literal("symmetricSigmoid", "sigmoid", "tanh", "gaussian")
export type HiddenActivation = typeof HiddenActivation.Type
/** Output units: linear for regression (prime 1, no offset). */
export const OutputActivation = Schema.Literal("symmetricSigmoid", "sigmoid", "tanh", "linear")
export type OutputActivation = typeof OutputActivation.Type

/** "fahlman": the faithful cascor1.c algorithm (Part A). "upstream": the pcalnon/juniper-cascor variant (Part B). */
export const Algorithm = Schema.Literal("fahlman", "upstream")
export type Algorithm = typeof Algorithm.Type

/** Settings of the upstream variant only (reference Part B). */
export const UpstreamParams = Schema.Struct({
  /** Fixed Adam epochs per output phase (no stagnation stop). */
  outputEpochs: withDefault(Count(1), 1000),
  outputLearningRate: withDefault(Positive, 0.01),
  /** Gradient-ascent epochs per candidate phase. */
  candidateEpochs: withDefault(Count(1), 600),
  candidateLearningRate: withDefault(Positive, 0.01),
  /** Stop a candidate after this many epochs without |r| > best + candidateImprovement; 0 = off. */
  candidatePatience: withDefault(Count(0), 30),
  candidateImprovement: withDefault(NonNegative, 0.001),
  /** The winner must reach max(1e−6, min(correlationThreshold, mean|E|·0.01)) to be installed. */
  correlationThreshold: withDefault(NonNegative, 0.001),
  /** Stop growing after this many installs without a lower training loss; 0 = off. */
  growthPatience: withDefault(Count(0), 50),
  targetAccuracy: withDefault(Positive.pipe(Schema.lessThanOrEqualTo(1)), 0.999),
  /** Stop when mean |residual| falls below this. */
  residualEpsilon: withDefault(NonNegative, 1e-6)
})
export type UpstreamParams = typeof UpstreamParams.Type

export const CascorParams = Schema.Struct({
  algorithm: withDefault(Algorithm, "fahlman"),
  /** Run seed: every initial weight derives from it (rng/init.ts). */
  seed: withDefault(Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER)), 1),
  /** Candidate pool size C. */
  poolSize: withDefault(Count(1), 8),
  hiddenActivation: withDefault(HiddenActivation, "symmetricSigmoid"),
  outputActivation: withDefault(OutputActivation, "symmetricSigmoid"),
  sigmoidPrimeOffset: withDefault(NonNegative, 0.1),
  weightRange: withDefault(Positive, 1.0),
  weightMultiplier: withDefault(Positive, 1.0),
  outputEpsilon: withDefault(Positive, 0.35),
  outputMu: withDefault(Positive, 2.0),
  outputDecay: withDefault(NonNegative, 1e-4),
  /** 0 disables the output patience test. */
  outputPatience: withDefault(Count(0), 8),
  outputChangeThreshold: withDefault(NonNegative, 0.01),
  inputEpsilon: withDefault(Positive, 1.0),
  inputMu: withDefault(Positive, 2.0),
  inputDecay: withDefault(NonNegative, 0),
  /** 0 disables the candidate patience test. */
  inputPatience: withDefault(Count(0), 8),
  inputChangeThreshold: withDefault(NonNegative, 0.03),
  /** An output is wrong when |y − t| > scoreThreshold (C uses `>`); 0 wrong outputs is victory. */
  scoreThreshold: withDefault(Positive, 0.4),
  /** Correlation centring: faithful `CC − avg·Ē` or the textbook `CC − P·avg·Ē`. */
  meanCorrection: withDefault(Schema.Literal("fahlman", "textbook"), "fahlman"),
  /** Largest K (bias + inputs + hidden units); an install at K ≥ maxUnits fails and ends the run. */
  maxUnits: withDefault(Count(2), 100),
  /** train(outLimit, inLimit, rounds): epochs per output phase, per candidate phase, and rounds (max new units). */
  outLimit: withDefault(Count(1), 100),
  inLimit: withDefault(Count(0), 100),
  rounds: withDefault(Count(0), 25),
  upstream: Schema.optionalWith(UpstreamParams, { default: () => Schema.decodeSync(UpstreamParams)({}) })
})
/** Decoded parameters: every field present. */
export type CascorParams = typeof CascorParams.Type
/** What callers send: every field optional. */
export type CascorParamsInput = typeof CascorParams.Encoded

/** Fahlman's two-spirals parameter set (A.10, end of cascor1.cl), with the B1 limits train(100, 100, 25). */
export const twoSpiralsPreset = {
  poolSize: 8,
  hiddenActivation: "symmetricSigmoid",
  outputActivation: "symmetricSigmoid",
  sigmoidPrimeOffset: 0.1,
  weightRange: 1.0,
  weightMultiplier: 1.0,
  outputMu: 2.0,
  outputEpsilon: 1.0,
  outputDecay: 1e-4,
  outputPatience: 12,
  outputChangeThreshold: 0.01,
  inputMu: 2.0,
  inputEpsilon: 100,
  inputDecay: 0,
  inputPatience: 8,
  inputChangeThreshold: 0.03,
  scoreThreshold: 0.4,
  maxUnits: 100,
  outLimit: 100,
  inLimit: 100,
  rounds: 25
} as const satisfies CascorParamsInput

export const presets = { fahlman: {}, twoSpirals: twoSpiralsPreset } as const satisfies Record<string, CascorParamsInput>
export type PresetName = keyof typeof presets

/** Turns a schema failure into InvalidParameter naming the first offending parameter path. */
const toInvalidParameter = (error: ParseResult.ParseError): InvalidParameter => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const parameter = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "params"
  return new InvalidParameter({ parameter, message: issue ? issue.message : error.message })
}

/** Decodes and validates parameters (defaults filled in). */
export const decodeParams = (input: unknown): Effect.Effect<CascorParams, InvalidParameter> =>
  Schema.decodeUnknown(CascorParams, { errors: "first", onExcessProperty: "error" })(input).pipe(
    Effect.mapError(toInvalidParameter)
  )

/** Synchronous variant for scripts and tests; throws InvalidParameter. */
export const decodeParamsSync = (input: unknown): CascorParams => Effect.runSync(decodeParams(input))

/** A preset, optionally overridden (e.g. `makeParams("twoSpirals", { seed: 7 })`). */
export const makeParams = (preset: PresetName, overrides: CascorParamsInput = {}): CascorParams =>
  decodeParamsSync({ ...presets[preset], ...overrides })

