/**
 * Metrics rows (§4.4): the 10,000-row history ring, and the evaluation of a network on a split (loss, accuracy and
 * the four classification scalars: binary for one output at the decision threshold, macro over argmax otherwise).
 */
import type { EvalMetrics, MetricsRow } from "../api/schema.js"
import { type Network, predict } from "../engine/network.js"

export const HISTORY_CAPACITY = 10_000

/** A fixed-capacity ring, oldest first. */
export class MetricsRing {
  private rows: Array<MetricsRow> = []
  private start = 0

  constructor(readonly capacity = HISTORY_CAPACITY) {}

  get size(): number {
    return this.rows.length
  }

  push(row: MetricsRow): void {
    if (this.rows.length < this.capacity) this.rows.push(row)
    else {
      this.rows[this.start] = row
      this.start = (this.start + 1) % this.capacity
    }
  }

  /** The last `n` rows (all when undefined), oldest first. */
  last(n?: number): Array<MetricsRow> {
    const all = this.start === 0 ? this.rows : [...this.rows.slice(this.start), ...this.rows.slice(0, this.start)]
    return n === undefined || n >= all.length ? [...all] : all.slice(all.length - n)
  }

  latest(): MetricsRow | undefined {
    if (this.rows.length === 0) return undefined
    return this.rows[(this.start + this.rows.length - 1) % this.rows.length]
  }

  clear(): void {
    this.rows = []
    this.start = 0
  }

  replace(rows: ReadonlyArray<MetricsRow>): void {
    this.clear()
    for (const r of rows) this.push(r)
  }
}

export interface Evaluation {
  readonly loss: number | null
  readonly accuracy: number | null
  readonly f1: number | null
  readonly precision: number | null
  readonly recall: number | null
  readonly roc_auc: number | null
  readonly eval: EvalMetrics
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null)

/** Area under the ROC curve of `scores` for the positive labels (ties share rank): Mann–Whitney U. */
export const rocAuc = (scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null => {
  const n = scores.length
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let pos = 0
  let rankSum = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++
    const rank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) if (positive[idx[k]!]) (pos++, (rankSum += rank))
    i = j + 1
  }
  const neg = n - pos
  if (pos === 0 || neg === 0) return null
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg)
}

interface Counts {
  tp: number
  fp: number
  fn: number
}
const prf = (c: Counts) => {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp)
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return { precision, recall, f1 }
}

/**
 * Evaluates a network on n rows: mean squared error (over n·O values, in the engine's target space), accuracy, and
 * the classification scalars. `threshold`: the single-output class threshold.
 */
export const evaluate = (
  net: Network,
  inputs: Float32Array,
  targets: Float32Array,
  n: number,
  threshold: number,
  split: "validation" | "train",
  enabled = true
): Evaluation => {
  const O = net.outputs
  const empty: EvalMetrics = { enabled, average: O === 1 ? "binary" : "macro", split, n_samples: n, n_classes: O === 1 ? 2 : O, undefined: null }
  if (n === 0) return { loss: null, accuracy: null, f1: null, precision: null, recall: null, roc_auc: null, eval: { ...empty, undefined: "empty_batch" } }
  const out = predict(net, inputs, n)
  let sq = 0
  for (let i = 0; i < n * O; i++) sq += (out[i]! - targets[i]!) ** 2
  const loss = finite(sq / (n * O))
  let invalid = false
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) invalid = true
  if (invalid) return { loss, accuracy: null, f1: null, precision: null, recall: null, roc_auc: null, eval: { ...empty, undefined: "invalid_output" } }
  // Class of each row: threshold for one output, argmax otherwise.
  const predicted = new Int32Array(n)
  const actual = new Int32Array(n)
  for (let p = 0; p < n; p++) {
    if (O === 1) {
      predicted[p] = out[p]! > threshold ? 1 : 0
      actual[p] = targets[p]! > threshold ? 1 : 0
    } else {
      let a = 0
      let t = 0
      for (let o = 1; o < O; o++) {
        if (out[p * O + o]! > out[p * O + a]!) a = o
        if (targets[p * O + o]! > targets[p * O + t]!) t = o
      }
      predicted[p] = a
      actual[p] = t
    }
  }
  let correct = 0
  for (let p = 0; p < n; p++) if (predicted[p] === actual[p]) correct++
  const accuracy = correct / n
  if (!enabled) return { loss, accuracy, f1: null, precision: null, recall: null, roc_auc: null, eval: empty }
  const classes = O === 1 ? 2 : O
  const present = new Set(Array.from(actual))
  if (present.size < 2) return { loss, accuracy, f1: null, precision: null, recall: null, roc_auc: null, eval: { ...empty, undefined: "single_class" } }
  if (O === 1) {
    const c: Counts = { tp: 0, fp: 0, fn: 0 }
    for (let p = 0; p < n; p++) {
      if (predicted[p] === 1 && actual[p] === 1) c.tp++
      else if (predicted[p] === 1) c.fp++
      else if (actual[p] === 1) c.fn++
    }
    const auc = rocAuc(out.subarray(0, n), Array.from(actual, (a) => a === 1))
    return { loss, accuracy, ...prf(c), roc_auc: auc, eval: empty }
  }
  let sp = 0
  let sr = 0
  let sf = 0
  let aucSum = 0
  let aucN = 0
  for (let k = 0; k < classes; k++) {
    const c: Counts = { tp: 0, fp: 0, fn: 0 }
    for (let p = 0; p < n; p++) {
      if (predicted[p] === k && actual[p] === k) c.tp++
      else if (predicted[p] === k) c.fp++
      else if (actual[p] === k) c.fn++
    }
    const m = prf(c)
    sp += m.precision
    sr += m.recall
    sf += m.f1
    const scores = new Float64Array(n)
    for (let p = 0; p < n; p++) scores[p] = out[p * O + k]!
    const auc = rocAuc(scores, Array.from(actual, (a) => a === k))
    if (auc !== null) (aucSum += auc), aucN++
  }
  return {
    loss,
    accuracy,
    precision: sp / classes,
    recall: sr / classes,
    f1: sf / classes,
    roc_auc: aucN > 0 ? aucSum / aucN : null,
    eval: empty
  }
}
