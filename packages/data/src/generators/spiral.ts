// Interleaved spirals (§5.2): the classic Cascade-Correlation benchmark. Two algorithms: "modern" (linspace
// radius and angle plus Gaussian noise) and "legacy_cascor" (sqrt-uniform radius plus uniform noise).
import { Either } from "effect"
import type { NumpyRandom } from "../rng/random.js"
import { boolField, floatField, floatPairField, intField, literalField, nullableIntField } from "./fields.js"
import { linspaceStep } from "./maths.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition, type RawDataset } from "./types.js"

const fields = {
  n_spirals: intField({ default: 2, ge: 2, le: 10, description: "Number of spiral arms (classes)" }),
  n_points_per_spiral: intField({ default: 97, ge: 10, le: 10000, description: "Points per arm" }),
  n_rotations: floatField({ default: 3.0, ge: 0.5, le: 10, description: "Turns of each arm" }),
  noise: floatField({ default: 0.25, ge: 0, le: 2, description: "Noise scale" }),
  clockwise: boolField({ default: true, description: "Spiral direction" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, description: "RNG seed (null = random)" }),
  algorithm: literalField(["modern", "legacy_cascor"], { default: "modern", description: "Generation algorithm" }),
  radius: floatField({ default: 10.0, gt: 0, le: 100, description: "Outer radius" }),
  origin: floatPairField({ default: [0.0, 0.0], description: "Centre (x, y)" }),
  ...splitFields
}

export type SpiralParams = ParamsOf<typeof fields>

export const spiralParams = defineParams({
  title: "SpiralParams",
  description: "Parameters of the interleaved-spirals generator.",
  fields,
  aliases: { n_points: "n_points_per_spiral", noise_level: "noise" },
  check: checkRatioSum
})

/**
 * The spiral maths on raw numbers (also used by the benchmark beyond the validated bounds).
 * Arms in order; per arm the noise draws come first (modern: Nx then Ny; legacy: dist, U1, U2).
 */
export const spiralPoints = (p: SpiralParams, rng: NumpyRandom): RawDataset => {
  const S = p.n_spirals
  const n = p.n_points_per_spiral
  const N = S * n
  const X = new Float32Array(N * 2)
  const labels = new Uint8Array(N)
  const d = p.clockwise ? 1 : -1
  const [ox, oy] = p.origin
  const noise = p.noise
  const radius = p.radius
  if (p.algorithm === "modern") {
    const stopT = 2 * Math.PI * p.n_rotations
    const stepR = linspaceStep(0, radius, n)
    const stepT = linspaceStep(0, stopT, n)
    // Nx is drawn in full before Ny, and x needs only Nx: x is finished while Nx streams in (in chunks,
    // so no n-sized scratch), then y while Ny streams in.
    const z = new Float64Array(Math.min(n, CHUNK))
    const arm: ArmAxis = { X, z, n, radius, stopT, stepR, stepT, phi: 0, base: 0, scale: d, noise, offset: 0, axis: 0 }
    for (let i = 0; i < S; i++) {
      arm.phi = (2 * Math.PI * i) / S
      arm.base = i * n
      for (let axis = 0; axis < 2; axis++) {
        arm.axis = axis
        arm.offset = axis === 0 ? ox : oy
        for (let k0 = 0; k0 < n; k0 += CHUNK) {
          const m = Math.min(CHUNK, n - k0)
          rng.fillStandardNormal(z, 0, m)
          if (axis === 0) armChunkX(arm, k0, m)
          else armChunkY(arm, k0, m)
        }
      }
      labels.fill(i, arm.base, arm.base + n)
    }
  } else {
    const dist = new Float64Array(n)
    const a = new Float64Array(n)
    const b = new Float64Array(n)
    const bg = rng.bitGenerator
    for (let i = 0; i < S; i++) {
      const phi = (2 * Math.PI * i) / S
      for (let k = 0; k < n; k++) dist[k] = Math.sqrt(bg.nextDouble()) * radius
      for (let k = 0; k < n; k++) a[k] = bg.nextDouble()
      for (let k = 0; k < n; k++) b[k] = bg.nextDouble()
      const base = i * n
      for (let k = 0; k < n; k++) {
        const theta = d * (dist[k]! + phi)
        X[2 * (base + k)] = Math.cos(theta) * dist[k]! + noise * a[k]! + ox
        X[2 * (base + k) + 1] = Math.sin(theta) * dist[k]! + noise * b[k]! + oy
      }
      labels.fill(i, base, base + n)
    }
  }
  return { X, labels, nSamples: N, nFeatures: 2, nClasses: S }
}

const CHUNK = 4096

interface ArmAxis {
  readonly X: Float32Array
  readonly z: Float64Array
  readonly n: number
  readonly radius: number
  readonly stopT: number
  readonly stepR: number
  readonly stepT: number
  phi: number
  base: number
  readonly scale: number
  readonly noise: number
  offset: number
  axis: number
}

// One chunk of one arm's x (or y) column. Small functions called per chunk get fully optimized by V8, where
// one long loop per call would run partly unoptimized (boxing every double) after each GC.
const armChunkX = (a: ArmAxis, k0: number, m: number): void => {
  const { X, z, n, radius, stopT, stepR, stepT, phi, base, scale, noise, offset } = a
  for (let j = 0; j < m; j++) {
    const k = k0 + j
    const last = k === n - 1 && n > 1
    const r = last ? radius : k * stepR
    const theta = (last ? stopT : k * stepT) + phi
    X[2 * (base + k)] = scale * r * Math.cos(theta) + noise * z[j]! + offset
  }
}

const armChunkY = (a: ArmAxis, k0: number, m: number): void => {
  const { X, z, n, radius, stopT, stepR, stepT, phi, base, scale, noise, offset } = a
  for (let j = 0; j < m; j++) {
    const k = k0 + j
    const last = k === n - 1 && n > 1
    const r = last ? radius : k * stepR
    const theta = (last ? stopT : k * stepT) + phi
    X[2 * (base + k) + 1] = scale * r * Math.sin(theta) + noise * z[j]! + offset
  }
}

export const spiral: GeneratorDefinition<SpiralParams> = {
  name: "spiral",
  version: GENERATOR_VERSION,
  description: "Interleaved spiral arms, one class per arm (the classic two-spirals benchmark)",
  params: spiralParams,
  generate: (p, rng) => Either.right(spiralPoints(p, rng))
}
