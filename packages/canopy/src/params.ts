/**
 * The training parameters of the sidebar and `/api/set_params` (canopy-ui §6): the bounds table, the mapping to
 * JuniperCascor's TrainingParams fields, legacy key aliases, and the validation that turns a request body into
 * clamped values plus a list of problems. Pure (no Effect services), so the dashboard could reuse it.
 */

export type ParamType = "int" | "float" | "enum" | "bool" | "string"

export interface ParamSpec {
  readonly key: string
  readonly type: ParamType
  readonly min?: number
  readonly max?: number
  readonly default: number | string | boolean
  readonly options?: ReadonlyArray<string>
  /** The cascor TrainingParams field, or null when Canopy keeps the value itself (dataset keys) or has no target. */
  readonly cascor: string | null
  /** Kept by Canopy (dataset settings for the next dataset), not sent to the backend. */
  readonly local?: boolean
  /** Reported `skipped` with reason `not-updatable` (cascor derives it). */
  readonly readOnly?: boolean
  /** Short names accepted in `JUNIPER_CANOPY_TRAINING__<PARAM>__…` besides the key itself. */
  readonly envAliases?: ReadonlyArray<string>
}

export const OPTIMIZERS = [
  "Adam", "AdamW", "SGD", "RMSprop", "NAdam", "RAdam", "Adamax", "Adagrad", "Adadelta", "Adafactor", "ASGD", "LBFGS", "Rprop", "Muon"
] as const
export const ACTIVATIONS = [
  "Identity", "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU", "Softmax", "Softplus", "Hardtanh", "Softshrink", "Tanhshrink"
] as const

/** §6, in the table's order. */
export const PARAM_SPECS: ReadonlyArray<ParamSpec> = [
  { key: "nn_max_iterations", type: "int", min: 1, max: 1_000_000, default: 1000, cascor: "max_iterations", envAliases: ["MAX_ITERATIONS"] },
  { key: "nn_max_total_epochs", type: "int", min: 10, max: 1e11, default: 1_000_000, cascor: "epochs_max", readOnly: true, envAliases: ["EPOCHS", "MAX_TOTAL_EPOCHS"] },
  { key: "nn_output_epochs", type: "int", min: 1, max: 1_000_000, default: 25, cascor: "output_epochs", envAliases: ["OUTPUT_EPOCHS"] },
  { key: "nn_learning_rate", type: "float", min: 0.0001, max: 1.0, default: 0.01, cascor: "learning_rate", envAliases: ["LEARNING_RATE"] },
  { key: "nn_max_hidden_units", type: "int", min: 0, max: 10_000, default: 1000, cascor: "max_hidden_units", envAliases: ["HIDDEN_UNITS", "MAX_HIDDEN_UNITS"] },
  { key: "nn_growth_preset_epochs", type: "int", min: 1, max: 10_000, default: 50, cascor: null, envAliases: ["GROWTH_PRESET_EPOCHS"] },
  { key: "nn_growth_convergence_threshold", type: "float", min: 0.0001, max: 0.1, default: 0.001, cascor: "convergence_threshold", envAliases: ["GROWTH_CONVERGENCE_THRESHOLD"] },
  { key: "nn_patience", type: "int", min: 1, max: 500, default: 50, cascor: "patience", envAliases: ["PATIENCE"] },
  { key: "nn_spiral_rotations", type: "float", min: 0.5, max: 5.0, default: 1.5, cascor: null, local: true, envAliases: ["SPIRAL_ROTATIONS"] },
  { key: "nn_spiral_number", type: "int", min: 1, max: 10, default: 2, cascor: null, local: true, envAliases: ["SPIRAL_NUMBER"] },
  { key: "nn_dataset_elements", type: "int", min: 50, max: 50_000, default: 1000, cascor: null, local: true, envAliases: ["DATASET_ELEMENTS"] },
  { key: "nn_dataset_noise", type: "float", min: 0.0, max: 1.0, default: 0.25, cascor: null, local: true, envAliases: ["DATASET_NOISE"] },
  { key: "cn_pool_size", type: "int", min: 1, max: 500, default: 100, cascor: "candidate_pool_size", envAliases: ["POOL_SIZE"] },
  { key: "cn_correlation_threshold", type: "float", min: 0.00001, max: 0.1, default: 0.001, cascor: "correlation_threshold", envAliases: ["CORRELATION_THRESHOLD"] },
  { key: "cn_selected_candidates", type: "int", min: 1, max: 50, default: 1, cascor: "selected_candidates", envAliases: ["SELECTED_CANDIDATES"] },
  { key: "cn_patience", type: "int", min: 1, max: 500, default: 30, cascor: "candidate_patience", envAliases: ["CANDIDATE_PATIENCE"] },
  { key: "cn_training_iterations", type: "int", min: 10, max: 5000, default: 500, cascor: "candidate_epochs", envAliases: ["TRAINING_ITERATIONS", "CANDIDATE_EPOCHS"] },
  { key: "cn_training_convergence_threshold", type: "float", min: 0.000001, max: 0.01, default: 0.0001, cascor: "candidate_convergence_threshold", envAliases: ["TRAINING_CONVERGENCE_THRESHOLD"] },
  { key: "cn_top_candidates", type: "int", min: 1, max: 20, default: 1, cascor: "top_candidates", envAliases: ["TOP_CANDIDATES"] },
  { key: "cn_random_candidates", type: "int", min: 1, max: 20, default: 1, cascor: "random_candidates", envAliases: ["RANDOM_CANDIDATES"] },
  { key: "nn_init_output_weights", type: "enum", options: ["zero", "random"], default: "zero", cascor: "init_output_weights" },
  { key: "nn_optimizer_type", type: "enum", options: OPTIMIZERS, default: "Adam", cascor: "optimizer_type" },
  { key: "nn_activation_function", type: "enum", options: ACTIVATIONS, default: "Tanh", cascor: "activation_function_name" },
  { key: "nn_growth_trigger", type: "enum", options: ["convergence", "preset_epochs"], default: "convergence", cascor: null },
  { key: "cn_training_complete", type: "enum", options: ["preset_epochs", "convergence"], default: "preset_epochs", cascor: null },
  { key: "cn_candidate_selection", type: "enum", options: ["top", "random"], default: "top", cascor: "candidate_selection" },
  { key: "nn_multi_node_layers", type: "bool", default: false, cascor: null },
  { key: "cn_multi_candidate", type: "bool", default: false, cascor: "multi_candidate" },
  { key: "nn_dataset_type", type: "string", default: "spiral", cascor: null, local: true }
]

