// The split procedure of data-api §5.1: a second, fresh default_rng(seed) permutes the rows; counts are
// round-half-even; slices are train | val | test; X_full/y_full stay in generation order.
import type { Pcg64Options } from "../rng/pcg64.js"
import { defaultRng } from "../rng/random.js"
import { roundHalfEven } from "./maths.js"
import type { SplitParams } from "./params.js"
import type { RawDataset } from "./types.js"

/** A 2-D float32 array, row-major. */
export interface Matrix {
  readonly data: Float32Array
  readonly rows: number
  readonly cols: number
}

/** The 8 tabular keys of the NPZ artifact, in the contract's member order (§8.2). */
export const TABULAR_KEYS = ["X_train", "y_train", "X_test", "y_test", "X_full", "y_full", "X_val", "y_val"] as const
export type TabularKey = (typeof TABULAR_KEYS)[number]

export interface GeneratedDataset {
  readonly arrays: Readonly<Record<TabularKey, Matrix>>
  readonly nFeatures: number
  readonly nClasses: number
  readonly nTrain: number
  readonly nVal: number
  readonly nTest: number
  /** Counts of argmax(y_full) for the classes present, keys in ascending class order. */
  readonly classDistribution: Readonly<Record<string, number>>
}

export interface SplitCounts {
  readonly nTrain: number
  readonly nVal: number
  readonly nTest: number
}

/** Counts per split; if they exceed N, test is trimmed first, then val. */
export const splitCounts = (n: number, p: Pick<SplitParams, "train_ratio" | "val_ratio" | "test_ratio">): SplitCounts => {
  const nTrain = Math.min(n, roundHalfEven(n * p.train_ratio))
  let nVal = roundHalfEven(n * p.val_ratio)
  let nTest = roundHalfEven(n * p.test_ratio)
  let excess = nTrain + nVal + nTest - n
  if (excess > 0) {
    const t = Math.min(excess, nTest)
    nTest -= t
    excess -= t
    nVal -= Math.min(excess, nVal)
  }
  return { nTrain, nVal, nTest }
}

const CHUNK = 8192

// Hot loops in small functions called per chunk: V8 optimizes them as whole functions (see spiral.ts).
const gatherChunk = (raw: RawDataset, order: Int32Array, from: number, X: Float32Array, y: Float32Array, r0: number, r1: number): void => {
  const F = raw.nFeatures
  const C = raw.nClasses
  const src = raw.X
  const labels = raw.labels
  if (F === 2) {
    for (let r = r0; r < r1; r++) {
      const i = order[from + r]!
      X[2 * r] = src[2 * i]!
      X[2 * r + 1] = src[2 * i + 1]!
      y[r * C + labels[i]!] = 1
    }
  } else {
    for (let r = r0; r < r1; r++) {
      const i = order[from + r]!
      for (let f = 0; f < F; f++) X[r * F + f] = src[i * F + f]!
      y[r * C + labels[i]!] = 1
    }
  }
}

/** Rows `order[from, from+count)` of X and their one-hot labels, in one pass over the permutation. */
const gather = (raw: RawDataset, order: Int32Array, from: number, count: number): [Matrix, Matrix] => {
  const X = new Float32Array(count * raw.nFeatures)
  const y = new Float32Array(count * raw.nClasses)
  for (let r = 0; r < count; r += CHUNK) gatherChunk(raw, order, from, X, y, r, Math.min(count, r + CHUNK))
  return [{ data: X, rows: count, cols: raw.nFeatures }, { data: y, rows: count, cols: raw.nClasses }]
}

const oneHotChunk = (labels: Uint8Array, C: number, y: Float32Array, counts: Int32Array, i0: number, i1: number): void => {
  for (let i = i0; i < i1; i++) {
    const c = labels[i]!
    y[i * C + c] = 1
    counts[c]!++
  }
}

/** `rngOptions` picks the bit-generator backend for the permutation (benchmarks; results are identical). */
export const splitDataset = (raw: RawDataset, p: SplitParams, rngOptions: Pcg64Options = {}): GeneratedDataset => {
  const n = raw.nSamples
  const F = raw.nFeatures
  const C = raw.nClasses
  let order: Int32Array
  if (p.shuffle) order = defaultRng(p.seed, rngOptions).permutation(n)
  else {
    order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
  }
  const { nTrain, nVal, nTest } = splitCounts(n, p)
  const yFull = new Float32Array(n * C)
  const counts = new Int32Array(C)
  for (let i = 0; i < n; i += CHUNK) oneHotChunk(raw.labels, C, yFull, counts, i, Math.min(n, i + CHUNK))
  const classDistribution: Record<string, number> = {}
  counts.forEach((c, k) => {
    if (c > 0) classDistribution[String(k)] = c
  })
  const [X_train, y_train] = gather(raw, order, 0, nTrain)
  const [X_val, y_val] = gather(raw, order, nTrain, nVal)
  const [X_test, y_test] = gather(raw, order, nTrain + nVal, nTest)
  return {
    arrays: {
      X_train,
      y_train,
      X_test,
      y_test,
      X_full: { data: raw.X, rows: n, cols: F },
      y_full: { data: yFull, rows: n, cols: C },
      X_val,
      y_val
    },
    nFeatures: F,
    nClasses: C,
    nTrain,
    nVal,
    nTest,
    classDistribution
  }
}
