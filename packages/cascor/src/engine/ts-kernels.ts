/**
 * The pure-TypeScript backend ("ts"): the reference implementation of the kernel contract (kernel.ts) and the
 * fallback when no native addon loads. Every formula follows shared/reference/cascade-correlation.md A.2–A.7; the
 * comments name the rule each line implements, because native backends are tested against this file.
 *
 * Precision: weights, Quickprop state and correlations live in float32 arrays (as in both originals); sums run in
 * float64 (JS numbers). The reference states that double-precision accumulation has the same statistics.
 *
 * Speed: the whole pool is batched in one pass per epoch over the patterns (pattern-major, so a row of X is read
 * once per pattern for all candidates), with the one-pass sign trick of A.6 — roughly the D.5 "pure JS batched" row.
 */
import { Activation, PhaseEnd } from "./kernel.js"
import type {
  ActivationCode,
  CandidatePhaseInput,
  CandidatePhaseOutput,
  Kernels,
  OutputPhaseInput,
  OutputPhaseOutput,
  PhaseEndCode
} from "./kernel.js"
import { activate, derivative, outputPrime, SIGMOID_CLAMP } from "./math/activation.js"
import { candidatePatienceCheck, candidatePatienceStart, outputPatienceCheck, outputPatienceStart } from "./math/patience.js"
import { quickpropUpdate } from "./math/quickprop.js"

// ---------------------------------------------------------------------------------------------------------------
// Adjust (A.6): correlations, scores and the best candidate from the accumulators of one epoch.
// ---------------------------------------------------------------------------------------------------------------

/**
 * cor_co = (CC_co − avg_c·Ē_o)/SSE with avg_c = Σv_c/P (faithful), or (CC_co − P·avg_c·Ē_o)/SSE (textbook);
 * score_c = Σ_o |cor_co|; prevCor ← cor; CC ← 0; Σv ← 0. Returns the best index: strict `>` against a running best
 * that starts at score 0 and index 0, so ties keep the lowest index (and an all-zero pool picks 0).
 */
export const adjustCorrelations = (
  C: number,
  O: number,
  P: number,
  cc: Float64Array,
  sumV: Float64Array,
  errMean: Float32Array,
  sse: number,
  textbook: boolean,
  prevCor: Float32Array,
  scores: Float32Array
): number => {
  let best = 0
  let bestScore = 0
  for (let c = 0; c < C; c++) {
    const avg = sumV[c]! / P
    const centre = textbook ? P * avg : avg
    let score = 0
    for (let o = 0; o < O; o++) {
      const k = c * O + o
      const cor = (cc[k]! - centre * errMean[o]!) / sse
      prevCor[k] = cor
      cc[k] = 0
      score += Math.abs(cor)
    }
    sumV[c] = 0
    scores[c] = score
    if (scores[c]! > bestScore) {
      bestScore = scores[c]!
      best = c
    }
  }
  return best
}

// ---------------------------------------------------------------------------------------------------------------
// Candidate phase (A.6)
// ---------------------------------------------------------------------------------------------------------------

/** Read-only per-phase views of the inputs, laid out for the candidate pass. */
interface CandidateData {
  /** X transposed to K×P (column i of X is row i here), so the pass streams over patterns with no dependency chain. */
  readonly Xt: Float64Array
  /** E − Ē, P×O (the centred error the gradient uses). */
  readonly Ec: Float64Array
}

const candidateData = (input: CandidatePhaseInput): CandidateData => {
  const { P, K, O, ldx, X, E, errMean } = input
  const Xt = new Float64Array(K * P)
  for (let p = 0; p < P; p++) for (let i = 0; i < K; i++) Xt[i * P + p] = X[p * ldx + i]!
  const Ec = new Float64Array(P * O)
  for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) Ec[p * O + o] = E[p * O + o]! - errMean[o]!
  return { Xt, Ec }
}

/**
 * One pass over the patterns for the whole pool. Always: z = Σ_i X_pi·w_ci, v = f(z), Σv_c += v, CC_co += v·E_po.
 * When `train`: f′ from v (no offset), δ_pc = −Σ_o σ_co·f′·(E_po − Ē_o)/SSE with σ_co = sign of the previous epoch's
 * correlation (−1 if prevCor < 0, else +1), and slope_ci += δ_pc·X_pi (the slope is −∂S/∂w / SSE, so Quickprop's
 * "minimise" ascends S).
 *
 * Loop order: candidate-major over the transposed cache. Every sum still runs in the reference order (z over i from
 * 0, the accumulators over p from 0), so the result is the same as the pattern-by-pattern formulation, and each
 * candidate's arithmetic is independent of the pool size (required by split pools, candidate-job.ts).
 */