export const PARAM_BY_KEY: ReadonlyMap<string, ParamSpec> = new Map(PARAM_SPECS.map((s) => [s.key, s]))

/** Legacy request keys (upstream's sidebar before the nn_/cn_ prefixes). */
export const LEGACY_KEYS: Readonly<Record<string, string>> = {
  learning_rate: "nn_learning_rate",
  max_hidden_units: "nn_max_hidden_units",
  max_epochs: "nn_max_total_epochs",
  patience: "nn_patience",
  spiral_rotations: "nn_spiral_rotations",
  convergence_threshold: "nn_growth_convergence_threshold",
  convergence_enabled: "nn_growth_trigger"
}

/** Input aliases of enum values: the UI label `top_tier` is cascor's `top` (§6, §9). */
const ENUM_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cn_candidate_selection: { top_tier: "top", "top tier": "top" },
  nn_dataset_type: { spirals: "spiral", two_spiral: "spiral", two_spirals: "spiral" }
}

export type ParamValue = number | string | boolean
export type ParamValues = Readonly<Record<string, ParamValue>>

/** The defaults of the (possibly overridden) table. */
export const defaultValues = (specs: ReadonlyArray<ParamSpec> = PARAM_SPECS): Record<string, ParamValue> =>
  Object.fromEntries(specs.map((s) => [s.key, s.default]))

export interface ParamProblem {
  readonly key: string
  readonly message: string
  readonly input: unknown
}

export interface Clamped {
  readonly key: string
  readonly requested: unknown
  readonly applied: unknown
}

export interface ParsedParams {
  /** Valid values under their `nn_*`/`cn_*` keys, clamped into the bounds. */
  readonly values: Record<string, ParamValue>
  readonly clamped: ReadonlyArray<Clamped>
  /** Keys that are not parameters (reported `skipped`, reason `unknown-key`). */
  readonly unknown: ReadonlyArray<string>
  /** Values of the wrong type or outside an enumeration: the request is refused (422). */
  readonly problems: ReadonlyArray<ParamProblem>
}

const numberFrom = (v: unknown): number | null => {
  if (typeof v === "number") return Number.isFinite(v) ? v : null
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v)
  return null
}

/**
 * Reads a set_params body: aliases resolved, numbers clamped to the bounds (ints rounded), enums and booleans
 * checked. Never throws.
 */
