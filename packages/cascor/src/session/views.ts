/**
 * Wire views of an engine network (§4.2 topology, §4.3 stats, §4.6 decision boundary): pure functions from the
 * engine's serialisable `Network` to the contract's payloads.
 */
import { Effect } from "effect"
import type { DecisionBoundary, NetworkStats, Topology } from "../api/schema.js"
import { type Network, predict, unitCount } from "../engine/network.js"
import { yieldToEventLoop } from "../engine/training.js"
import type { Matrix } from "./dataset.js"

export const activationDisplayName: Record<string, string> = {
  symmetricSigmoid: "SymmetricSigmoid",
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  gaussian: "Gaussian",
  linear: "Linear"
}

/**
 * §4.2: hidden unit k has I + k weights (inputs, then earlier hidden units) and its bias apart; `output_weights` is
 * (I+H)×O (rows: inputs, then hidden units) and `output_bias` the O biases. Exact float32 values.
 */
export const topologyOf = (net: Network): Topology => {
  const I = net.inputs
  const O = net.outputs
  const K = unitCount(net)
  const act = activationDisplayName[net.hiddenActivation] ?? net.hiddenActivation
  const rows: Array<Array<number>> = []
  for (let r = 1; r < K; r++) {
    const row: Array<number> = []
    for (let o = 0; o < O; o++) row.push(net.outputWeights[o * K + r]!)
    rows.push(row)
  }
  return {
    input_size: I,
    output_size: O,
    hidden_units: net.hidden.map((h, id) => ({ id, weights: Array.from(h.weights.subarray(1)), bias: h.weights[0]!, activation: act })),
    output_weights: rows,
    output_bias: Array.from({ length: O }, (_, o) => net.outputWeights[o * K]!),
    output_activation: activationDisplayName[net.outputActivation] ?? net.outputActivation
  }
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null)

const moments = (values: ArrayLike<number>) => {
  const n = values.length
  if (n === 0) return { mean: null, std: null, min: null, max: null }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) (sum += values[i]!), (min = Math.min(min, values[i]!)), (max = Math.max(max, values[i]!))
  const mean = sum / n
  let sq = 0
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2
  return { mean: finiteOrNull(mean), std: finiteOrNull(Math.sqrt(sq / n)), min: finiteOrNull(min), max: finiteOrNull(max) }
}

/** §4.3 statistics of the output weights (biases excluded), plus parameter counts and per-unit norms. */
export const statsOf = (net: Network): NetworkStats => {
  const K = unitCount(net)
  const O = net.outputs
  const outW: Array<number> = []
  for (let o = 0; o < O; o++) for (let k = 1; k < K; k++) outW.push(net.outputWeights[o * K + k]!)
  const hiddenW: Array<number> = []
  for (const h of net.hidden) for (let i = 1; i < h.fanIn; i++) hiddenW.push(h.weights[i]!)
  const out = moments(outW)
  const hid = moments(hiddenW)
  const hiddenParams = net.hidden.reduce((s, h) => s + h.fanIn, 0)
  return {
    total_hidden_units: net.hidden.length,
    output_weight_mean: out.mean,
    output_weight_std: out.std,
    output_weight_min: out.min,
    output_weight_max: out.max,
    input_size: net.inputs,
    output_size: O,
    total_parameters: hiddenParams + O * K,
    output_layer_parameters: O * K,
    hidden_layer_parameters: hiddenParams,
    hidden_weight_mean: hid.mean,
    hidden_weight_std: hid.std,
    layers: net.hidden.map((h, id) => {
      let s = 0
      for (let i = 0; i < h.fanIn; i++) s += h.weights[i]! ** 2
      return { id, fan_in: h.fanIn, weight_norm: finiteOrNull(Math.sqrt(s)) }
    })
  }
}

/** The class of each output row: argmax, or `threshold` for a single output. */
export const classify = (out: Float32Array, n: number, O: number, threshold: number, into: Int32Array, offset = 0): void => {
  for (let p = 0; p < n; p++) {
    if (O === 1) into[offset + p] = out[p]! > threshold ? 1 : 0
    else {
      let a = 0
      for (let o = 1; o < O; o++) if (out[p * O + o]! > out[p * O + a]!) a = o
      into[offset + p] = a
    }
  }
}

/** Rows of the grid predicted between two yields to the event loop. */
const CHUNK = 4096

/**
 * §4.6: a resolution×resolution meshgrid over the training inputs' range ±0.5 (rows follow y, columns x), each point
 * classified by the network's own `predict`. Computed in chunks that yield to the event loop, so streams and
 * requests keep flowing while a 512×512 grid is evaluated.
 */
export const decisionBoundaryOf = (net: Network, x: Matrix, resolution: number, threshold: number): Effect.Effect<DecisionBoundary> =>
  Effect.gen(function* () {
    let x0 = Infinity
    let x1 = -Infinity
    let y0 = Infinity
    let y1 = -Infinity
    for (let r = 0; r < x.rows; r++) {
      const a = x.data[r * x.cols]!
      const b = x.data[r * x.cols + 1]!
      ;(x0 = Math.min(x0, a)), (x1 = Math.max(x1, a)), (y0 = Math.min(y0, b)), (y1 = Math.max(y1, b))
    }
    x0 -= 0.5
    x1 += 0.5
    y0 -= 0.5
    y1 += 0.5
    const n = resolution
    const xs = Array.from({ length: n }, (_, i) => (n === 1 ? x0 : x0 + ((x1 - x0) * i) / (n - 1)))
    const ys = Array.from({ length: n }, (_, i) => (n === 1 ? y0 : y0 + ((y1 - y0) * i) / (n - 1)))
    const total = n * n
    const points = new Float32Array(total * 2)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        points[2 * (i * n + j)] = xs[j]!
        points[2 * (i * n + j) + 1] = ys[i]!
      }
    const classes = new Int32Array(total)
    for (let start = 0; start < total; start += CHUNK) {
      const len = Math.min(CHUNK, total - start)
      const out = predict(net, points.subarray(2 * start, 2 * (start + len)), len)
      classify(out, len, net.outputs, threshold, classes, start)
      if (start + CHUNK < total) yield* yieldToEventLoop
    }
    const gridX: Array<Array<number>> = []
    const gridY: Array<Array<number>> = []
    const predictions: Array<Array<number>> = []
    for (let i = 0; i < n; i++) {
      gridX.push(xs.slice())
      gridY.push(new Array<number>(n).fill(ys[i]!))
      predictions.push(Array.from(classes.subarray(i * n, (i + 1) * n)))
    }
    return { x_range: [x0, x1], y_range: [y0, y1], resolution: n, grid_x: gridX, grid_y: gridY, predictions }
  })
