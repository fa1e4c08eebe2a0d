/** Shared fixtures of the backend tests: seeded kernel states, the addon (when built), comparison helpers. */
import type { ActivationCode, CandidatePhaseInput, OutputPhaseInput, PhaseSettings } from "../../src/engine/kernel.js"
import { Xoshiro128 } from "../../src/engine/rng/prng.js"
import { loadNativeAddon } from "../../src/backend/native-loader.js"
import type { NativeAddon } from "../../src/backend/native-loader.js"

const load = (() => {
  try {
    return loadNativeAddon({ ...process.env, JUNIPER_NATIVE_REQUIRED: undefined, JUNIPER_NATIVE_ADDON: undefined })
  } catch {
    return undefined
  }
})()

/** The addon when it is built (CI builds it; `it.runIf(built)` guards the native tests). */
export const addon: NativeAddon | undefined = load?.loaded ? load.addon : undefined
export const built = addon !== undefined
export const native = (): NativeAddon => {
  if (!addon) throw new Error("native addon not built")
  return addon
}

/** Kernel sets this machine runs (all of them are checked against the TS kernels). */
export const isas = (): ReadonlyArray<string> => (addon ? addon.info().isas.split(",") : [])

export const rng = (seed: number) => {
  const r = Xoshiro128.fromSeed(seed)
  return () => r.nextU32() / 2 ** 32
}

export interface Shape {
  readonly P: number
  readonly I: number
  readonly H: number
  readonly O: number
  readonly C: number
}

/**
 * A candidate-phase state like the trainer's: X = [1 | inputs | hidden values in ±0.5], E = output-prime-scaled
 * errors of a random net, Ē and SSE from E, pool weights uniform in ±1, row stride ldx = K + 3 (spare columns).
 */
export const candidateState = (
  shape: Shape,
  seed: number,
  settings: Partial<PhaseSettings> = {},
  activation: ActivationCode = 0
): CandidatePhaseInput => {
  const r = rng(seed)
  const { P, I, H, O, C } = shape
  const K = 1 + I + H
  const ldx = K + 3
  const X = new Float32Array(P * ldx)
  for (let p = 0; p < P; p++) {
    X[p * ldx] = 1
    for (let i = 1; i <= I; i++) X[p * ldx + i] = (r() * 2 - 1) * 3
    for (let h = 0; h < H; h++) X[p * ldx + 1 + I + h] = r() - 0.5
    for (let k = K; k < ldx; k++) X[p * ldx + k] = Number.NaN // never read: K columns only
  }
  const E = new Float32Array(P * O)
  for (let j = 0; j < E.length; j++) {
    const dif = r() - 0.5
    E[j] = dif * (0.25 - (r() - 0.5) ** 2 + 0.1)
  }
  const errMean = new Float32Array(O)
  let sse = 0
  for (let o = 0; o < O; o++) {
    let s = 0
    for (let p = 0; p < P; p++) {
      s += E[p * O + o]!
      sse += E[p * O + o]! ** 2
    }
    errMean[o] = s / P
  }
  const weights = new Float32Array(C * K).map(() => r() * 2 - 1)
  return {
    P, K, O, C, ldx, X, E, errMean, sse, weights, activation,
    settings: { epsilon: 100, mu: 2, decay: 0, patience: 8, changeThreshold: 0.03, maxEpochs: 100, ...settings }
  }
}

/** An output-phase state: X as above, targets ±0.5, output weights uniform in ±1 with zero Quickprop state. */
export const outputState = (
  shape: Omit<Shape, "C">,
  seed: number,
  settings: Partial<PhaseSettings> = {},
  activation: ActivationCode = 0
): OutputPhaseInput => {
  const r = rng(seed)
  const { P, I, H, O } = shape
  const K = 1 + I + H
  const ldx = K + 1
  const X = new Float32Array(P * ldx)
  for (let p = 0; p < P; p++) {
    X[p * ldx] = 1
    for (let i = 1; i <= I; i++) X[p * ldx + i] = (r() * 2 - 1) * 3
    for (let h = 0; h < H; h++) X[p * ldx + 1 + I + h] = r() - 0.5
  }
  const targets = new Float32Array(P * O).map(() => (r() < 0.5 ? -0.5 : 0.5))
  const s: PhaseSettings = { epsilon: 1, mu: 2, decay: 1e-4, patience: 12, changeThreshold: 0.01, maxEpochs: 100, ...settings }
  return {
    P, K, O, ldx, X, targets,
    weights: new Float32Array(O * K).map(() => r() * 2 - 1),
    deltas: new Float32Array(O * K),
    prevSlopes: new Float32Array(O * K),
    errors: new Float32Array(P * O),
    errSums: new Float32Array(O),
    activation,
    sigmoidPrimeOffset: 0.1,
    scoreThreshold: 0.4,
    settings: s,
    history: new Float32Array(2 * (s.maxEpochs + 1))
  }
}

/** A deep copy of an output-phase input (the phase updates its arrays in place). */
export const cloneOutput = (i: OutputPhaseInput): OutputPhaseInput => ({
  ...i,
  weights: i.weights.slice(),
  deltas: i.deltas.slice(),
  prevSlopes: i.prevSlopes.slice(),
  errors: i.errors.slice(),
  errSums: i.errSums.slice(),
  history: i.history.slice()
})

/** max |a − b| / max |b| (the error relative to the array's scale). */
export const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY
  let scale = 0
  let diff = 0
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!))
    const d = Math.abs(a[i]! - b[i]!)
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d)
  }
  return scale === 0 ? diff : diff / scale
}

/** max |a − b| / max(max |b|, floor): relative error with an absolute floor, for quantities that converge to 0. */
export const relErrFloor = (a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number => {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY
  let scale = floor
  let diff = 0
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!))
    const d = Math.abs(a[i]! - b[i]!)
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d)
  }
  return diff / scale
}

/** The gap between the best and the second-best score. */
export const top2Gap = (scores: Float32Array): number => {
  let a = Number.NEGATIVE_INFINITY
  let b = Number.NEGATIVE_INFINITY
  for (const s of scores) {
    if (s > a) {
      b = a
      a = s
    } else if (s > b) b = s
  }
  return a - b
}

/** Runs `f` with every kernel set of this machine forced in turn, restoring auto-detection afterwards. */
export const forEachIsa = (f: (isa: string) => void): void => {
  const a = native()
  try {
    for (const isa of isas()) {
      a.setIsa(isa)
      f(isa)
    }
  } finally {
    a.setIsa(null)
  }
}