export const parseParams = (body: Readonly<Record<string, unknown>>, specs: ReadonlyMap<string, ParamSpec> = PARAM_BY_KEY): ParsedParams => {
  const values: Record<string, ParamValue> = {}
  const clamped: Array<Clamped> = []
  const unknown: Array<string> = []
  const problems: Array<ParamProblem> = []
  for (const [rawKey, raw] of Object.entries(body)) {
    if (raw === undefined) continue
    let key = rawKey
    let input: unknown = raw
    if (!specs.has(key) && LEGACY_KEYS[key]) {
      key = LEGACY_KEYS[key]!
      if (rawKey === "convergence_enabled") {
        if (typeof raw !== "boolean") {
          problems.push({ key: rawKey, message: "must be a boolean", input: raw })
          continue
        }
        input = raw ? "convergence" : "preset_epochs"
      }
    }
    const spec = specs.get(key)
    if (!spec) {
      unknown.push(rawKey)
      continue
    }
    switch (spec.type) {
      case "int":
      case "float": {
        const n = numberFrom(input)
        if (n === null) {
          problems.push({ key: rawKey, message: `must be a finite number${spec.min !== undefined ? ` in [${spec.min}, ${spec.max}]` : ""}`, input })
          continue
        }
        let v = spec.type === "int" ? Math.round(n) : n
        if (spec.min !== undefined && v < spec.min) v = spec.min
        if (spec.max !== undefined && v > spec.max) v = spec.max
        if (v !== n) clamped.push({ key, requested: input, applied: v })
        values[key] = v
        break
      }
      case "bool": {
        if (typeof input === "boolean") values[key] = input
        else if (input === "true" || input === "false") values[key] = input === "true"
        else problems.push({ key: rawKey, message: "must be a boolean", input })
        break
      }
      case "enum": {
        const s = typeof input === "string" ? (ENUM_ALIASES[key]?.[input.toLowerCase()] ?? input) : null
        const match = s === null ? undefined : spec.options!.find((o) => o.toLowerCase() === s.toLowerCase())
        if (match === undefined) problems.push({ key: rawKey, message: `must be one of ${spec.options!.join(", ")}`, input })
        else values[key] = match
        break
      }
      case "string": {
        if (typeof input !== "string" || input.trim() === "" || input.length > 64 || !/^[A-Za-z0-9_.-]+$/.test(input.trim()))
          problems.push({ key: rawKey, message: "must be a generator name (letters, digits, _ . -)", input })
        else values[key] = ENUM_ALIASES[key]?.[input.trim().toLowerCase()] ?? input.trim()
        break
      }
    }
  }
  return { values, clamped, unknown, problems }
}

/**
 * Candidate-selection validity (§6; S selected, T top, R random, P pool), checked on the merged values when the
 * request touches any of them. Returns the offending key and why, or null.
 */
export const selectionProblem = (v: Readonly<Record<string, ParamValue>>): ParamProblem | null => {
  const P = Number(v["cn_pool_size"])
  const S = Number(v["cn_selected_candidates"])
  const T = Number(v["cn_top_candidates"])
  const R = Number(v["cn_random_candidates"])
  if (!v["cn_multi_candidate"]) return S >= 1 && S <= P ? null : { key: "cn_selected_candidates", message: `must be in [1, pool size ${P}]`, input: S }
  if (S < 1 || S > P) return { key: "cn_selected_candidates", message: `must be in [1, pool size ${P}]`, input: S }
  if (T > S || R > S) return { key: T > S ? "cn_top_candidates" : "cn_random_candidates", message: "top and random candidates must be ≤ selected candidates", input: T > S ? T : R }
  if (T === 0 && R === 0) return { key: "cn_top_candidates", message: "top and random candidates cannot both be 0", input: T }
  if (T > 0 && R > 0 && T + R !== S) return { key: "cn_selected_candidates", message: "top + random candidates must equal selected candidates", input: S }
  return null
}

/** The cascor TrainingParams body for the backend-bound values (local and unmapped keys left out). */
export const toCascorParams = (values: Readonly<Record<string, ParamValue>>, specs: ReadonlyMap<string, ParamSpec> = PARAM_BY_KEY): Record<string, ParamValue> => {
  const out: Record<string, ParamValue> = {}
  for (const [key, value] of Object.entries(values)) {
    const spec = specs.get(key)
    if (!spec || spec.cascor === null || spec.local) continue
    out[spec.cascor] = value
  }
  return out
}

/** The reverse: cascor hyper-parameters → `nn_*`/`cn_*` values (for /api/state's "current" column). */
export const fromCascorParams = (hyper: Readonly<Record<string, unknown>>, specs: ReadonlyArray<ParamSpec> = PARAM_SPECS): Record<string, ParamValue> => {
  const out: Record<string, ParamValue> = {}
  for (const spec of specs) {
    if (spec.cascor === null) continue
    const v = hyper[spec.cascor]
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[spec.key] = v
  }
  return out
}
