/** Reporting metrics computed from the values cache (never used by the training rules themselves). */
import type { Dataset } from "./dataset.js"
import { activate } from "./math/activation.js"
import type { ActivationCode } from "./kernel.js"

/**
 * Classification accuracy of the current output weights (O×K) on the cached patterns. One output: the output and
 * the target fall on the same side of the targets' midpoint (0 for ±0.5). Several outputs: argmax agrees (one-hot).
 */
export const cacheAccuracy = (
  data: Dataset,
  X: Float32Array,
  ldx: number,
  K: number,
  W: Float32Array,
  activation: ActivationCode
): number => {
  const { P, O, targets } = data
  let lo = Infinity
  let hi = -Infinity
  for (let k = 0; k < targets.length; k++) (lo = Math.min(lo, targets[k]!)), (hi = Math.max(hi, targets[k]!))
  const mid = (lo + hi) / 2
  let correct = 0
  const y = new Float64Array(O)
  for (let p = 0; p < P; p++) {
    for (let o = 0; o < O; o++) {
      let z = 0
      for (let i = 0; i < K; i++) z += X[p * ldx + i]! * W[o * K + i]!
      y[o] = activate(activation, z)
    }
    if (O === 1) {
      if (y[0]! > mid === targets[p]! > mid) correct++
    } else {
      let ay = 0
      let at = 0
      for (let o = 1; o < O; o++) {
        if (y[o]! > y[ay]!) ay = o
        if (targets[p * O + o]! > targets[p * O + at]!) at = o
      }
      if (ay === at) correct++
    }
  }
  return correct / P
}