const candidatePass = (
  input: CandidatePhaseInput,
  data: CandidateData,
  W: Float32Array,
  sign: Float64Array,
  cc: Float64Array,
  sumV: Float64Array,
  slopes: Float64Array,
  z: Float64Array,
  fp: Float64Array,
  dl: Float64Array,
  train: boolean
): void => {
  const { P, K, O, C, E, sse, activation } = input
  const { Xt, Ec } = data
  const symmetric = activation === Activation.symmetricSigmoid
  for (let c = 0; c < C; c++) {
    const wo = c * K
    const co = c * O
    // Forward: z_p = Σ_i X_pi·w_ci, accumulated column by column (i = 0, 1, …) for all patterns at once.
    // Four columns per sweep; the additions stay in the order i = 0, 1, 2, … for every pattern.
    z.fill(0)
    let i0 = 0
    for (; i0 + 3 < K; i0 += 4) {
      const w0 = W[wo + i0]!
      const w1 = W[wo + i0 + 1]!
      const w2 = W[wo + i0 + 2]!
      const w3 = W[wo + i0 + 3]!
      const x0 = i0 * P
      const x1 = x0 + P
      const x2 = x1 + P
      const x3 = x2 + P
      for (let p = 0; p < P; p++) {
        z[p] = z[p]! + Xt[x0 + p]! * w0 + Xt[x1 + p]! * w1 + Xt[x2 + p]! * w2 + Xt[x3 + p]! * w3
      }
    }
    for (; i0 < K; i0++) {
      const w = W[wo + i0]!
      const xo = i0 * P
      for (let p = 0; p < P; p++) z[p] = z[p]! + Xt[xo + p]! * w
    }
    // Activation: v_p = f(z_p) and f′_p (no offset); Σv_c.
    let sv = 0
    for (let p = 0; p < P; p++) {
      const zp = z[p]!
      let v: number
      if (symmetric) {
        // The default unit inlined: 1/(1+e^−z) − 0.5 clamped at ±15, f′ = 0.25 − v².
        v = zp < -SIGMOID_CLAMP ? -0.5 : zp > SIGMOID_CLAMP ? 0.5 : 1 / (1 + Math.exp(-zp)) - 0.5
        fp[p] = 0.25 - v * v
      } else {
        v = activate(activation, zp)
        fp[p] = derivative(activation, v, zp)
      }
      z[p] = v // z now holds v
      sv += v
    }
    // Correlation accumulators: CC_co += Σ_p E_po·v_p (summed over p in order, from the epoch's zero).
    for (let o = 0; o < O; o++) {
      let acc = cc[co + o]!
      for (let p = 0; p < P; p++) acc += E[p * O + o]! * z[p]!
      cc[co + o] = acc
    }
    // δ_pc = −f′_p · Σ_o σ_co·(E_po − Ē_o) / SSE.
    if (train) {
      if (O === 1) {
        const sg = sign[co]!
        for (let p = 0; p < P; p++) dl[p] = -(fp[p]! * (sg * Ec[p]!)) / sse
      } else {
        for (let p = 0; p < P; p++) {
          let sigmaDotEc = 0
          for (let o = 0; o < O; o++) sigmaDotEc += sign[co + o]! * Ec[p * O + o]!
          dl[p] = -(fp[p]! * sigmaDotEc) / sse
        }
      }
    }
    sumV[c] = sumV[c]! + sv
    if (!train) continue
    // Slopes: slope_ci += Σ_p δ_pc·X_pi, two weights at a time (independent chains, each summed over p in order).
    let i = 0
    for (; i + 1 < K; i += 2) {
      let s0 = slopes[wo + i]!
      let s1 = slopes[wo + i + 1]!
      const x0 = i * P
      const x1 = x0 + P
      for (let p = 0; p < P; p++) {
        const d = dl[p]!
        s0 += d * Xt[x0 + p]!
        s1 += d * Xt[x1 + p]!
      }
      slopes[wo + i] = s0
      slopes[wo + i + 1] = s1
    }
    if (i < K) {
      let s0 = slopes[wo + i]!
      const x0 = i * P
      for (let p = 0; p < P; p++) s0 += dl[p]! * Xt[x0 + p]!
      slopes[wo + i] = s0
    }
  }
}

