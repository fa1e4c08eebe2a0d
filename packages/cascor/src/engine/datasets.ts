/** Benchmark data sets: two-spirals exactly as reference A.9, and small helpers. */
import type { Dataset } from "./dataset.js"
import { datasetFromRowsSync } from "./dataset.js"

export interface SpiralPoint {
  readonly x: number
  readonly y: number
  readonly target: 0.5 | -0.5
}

/**
 * The Lisp `build-two-spirals`: for i = 0…pairs−1, angle = iπ/16, radius = 6.5(104 − i)/104, emit (x, y) → +0.5 then
 * (−x, −y) → −0.5; the list is then reversed so the innermost points come first. 97 pairs (194 points) is the
 * standard set; the first row is (≈0, −0.5) → −0.5.
 */
export const twoSpiralsPoints = (pairs = 97): Array<SpiralPoint> => {
  const rows: Array<SpiralPoint> = []
  for (let i = 0; i < pairs; i++) {
    const angle = (i * Math.PI) / 16
    const radius = (6.5 * (104 - i)) / 104
    const x = radius * Math.sin(angle)
    const y = radius * Math.cos(angle)
    rows.push({ x, y, target: 0.5 }, { x: -x, y: -y, target: -0.5 })
  }
  return rows.reverse()
}

/** Two-spirals as a Dataset (I = 2, O = 1, targets ±0.5). */
export const twoSpirals = (pairs = 97): Dataset => {
  const pts = twoSpiralsPoints(pairs)
  return datasetFromRowsSync(pts.map((r) => [r.x, r.y]), pts.map((r) => [r.target]))
}

/** XOR with ±0.5 inputs and targets (the sigmoid ±0.5 convention). */
export const xor = (): Dataset =>
  datasetFromRowsSync(
    [[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]],
    [[-0.5], [0.5], [0.5], [-0.5]]
  )

/** N-bit parity over all 2^N patterns, inputs and target ±0.5. */
export const parity = (n: number): Dataset => {
  const inputs: Array<Array<number>> = []
  const targets: Array<Array<number>> = []
  for (let m = 0; m < 1 << n; m++) {
    const bits = Array.from({ length: n }, (_, b) => (m >> b) & 1)
    inputs.push(bits.map((b) => (b ? 0.5 : -0.5)))
    targets.push([bits.reduce((a, b) => a ^ b, 0) ? 0.5 : -0.5])
  }
  return datasetFromRowsSync(inputs, targets)
}
