// The split procedure of data-api §5.1: a second, fresh default_rng(seed) permutes the rows; counts are
// round-half-even; slices are train | val | test; X_full/y_full stay in generation order.
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

const gatherRows = (src: Float32Array, cols: number, rows: Int32Array, from: number, count: number): Matrix => {
  const data = new Float32Array(count * cols)
  if (cols === 2) {
    for (let r = 0; r < count; r++) {
      const s = rows[from + r]! * 2
      data[2 * r] = src[s]!
      data[2 * r + 1] = src[s + 1]!
    }
  } else {
    for (let r = 0; r < count; r++) data.set(src.subarray(rows[from + r]! * cols, (rows[from + r]! + 1) * cols), r * cols)
  }
  return { data, rows: count, cols }
}

const gatherOneHot = (labels: Uint8Array, nClasses: number, rows: Int32Array, from: number, count: number): Matrix => {
  const data = new Float32Array(count * nClasses)
  for (let r = 0; r < count; r++) data[r * nClasses + labels[rows[from + r]!]!] = 1
  return { data, rows: count, cols: nClasses }
}

export const splitDataset = (raw: RawDataset, p: SplitParams): GeneratedDataset => {
  const n = raw.nSamples
  const F = raw.nFeatures
  const C = raw.nClasses
  let order: Int32Array
  if (p.shuffle) order = defaultRng(p.seed).permutation(n)
  else {
    order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
  }
  const { nTrain, nVal, nTest } = splitCounts(n, p)
  const identity = new Int32Array(n)
  for (let i = 0; i < n; i++) identity[i] = i
  const counts = new Array<number>(C).fill(0)
  for (let i = 0; i < n; i++) counts[raw.labels[i]!]!++
  const classDistribution: Record<string, number> = {}
  counts.forEach((c, k) => {
    if (c > 0) classDistribution[String(k)] = c
  })
  return {
    arrays: {
      X_train: gatherRows(raw.X, F, order, 0, nTrain),
      y_train: gatherOneHot(raw.labels, C, order, 0, nTrain),
      X_test: gatherRows(raw.X, F, order, nTrain + nVal, nTest),
      y_test: gatherOneHot(raw.labels, C, order, nTrain + nVal, nTest),
      X_full: { data: raw.X, rows: n, cols: F },
      y_full: gatherOneHot(raw.labels, C, identity, 0, n),
      X_val: gatherRows(raw.X, F, order, nTrain, nVal),
      y_val: gatherOneHot(raw.labels, C, order, nTrain, nVal)
    },
    nFeatures: F,
    nClasses: C,
    nTrain,
    nVal,
    nTest,
    classDistribution
  }
}