export const tsCandidatePhase = (input: CandidatePhaseInput): CandidatePhaseOutput => {
  const { P, K, O, C, settings } = input
  const textbook = input.meanCorrection === "textbook"
  const trace = input.scoreTrace
  const W = Float32Array.from(input.weights.subarray(0, C * K)) // the caller's initial pool stays untouched
  const deltas = new Float32Array(C * K)
  const prevSlopes = new Float32Array(C * K)
  const slopes = new Float64Array(C * K)
  const cc = new Float64Array(C * O)
  const sumV = new Float64Array(C)
  const prevCor = new Float32Array(C * O)
  const sign = new Float64Array(C * O)
  const scores = new Float32Array(C)
  const data = candidateData(input)
  const z = new Float64Array(P)
  const fp = new Float64Array(P)
  const dl = new Float64Array(P)
  // ε scaling (A.4): InputEpsilon / (P·K), K = the candidates' fan-in.
  const epsilon = settings.epsilon / (P * K)

  // Bootstrap epoch: correlations only (no slopes, signs unused), counted as an epoch.
  candidatePass(input, data, W, sign, cc, sumV, slopes, z, fp, dl, false)
  let best = adjustCorrelations(C, O, P, cc, sumV, input.errMean, input.sse, textbook, prevCor, scores)
  if (trace) trace.set(scores, 0)
  let epochs = 1
  let end: PhaseEndCode = PhaseEnd.timeout
  const patience = candidatePatienceStart(settings.maxEpochs)

  for (let i = 0; i < settings.maxEpochs; i++) {
    // σ comes from the previous epoch's correlation: the one-pass trick.
    for (let k = 0; k < C * O; k++) sign[k] = prevCor[k]! < 0 ? -1 : 1
    candidatePass(input, data, W, sign, cc, sumV, slopes, z, fp, dl, true)
    quickpropUpdate(W, deltas, prevSlopes, slopes, 0, C * K, epsilon, settings.decay, settings.mu)
    // The score read below was accumulated with the weights before this update; W now holds the updated weights.
    best = adjustCorrelations(C, O, P, cc, sumV, input.errMean, input.sse, textbook, prevCor, scores)
    if (trace) trace.set(scores, (i + 1) * C)
    epochs++
    const verdict = candidatePatienceCheck(patience, i, scores[best]!, settings.patience, settings.changeThreshold)
    if (verdict === "stagnant") {
      end = PhaseEnd.stagnant
      break
    }
  }
  return { weights: W, correlations: prevCor, scores, best, bestScore: scores[best]!, epochs, end }
}

// ---------------------------------------------------------------------------------------------------------------
// Output phase (A.5)
// ---------------------------------------------------------------------------------------------------------------

/** Statistics of one output epoch (A.3). */
interface OutputEpochStats {
  errorBits: number
  trueError: number
  sse: number
}

/** Per-phase scratch of the output phase: the transposed cache and per-epoch buffers. */
interface OutputScratch {
  /** X transposed to K×P (see candidateData). */
  readonly Xt: Float64Array
  /** Net inputs, O×P. */
  readonly Z: Float64Array
  /** Errors err_po, O×P (the transposed copy used for the slopes). */
  readonly Et: Float64Array
  readonly sums: Float64Array
}

/**
 * Forward pass from the cache plus the epoch statistics: y = f(Σ_i X_pi·W_oi); dif = y − t;
 * err = dif·(f′(y) + SigmoidPrimeOffset) (1 for linear outputs); ErrorBits counts |dif| > ScoreThreshold;
 * TrueError = Σ dif²; SumErrors_o = Σ_p err; SSE = Σ err²; E_po = err; slope_oi += err·X_pi.
 * Sums run over p (and o inside p) in order; z over i in order.
 */
