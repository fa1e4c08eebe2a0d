/**
 * The compute kernels behind Cascade-Correlation training: the contract between the engine (TypeScript
 * orchestration) and the backends that run the hot loops (pure TypeScript, native CPU, native CUDA).
 *
 * One call runs one whole training phase (all its epochs, the Quickprop updates and the patience test), so
 * a native backend crosses the JS boundary once per phase, never per epoch. Arrays are float32, row-major.
 * Every backend must implement exactly the formulas of shared/reference/cascade-correlation.md (A.3–A.7);
 * the equivalence tests compare them on random states.
 */

/** Activation codes shared with the native addon (native/src/kernel.h uses the same numbers). */
export const Activation = {
  /** 1/(1+e^-x) - 0.5, clamped at |x| > 15; f' = 0.25 - v² */
  symmetricSigmoid: 0,
  /** 1/(1+e^-x), same clamp; f' = v(1-v) */
  sigmoid: 1,
  /** tanh(x); f' = 1 - v² */
  tanh: 2,
  /** x; f' = 1 (outputs only) */
  linear: 3,
  /** e^(-x²/2), 0 when -x²/2 < -75; f' = -x·v (hidden only) */
  gaussian: 4
} as const
export type ActivationCode = (typeof Activation)[keyof typeof Activation]

/** Why a phase ended. */
export const PhaseEnd = { win: 0, stagnant: 1, timeout: 2 } as const
export type PhaseEndCode = (typeof PhaseEnd)[keyof typeof PhaseEnd]

/** Quickprop + patience settings of one phase (A.4–A.6). */
export interface PhaseSettings {
  /** OutputEpsilon or InputEpsilon as configured; the kernel applies the scaling (÷P for outputs, ÷(P·K) for candidates). */
  readonly epsilon: number
  readonly mu: number
  readonly decay: number
  /** 0 disables the patience test. */
  readonly patience: number
  readonly changeThreshold: number
  readonly maxEpochs: number
}

/**
 * Candidate phase (A.6, faithful objective). X is the values cache with row stride `ldx` ≥ K (column 0 = bias +1,
 * then inputs, then installed hidden units); E is the errors cache (P×O) of the last output epoch; `errMean[o]` =
 * SumErrors[o]/P; `sse` = SumSqError of that epoch. `weights` (C×K) holds the initial pool weights (the caller draws
 * them from the seed, so every backend starts from the same point).
 */
export interface CandidatePhaseInput {
  readonly P: number
  readonly K: number
  readonly O: number
  readonly C: number
  readonly ldx: number
  readonly X: Float32Array
  readonly E: Float32Array
  readonly errMean: Float32Array
  readonly sse: number
  readonly weights: Float32Array
  readonly activation: ActivationCode
  readonly settings: PhaseSettings
  /** Threads for the native CPU path; 0 = all cores. Ignored elsewhere. */
  readonly threads?: number
  /**
   * Optional (added by the engine). The centring of the correlation in adjust: "fahlman" (default, faithful)
   * cor = (CC − avg·Ē)/SSE; "textbook" cor = (CC − P·avg·Ē)/SSE. A backend that does not implement "textbook" must
   * throw rather than silently use the faithful form.
   */
  readonly meanCorrection?: "fahlman" | "textbook"
  /**
   * Optional (added by the engine, used by split candidate pools, see engine/candidate-job.ts). When present
   * (length ≥ C·(maxEpochs+1)), the kernel writes the C scores of every adjust: row 0 = the bootstrap epoch, row i+1 =
   * training epoch i. Rows after the last epoch run are left untouched. A backend that cannot fill it must throw.
   */
  readonly scoreTrace?: Float32Array
}

export interface CandidatePhaseOutput {
  /** C×K trained weights: the weights after the last update (the installed unit copies its row). */
  readonly weights: Float32Array
  /** C×O correlations of the last adjust (prevCor); the install rule uses row `best`. */
  readonly correlations: Float32Array
  /** C scores of the last adjust. */
  readonly scores: Float32Array
  readonly best: number
  readonly bestScore: number
  /** Epochs counted, the bootstrap epoch included. */
  readonly epochs: number
  readonly end: PhaseEndCode
}

/**
 * Output phase (A.5). `weights` (O×K), `deltas` and `prevSlopes` (O×K) are the output Quickprop state, updated in
 * place (it carries over between phases). `targets` is P×O. On return `errors` (P×O) holds E of the last epoch's
 * forward pass (the faithful "stale errors"), `errSums` (O) SumErrors and the output holds SSE.
 */
export interface OutputPhaseInput {
  readonly P: number
  readonly K: number
  readonly O: number
  readonly ldx: number
  readonly X: Float32Array
  readonly targets: Float32Array
  readonly weights: Float32Array
  readonly deltas: Float32Array
  readonly prevSlopes: Float32Array
  readonly errors: Float32Array
  readonly errSums: Float32Array
  readonly activation: ActivationCode
  readonly sigmoidPrimeOffset: number
  readonly scoreThreshold: number
  readonly settings: PhaseSettings
  /**
   * Per-epoch history, written by the kernel: trueError (Σ dif²) and errorBits of every epoch run, so the engine can
   * publish epoch metrics after the phase. Length ≥ 2·(maxEpochs + 1). Layout (engine convention): interleaved,
   * history[2i] = trueError of epoch i, history[2i+1] = errorBits of epoch i, for i < epochsRun.
   */
  readonly history: Float32Array
}

export interface OutputPhaseOutput {
  /** Epochs that updated weights (the victory epoch is not counted). */
  readonly epochs: number
  /** Epochs run, the victory epoch included (rows written to history). */
  readonly epochsRun: number
  readonly end: PhaseEndCode
  readonly errorBits: number
  readonly trueError: number
  readonly sse: number
}

/** Which implementation runs the kernels. */
export type BackendName = "ts" | "cpu" | "cuda"

/** A backend: the two phase kernels plus the cache-column fill of an install (A.7 step 4). */
export interface Kernels {
  readonly backend: BackendName
  readonly candidatePhase: (input: CandidatePhaseInput) => CandidatePhaseOutput
  /** Same as candidatePhase but off the event loop (native: a worker thread; ts: runs inline). */
  readonly candidatePhaseAsync: (input: CandidatePhaseInput) => Promise<CandidatePhaseOutput>
  readonly outputPhase: (input: OutputPhaseInput) => OutputPhaseOutput
  /** X[p][K] = f(Σ_i X[p][i]·w[i]) for all p: appends the new unit's column in place (ldx > K required). */
  readonly fillColumn: (X: Float32Array, P: number, K: number, ldx: number, w: Float32Array, activation: ActivationCode) => void
}
