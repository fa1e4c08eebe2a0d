// The training-parameter table (canopy-ui §6): keys, UI bounds, defaults, and the sidebar section each belongs to.
// Canopy clamps to the same bounds server-side; the browser refuses out-of-bounds values before sending.

export type ParamGroup = "network" | "dataset" | "candidates"

interface Base {
  readonly key: string
  readonly label: string
  readonly group: ParamGroup
  readonly help: string
}
export interface NumberParam extends Base {
  readonly kind: "int" | "float"
  readonly min: number
  readonly max: number
  readonly default: number
  /** Read-only on the server (reported skipped): shown, not editable. */
  readonly readOnly?: boolean
}
export interface EnumParam extends Base {
  readonly kind: "enum"
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly default: string
}
export interface BoolParam extends Base {
  readonly kind: "bool"
  readonly default: boolean
}
export type ParamDef = NumberParam | EnumParam | BoolParam

const opts = (...vs: string[]) => vs.map((v) => ({ value: v, label: v }))

export const OPTIMIZERS = ["Adam", "AdamW", "SGD", "RMSprop", "NAdam", "RAdam", "Adamax", "Adagrad", "Adadelta", "Adafactor", "ASGD", "LBFGS", "Rprop", "Muon"]
export const ACTIVATIONS = ["Tanh", "Sigmoid", "SymmetricSigmoid", "Gaussian", "Identity", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU", "Softplus", "Hardtanh"]

export const PARAMS: ReadonlyArray<ParamDef> = [
  { key: "nn_max_iterations", label: "Max iterations", group: "network", kind: "int", min: 1, max: 1_000_000, default: 1000, help: "Growth iterations before training stops (max_iterations)." },
  { key: "nn_max_total_epochs", label: "Max total epochs", group: "network", kind: "int", min: 10, max: 1e11, default: 1_000_000, readOnly: true, help: "Upper bound on inner epochs (epochs_max, read-only on cascor)." },
  { key: "nn_output_epochs", label: "Output epochs", group: "network", kind: "int", min: 1, max: 1_000_000, default: 25, help: "Epochs of each output-layer training pass." },
  { key: "nn_init_output_weights", label: "Init output weights", group: "network", kind: "enum", options: opts("zero", "random"), default: "zero", help: "Initial output weights of a new network." },
  { key: "nn_optimizer_type", label: "Optimizer", group: "network", kind: "enum", options: opts(...OPTIMIZERS), default: "Adam", help: "Optimizer of the output layer." },
  { key: "nn_activation_function", label: "Activation", group: "network", kind: "enum", options: opts(...ACTIVATIONS), default: "Tanh", help: "Activation of hidden units." },
  { key: "nn_learning_rate", label: "Learning rate", group: "network", kind: "float", min: 0.0001, max: 1.0, default: 0.01, help: "Output-layer learning rate." },
  { key: "nn_max_hidden_units", label: "Max hidden units", group: "network", kind: "int", min: 0, max: 10_000, default: 1000, help: "Growth stops at this many hidden units." },
  { key: "nn_multi_node_layers", label: "Multi-node layers", group: "network", kind: "bool", default: false, help: "Install several units per growth step." },
  { key: "nn_growth_trigger", label: "Growth trigger", group: "network", kind: "enum", options: opts("convergence", "preset_epochs"), default: "convergence", help: "When the output phase ends and a unit is grown." },
  { key: "nn_growth_preset_epochs", label: "Growth preset epochs", group: "network", kind: "int", min: 1, max: 10_000, default: 50, help: "Output epochs per step with the preset_epochs trigger." },
  { key: "nn_growth_convergence_threshold", label: "Growth convergence threshold", group: "network", kind: "float", min: 0.0001, max: 0.1, default: 0.001, help: "Minimum improvement that counts as progress." },
  { key: "nn_patience", label: "Patience", group: "network", kind: "int", min: 1, max: 500, default: 50, help: "Iterations without improvement before early stop." },
  { key: "nn_spiral_rotations", label: "Spiral rotations", group: "dataset", kind: "float", min: 0.5, max: 5.0, default: 1.5, help: "Spiral dataset n_rotations." },
  { key: "nn_spiral_number", label: "Spiral arms", group: "dataset", kind: "int", min: 1, max: 10, default: 2, help: "Spiral dataset n_spirals (JuniperData needs ≥ 2)." },
  { key: "nn_dataset_elements", label: "Dataset size", group: "dataset", kind: "int", min: 50, max: 50_000, default: 1000, help: "Number of samples." },
  { key: "nn_dataset_noise", label: "Dataset noise", group: "dataset", kind: "float", min: 0.0, max: 1.0, default: 0.25, help: "Dataset noise level." },
  { key: "cn_pool_size", label: "Pool size", group: "candidates", kind: "int", min: 1, max: 500, default: 100, help: "Candidates trained per growth step." },
  { key: "cn_correlation_threshold", label: "Correlation threshold", group: "candidates", kind: "float", min: 0.00001, max: 0.1, default: 0.001, help: "Minimum correlation to install a candidate." },
  { key: "cn_selected_candidates", label: "Selected candidates", group: "candidates", kind: "int", min: 1, max: 50, default: 1, help: "Candidates installed per step (S)." },
  { key: "cn_training_complete", label: "Pool-complete trigger", group: "candidates", kind: "enum", options: opts("preset_epochs", "convergence"), default: "preset_epochs", help: "When candidate training ends." },
  { key: "cn_training_iterations", label: "Candidate iterations", group: "candidates", kind: "int", min: 10, max: 5000, default: 500, help: "Candidate epochs (candidate_epochs)." },
  { key: "cn_training_convergence_threshold", label: "Candidate convergence threshold", group: "candidates", kind: "float", min: 0.000001, max: 0.01, default: 0.0001, help: "Candidate convergence threshold." },
  { key: "cn_patience", label: "Candidate patience", group: "candidates", kind: "int", min: 1, max: 500, default: 30, help: "Candidate epochs without improvement before a candidate stops." },
  { key: "cn_multi_candidate", label: "Multi-candidate", group: "candidates", kind: "bool", default: false, help: "Select several candidates per step." },
  { key: "cn_candidate_selection", label: "Selection", group: "candidates", kind: "enum", options: [{ value: "top", label: "top_tier" }, { value: "random", label: "random" }], default: "top", help: "How candidates are selected (top_tier is sent as top)." },
  { key: "cn_top_candidates", label: "Top candidates (T)", group: "candidates", kind: "int", min: 1, max: 20, default: 1, help: "Top-ranked candidates selected." },
  { key: "cn_random_candidates", label: "Random candidates (R)", group: "candidates", kind: "int", min: 1, max: 20, default: 1, help: "Randomly selected candidates." }
]

export const PARAM_BY_KEY: ReadonlyMap<string, ParamDef> = new Map(PARAMS.map((p) => [p.key, p]))

export const GROUP_TITLES: Readonly<Record<ParamGroup, string>> = {
  network: "Neural Network",
  dataset: "Dataset",
  candidates: "Candidate Nodes"
}

/** A definition with the server's bounds applied (settings may move them: JUNIPER_CANOPY_TRAINING__<P>__MIN…). */
export const withBounds = (def: ParamDef, bound: { readonly min?: number | undefined; readonly max?: number | undefined; readonly default?: unknown; readonly options?: ReadonlyArray<string> | undefined } | undefined): ParamDef => {
  if (!bound) return def
  if (def.kind === "int" || def.kind === "float")
    return {
      ...def,
      ...(typeof bound.min === "number" ? { min: bound.min } : {}),
      ...(typeof bound.max === "number" ? { max: bound.max } : {}),
      ...(typeof bound.default === "number" ? { default: bound.default } : {})
    }
  if (def.kind === "enum" && bound.options?.length) {
    const labels = new Map(def.options.map((o) => [o.value, o.label]))
    return { ...def, options: bound.options.map((v) => ({ value: v, label: labels.get(v) ?? v })), ...(typeof bound.default === "string" ? { default: bound.default } : {}) }
  }
  return def
}