const outputEpoch = (input: OutputPhaseInput, slopes: Float64Array, scratch: OutputScratch, out: OutputEpochStats): void => {
  const { P, K, O, targets, weights: W, errors, activation, sigmoidPrimeOffset, scoreThreshold } = input
  const { Xt, Z, Et, sums } = scratch
  const symmetric = activation === Activation.symmetricSigmoid
  Z.fill(0)
  for (let o = 0; o < O; o++) {
    const zo = o * P
    for (let i = 0; i < K; i++) {
      const w = W[o * K + i]!
      const xo = i * P
      for (let p = 0; p < P; p++) Z[zo + p] = Z[zo + p]! + Xt[xo + p]! * w
    }
  }
  let errorBits = 0
  let trueError = 0
  let sse = 0
  sums.fill(0)
  for (let p = 0; p < P; p++) {
    for (let o = 0; o < O; o++) {
      const z = Z[o * P + p]!
      let y: number
      let prime: number
      if (symmetric) {
        y = z < -SIGMOID_CLAMP ? -0.5 : z > SIGMOID_CLAMP ? 0.5 : 1 / (1 + Math.exp(-z)) - 0.5
        prime = 0.25 - y * y + sigmoidPrimeOffset
      } else {
        y = activate(activation, z)
        prime = outputPrime(activation, y, sigmoidPrimeOffset)
      }
      const dif = y - targets[p * O + o]!
      const err = dif * prime
      if (Math.abs(dif) > scoreThreshold) errorBits++
      trueError += dif * dif
      sums[o] = sums[o]! + err
      sse += err * err
      errors[p * O + o] = err
      Et[o * P + p] = err
    }
  }
  for (let o = 0; o < O; o++) {
    const eo = o * P
    for (let i = 0; i < K; i++) {
      const xo = i * P
      let s = slopes[o * K + i]!
      for (let p = 0; p < P; p++) s += Et[eo + p]! * Xt[xo + p]!
      slopes[o * K + i] = s
    }
  }
  out.errorBits = errorBits
  out.trueError = trueError
  out.sse = sse
}

export const tsOutputPhase = (input: OutputPhaseInput): OutputPhaseOutput => {
  const { P, K, O, settings, history } = input
  const slopes = new Float64Array(O * K)
  const Xt = new Float64Array(K * P)
  for (let p = 0; p < P; p++) for (let i = 0; i < K; i++) Xt[i * P + p] = input.X[p * input.ldx + i]!
  const scratch: OutputScratch = { Xt, Z: new Float64Array(O * P), Et: new Float64Array(O * P), sums: new Float64Array(O) }
  const stats: OutputEpochStats = { errorBits: 0, trueError: 0, sse: 0 }
  // ε scaling (A.4): OutputEpsilon / P.
  const epsilon = settings.epsilon / P
  const patience = outputPatienceStart(settings.patience)
  let updated = 0
  let run = 0
  let end: PhaseEndCode = PhaseEnd.timeout
  for (let i = 0; i < settings.maxEpochs; i++) {
    outputEpoch(input, slopes, scratch, stats)
    // Stale errors (A.5): E, SumErrors and SSE stay those of this forward pass, taken before the update below.
    for (let o = 0; o < O; o++) input.errSums[o] = scratch.sums[o]!
    history[2 * i] = stats.trueError
    history[2 * i + 1] = stats.errorBits
    run++
    if (stats.errorBits > 0) {
      quickpropUpdate(input.weights, input.deltas, input.prevSlopes, slopes, 0, O * K, epsilon, settings.decay, settings.mu)
      updated++
    }
    const verdict = outputPatienceCheck(
      patience, i, updated, stats.trueError, stats.errorBits, settings.patience, settings.changeThreshold
    )
    if (verdict === "win") {
      end = PhaseEnd.win
      break
    }
    if (verdict === "stagnant") {
      end = PhaseEnd.stagnant
      break
    }
  }
  return { epochs: updated, epochsRun: run, end, errorBits: stats.errorBits, trueError: stats.trueError, sse: stats.sse }
}

// ---------------------------------------------------------------------------------------------------------------
// Install (A.7 step 4)
// ---------------------------------------------------------------------------------------------------------------

/** X_pK = f(Σ_i X_pi·w_i) for every pattern: appends the new unit's cache column in place. */
export const tsFillColumn = (
  X: Float32Array,
  P: number,
  K: number,
  ldx: number,
  w: Float32Array,
  activation: ActivationCode
): void => {
  if (ldx <= K) throw new RangeError(`fillColumn: ldx (${ldx}) must exceed K (${K})`)
  for (let p = 0; p < P; p++) {
    const xo = p * ldx
    let z = 0
    for (let i = 0; i < K; i++) z += X[xo + i]! * w[i]!
    X[xo + K] = activate(activation, z)
  }
}

/** The "ts" backend. */
export const tsKernels: Kernels = {
  backend: "ts",
  candidatePhase: tsCandidatePhase,
  // On the event loop, but after a turn of it: I/O and queued WebSocket writes run before the phase blocks it.
  candidatePhaseAsync: (input) => new Promise((resolve) => setImmediate(resolve)).then(() => tsCandidatePhase(input)),
  outputPhase: tsOutputPhase,
  fillColumn: tsFillColumn
}
