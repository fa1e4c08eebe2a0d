/**
 * The contract's hyper-parameters (§3.1 / §3.3, upstream's PyTorch-era names) mapped onto the engine's parameters
 * (engine/params.ts). The mapping is documented in packages/cascor/README.md ("Parameter mapping"):
 *
 * | contract field | fahlman (default) | upstream |
 * |---|---|---|
 * | learning_rate | outputEpsilon (default 0.35) | upstream.outputLearningRate (0.01) |
 * | candidate_learning_rate | inputEpsilon (1.0) | upstream.candidateLearningRate (0.1) |
 * | candidate_pool_size | poolSize | poolSize |
 * | max_hidden_units, max_iterations | rounds = min(both) | rounds = min(both) |
 * | output_epochs | outLimit (100) | upstream.outputEpochs (10) |
 * | candidate_epochs | inLimit (100) | upstream.candidateEpochs (50) |
 * | patience | outputPatience (8) | upstream.growthPatience (20) |
 * | candidate_patience | inputPatience (8) | upstream.candidatePatience (50) |
 * | convergence_threshold | outputChangeThreshold (0.01) | – |
 * | candidate_convergence_threshold | inputChangeThreshold (0.03) | upstream.candidateImprovement (0.001) |
 * | correlation_threshold | – | upstream.correlationThreshold |
 * | activation_function_name | hiddenActivation (SymmetricSigmoid) | Tanh only |
 * | random_seed | seed (42) | seed |
 * | optimizer_type, init_output_weights, selection fields, auto_snap_best | stored and reported; no effect on the engine (auto_snap_best drives auto snapshots) |
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { CascorParams, type CascorParamsInput, decodeParams, type HiddenActivation } from "../engine/params.js"
import type { AlgorithmName, HyperParameters, NetworkCreateRequest, SkippedParam, TrainingParams } from "../api/schema.js"
import { invalidField, SessionInvalid } from "./errors.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The contract's adopted defaults (§3.1). */
const contractDefaults: HyperParameters = {
  learning_rate: 0.01,
  candidate_learning_rate: 0.1,
  max_hidden_units: 50,
  candidate_pool_size: 8,
  correlation_threshold: 0.5,
  patience: 20,
  candidate_patience: 50,
  candidate_epochs: 50,
  output_epochs: 10,
  max_iterations: 100,
  convergence_threshold: 0.001,
  candidate_convergence_threshold: 0.001,
  init_output_weights: "zero",
  optimizer_type: "Adam",
  activation_function_name: "Tanh",
  random_seed: 42,
  multi_candidate: false,
  candidate_selection: "top",
  selected_candidates: 1,
  top_candidates: 1,
  random_candidates: 0,
  auto_snap_best: false,
  epochs_max: 0,
  algorithm: "upstream"
}

/** Fahlman's values (reference A.10) for the fields that map onto the faithful engine. */
const fahlmanDefaults: Partial<HyperParameters> = {
  learning_rate: 0.35,
  candidate_learning_rate: 1.0,
  patience: 8,
  candidate_patience: 8,
  candidate_epochs: 100,
  output_epochs: 100,
  convergence_threshold: 0.01,
  candidate_convergence_threshold: 0.03,
  activation_function_name: "SymmetricSigmoid",
  algorithm: "fahlman"
}

export const epochsMax = (h: Pick<HyperParameters, "output_epochs" | "max_iterations" | "max_hidden_units" | "candidate_epochs">): number =>
  h.output_epochs + Math.min(h.max_iterations, h.max_hidden_units) * (h.candidate_epochs + h.output_epochs)

export const defaultsFor = (algorithm: AlgorithmName): HyperParameters => {
  const h = { ...contractDefaults, ...(algorithm === "fahlman" ? fahlmanDefaults : {}), algorithm }
  return { ...h, epochs_max: epochsMax(h) }
}

/** A network's configuration: serialisable (snapshots store it), independent of the engine objects. */
export interface NetworkConfig {
  readonly uuid: string
  readonly inputSize: number
  readonly outputSize: number
  readonly hyper: HyperParameters
  /** `engine_params` of the create request, applied after the mapping. */
  readonly engineOverrides: Readonly<Record<string, unknown>>
}

