/**
 * The cascade network (reference A.2): units 0..K−1 are the bias (+1), the I inputs, then the hidden units in
 * installation order. Hidden unit j reads every lower unit (fan-in j) with frozen weights; each output reads all K.
 *
 * Two views live here: the trained model (`Network`, what predict and the service need) and the values cache
 * (`ValuesCache`, the training-time P×K matrix X that makes candidate and output epochs cheap).
 */
import { Schema } from "effect"
import { Float32ArrayFromBase64 } from "./encoding.js"
import type { ActivationCode, Kernels } from "./kernel.js"
import { activate, activationCodes } from "./math/activation.js"
import { HiddenActivation, OutputActivation } from "./params.js"

export const HiddenUnit = Schema.Struct({
  /** Number of units feeding it: 1 + I + (its index among the hidden units). */
  fanIn: Schema.Int,
  /** Frozen input weights, length fanIn (bias first). */
  weights: Float32ArrayFromBase64
})
export type HiddenUnit = typeof HiddenUnit.Type

/** The trained model, serialisable (weights as base64 float32). */
export const Network = Schema.Struct({
  inputs: Schema.Int,
  outputs: Schema.Int,
  hiddenActivation: HiddenActivation,
  outputActivation: OutputActivation,
  hidden: Schema.Array(HiddenUnit),
  /** O×K row-major, K = 1 + I + hidden.length. */
  outputWeights: Float32ArrayFromBase64
})
export type Network = typeof Network.Type

/** K = 1 + I + H. */
export const unitCount = (net: Network): number => 1 + net.inputs + net.hidden.length

/**
 * Network outputs for n new input rows (n×I, row-major) → n×O. Hidden units are recomputed in cascade, each one from
 * the bias, the inputs and the earlier hidden units, exactly as the cache was filled during training (float32 values).
 */
export const predict = (net: Network, inputs: ArrayLike<number>, n = inputs.length / net.inputs): Float32Array => {
  const I = net.inputs
  const O = net.outputs
  const K = unitCount(net)
  const hiddenCode = activationCodes[net.hiddenActivation]
  const outputCode = activationCodes[net.outputActivation]
  const row = new Float32Array(K)
  const out = new Float32Array(n * O)
  for (let p = 0; p < n; p++) {
    row[0] = 1
    for (let i = 0; i < I; i++) row[1 + i] = inputs[p * I + i]!
    for (let h = 0; h < net.hidden.length; h++) {
      const unit = net.hidden[h]!
      let z = 0
      for (let i = 0; i < unit.fanIn; i++) z += row[i]! * unit.weights[i]!
      row[unit.fanIn] = activate(hiddenCode, z)
    }
    for (let o = 0; o < O; o++) {
      let z = 0
      for (let i = 0; i < K; i++) z += row[i]! * net.outputWeights[o * K + i]!
      out[p * O + o] = activate(outputCode, z)
    }
  }
  return out
}

/**
 * The values cache X (A.2, D.4 rule 2): P rows with stride ldx = capacity ≥ K; column 0 = +1, columns 1..I = inputs,
 * then one column per installed unit. Installing a unit appends a column in place (no re-layout) until the capacity
 * is reached, then the cache grows once.
 */
export class ValuesCache {
  X: Float32Array
  ldx: number
  K: number

  constructor(
    readonly P: number,
    readonly I: number,
    inputs: Float32Array,
    capacity: number
  ) {
    this.ldx = Math.max(capacity, 1 + I)
    this.K = 1 + I
    this.X = new Float32Array(P * this.ldx)
    for (let p = 0; p < P; p++) {
      const xo = p * this.ldx
      this.X[xo] = 1
      for (let i = 0; i < I; i++) this.X[xo + 1 + i] = inputs[p * I + i]!
    }
  }

  /** Grows the row stride (a copy) so at least `columns` fit. */
  ensureCapacity(columns: number): void {
    if (columns <= this.ldx) return
    const ldx = columns
    const X = new Float32Array(this.P * ldx)
    for (let p = 0; p < this.P; p++) X.set(this.X.subarray(p * this.ldx, p * this.ldx + this.K), p * ldx)
    this.X = X
    this.ldx = ldx
  }

  /** A.7 step 4: X_pK = f(Σ_i X_pi·w_i), through the backend so the column is computed where X lives. */
  append(kernels: Kernels, weights: Float32Array, activation: ActivationCode): void {
    this.ensureCapacity(this.K + 1)
    kernels.fillColumn(this.X, this.P, this.K, this.ldx, weights, activation)
    this.K++
  }
}

/**
 * Output weights grow by one column per install: O×K → O×(K+1), the new column set to `column` (O values) and
 * everything else kept. Used for the weights and, with zeros, for their Quickprop state.
 */
export const appendOutputColumn = (m: Float32Array, O: number, K: number, column?: ArrayLike<number>): Float32Array => {
  const next = new Float32Array(O * (K + 1))
  for (let o = 0; o < O; o++) {
    next.set(m.subarray(o * K, o * K + K), o * (K + 1))
    next[o * (K + 1) + K] = column ? column[o]! : 0
  }
  return next
}