export const NetworkConfigSchema = Schema.Struct({
  uuid: Schema.String,
  inputSize: Schema.Int,
  outputSize: Schema.Int,
  hyper: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  engineOverrides: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

const activationMap: Record<string, HiddenActivation | undefined> = {
  Tanh: "tanh",
  Sigmoid: "sigmoid",
  SymmetricSigmoid: "symmetricSigmoid",
  Gaussian: "gaussian"
}

/** The engine's input parameters for a configuration (before validation by the engine). */
export const engineInput = (c: NetworkConfig): CascorParamsInput => {
  const h = c.hyper
  const rounds = Math.min(h.max_iterations, h.max_hidden_units)
  const common = { algorithm: h.algorithm, seed: h.random_seed, poolSize: h.candidate_pool_size, rounds, maxUnits: 2 + c.inputSize + rounds }
  if (h.algorithm === "upstream")
    return {
      ...common,
      hiddenActivation: "tanh",
      outputActivation: "linear",
      upstream: {
        outputEpochs: h.output_epochs,
        outputLearningRate: h.learning_rate,
        candidateEpochs: h.candidate_epochs,
        candidateLearningRate: h.candidate_learning_rate,
        candidatePatience: h.candidate_patience,
        candidateImprovement: h.candidate_convergence_threshold,
        correlationThreshold: h.correlation_threshold,
        growthPatience: h.patience
      },
      ...(c.engineOverrides as CascorParamsInput)
    }
  return {
    ...common,
    hiddenActivation: activationMap[h.activation_function_name] ?? "symmetricSigmoid",
    outputEpsilon: h.learning_rate,
    inputEpsilon: h.candidate_learning_rate,
    outputPatience: h.patience,
    inputPatience: h.candidate_patience,
    outLimit: h.output_epochs,
    inLimit: h.candidate_epochs,
    outputChangeThreshold: h.convergence_threshold,
    inputChangeThreshold: h.candidate_convergence_threshold,
    ...(c.engineOverrides as CascorParamsInput)
  }
}

/** The engine parameters of a configuration, validated by the engine (a failure names the engine parameter). */
export const engineParams = (c: NetworkConfig, loc: ReadonlyArray<string> = ["body"]): Effect.Effect<CascorParams, SessionInvalid> =>
  decodeParams(engineInput(c)).pipe(
    Effect.mapError((e) => invalidField([...loc, "engine_params", ...e.parameter.split(".")], e.message))
  )

/** Selection validity (§3.3); P = pool size. */
export const selectionProblem = (h: HyperParameters): { field: string; msg: string } | null => {
  const P = h.candidate_pool_size
  const S = h.selected_candidates
  const T = h.top_candidates
  const R = h.random_candidates
  if (S < 1 || S > P) return { field: "selected_candidates", msg: `selected_candidates must be in [1, candidate_pool_size=${P}]` }
  if (T > S || R > S) return { field: T > S ? "top_candidates" : "random_candidates", msg: "top_candidates and random_candidates must be ≤ selected_candidates" }
  if (T === 0 && R === 0) return { field: "top_candidates", msg: "top_candidates and random_candidates cannot both be 0" }
  if (T === 0 && R !== S) return { field: "random_candidates", msg: "with top_candidates=0, random_candidates must equal selected_candidates" }
  if (R === 0 && T !== S) return { field: "top_candidates", msg: "with random_candidates=0, top_candidates must equal selected_candidates" }
  if (T > 0 && R > 0 && T + R !== S) return { field: "selected_candidates", msg: "top_candidates + random_candidates must equal selected_candidates" }
  return null
}

const activationProblem = (h: HyperParameters): string | null => {
  if (h.algorithm === "upstream") return h.activation_function_name === "Tanh" ? null : "the upstream algorithm uses Tanh hidden units only"
  return activationMap[h.activation_function_name] ? null : `not supported by the engine (supported: ${Object.keys(activationMap).join(", ")})`
}

const checkHyper = (h: HyperParameters, loc: ReadonlyArray<string>): Effect.Effect<void, SessionInvalid> => {
  const sel = selectionProblem(h)
  if (sel) return Effect.fail(invalidField([...loc, sel.field], sel.msg, (h as Record<string, unknown>)[sel.field]))
  const act = activationProblem(h)
  if (act) return Effect.fail(invalidField([...loc, "activation_function_name"], act, h.activation_function_name))
  return Effect.void
}

const definedEntries = (o: object): Array<[string, unknown]> => Object.entries(o).filter(([, v]) => v !== undefined)

/** A configuration from a create request (defaults per algorithm; sizes from the request or the data). */
export const configFromRequest = (
  req: NetworkCreateRequest,
  uuid: string,
  sizes: { readonly inputSize?: number; readonly outputSize?: number } = {}
): Effect.Effect<{ config: NetworkConfig; params: CascorParams }, SessionInvalid> =>
  Effect.gen(function* () {
    const algorithm = req.algorithm ?? "fahlman"
    const hyper: Mutable<HyperParameters> = { ...defaultsFor(algorithm) }
    const { input_size, output_size, engine_params, algorithm: _a, epochs_max: _e, ...rest } = req
    for (const [k, v] of definedEntries(rest)) (hyper as Record<string, unknown>)[k] = v
    hyper.epochs_max = epochsMax(hyper)
    yield* checkHyper(hyper, ["body"])
    const config: NetworkConfig = {
      uuid,
      inputSize: sizes.inputSize ?? input_size ?? 2,
      outputSize: sizes.outputSize ?? output_size ?? 2,
      hyper,
      engineOverrides: engine_params ?? {}
    }
    const params = yield* engineParams(config)
    return { config, params }
  })

/** The same configuration with other sizes (a network rebuilt from the data's dimensions). */
export const withSizes = (c: NetworkConfig, inputSize: number, outputSize: number): NetworkConfig => ({ ...c, inputSize, outputSize })

/** Keys that need a new network: refused mid-run (listed in `skipped`). */
const rebuildKeys = new Set(["activation_function_name", "init_output_weights"])

export interface PatchOutcome {
  readonly config: NetworkConfig
  readonly params: CascorParams
  readonly applied: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<SkippedParam>
}

/**
 * Merges a PATCH body into a configuration. `trained`: the network has trained (then keys that need a new network
 * are skipped). Invalid merged values → 422 and nothing is applied.
 */
export const patchConfig = (c: NetworkConfig, body: TrainingParams, trained: boolean): Effect.Effect<PatchOutcome, SessionInvalid> =>
  Effect.gen(function* () {
    const hyper: Mutable<HyperParameters> = { ...c.hyper }
    const applied: Array<string> = []
    const skipped: Array<SkippedParam> = []
    for (const [k, v] of definedEntries(body)) {
      if (k === "epochs_max") {
        skipped.push({ key: k, reason: "not-updatable" })
        continue
      }
      if (trained && rebuildKeys.has(k) && (hyper as Record<string, unknown>)[k] !== v) {
        skipped.push({ key: k, reason: "not-updatable-mid-run" })
        continue
      }
      ;(hyper as Record<string, unknown>)[k] = v
      applied.push(k)
    }
    hyper.epochs_max = epochsMax(hyper)
    yield* checkHyper(hyper, ["body"])
    const config = { ...c, hyper }
    const params = yield* engineParams(config)
    return { config, params, applied, skipped }
  })

/** Engine fields a running engine reads at the start of each phase (safe to change between phases). */
const liveEngineKeys = [
  "poolSize", "rounds", "maxUnits", "outputEpsilon", "inputEpsilon", "outputPatience", "inputPatience", "outLimit", "inLimit",
  "outputChangeThreshold", "inputChangeThreshold"
] as const

/**
 * Applies new parameters to a live run's parameter object, between phases: the trainers read `params` at the start
 * of each phase, so the change takes effect with the next phase (and is part of any later snapshot).
 */
export const applyLive = (target: CascorParams, next: CascorParams): void => {
  const t = target as Mutable<CascorParams>
  for (const k of liveEngineKeys) (t as Record<string, unknown>)[k] = next[k]
  // Never shrink below the units already installed: the trainer decides the end of the run from `rounds`.
  Object.assign(t.upstream as Mutable<CascorParams["upstream"]>, next.upstream)
}

/** Decodes a stored configuration (snapshots), re-validating it. */
export const decodeStoredConfig = (u: unknown): Either.Either<NetworkConfig, string> => {
  const r = Schema.decodeUnknownEither(NetworkConfigSchema)(u)
  if (Either.isLeft(r)) return Either.left(ParseResult.TreeFormatter.formatErrorSync(r.left))
  const hyper = { ...defaultsFor((r.right.hyper["algorithm"] as AlgorithmName) ?? "fahlman"), ...r.right.hyper } as HyperParameters
  return Either.right({ ...r.right, hyper })
}

export { CascorParams }
