// XOR quadrants (§5.3): Q1 and Q3 are class 0, Q2 and Q4 class 1, with a margin kept clear around the axes.
import { Either } from "effect"
import { floatField, intField, nullableIntField } from "./fields.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition } from "./types.js"

const fields = {
  n_points_per_quadrant: intField({ default: 50, ge: 1, description: "Points per quadrant" }),
  x_range: floatField({ default: 1.0, gt: 0, description: "Half-width of the x range" }),
  y_range: floatField({ default: 1.0, gt: 0, description: "Half-height of the y range" }),
  margin: floatField({ default: 0.1, ge: 0, description: "Clear band around the axes" }),
  noise: floatField({ default: 0.0, ge: 0, description: "Gaussian noise scale" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, ge: 0, description: "RNG seed (null = random)" }),
  ...splitFields
}

export type XorParams = ParamsOf<typeof fields>

export const xorParams = defineParams({
  title: "XorParams",
  description: "Parameters of the XOR-quadrants generator.",
  fields,
  check: checkRatioSum
})

export const xor: GeneratorDefinition<XorParams> = {
  name: "xor",
  version: GENERATOR_VERSION,
  description: "Four quadrants in an XOR pattern (two classes)",
  params: xorParams,
  generate: (p, rng) => {
    const n = p.n_points_per_quadrant
    const N = 4 * n
    const m = p.margin
    const xr = p.x_range
    const yr = p.y_range
    const quadrants: ReadonlyArray<readonly [number, number, number, number, number]> = [
      [m, xr, m, yr, 0],
      [-xr, -m, m, yr, 1],
      [-xr, -m, -yr, -m, 0],
      [m, xr, -yr, -m, 1]
    ]
    const X64 = new Float64Array(N * 2)
    const labels = new Uint8Array(N)
    quadrants.forEach(([x0, x1, y0, y1, label], q) => {
      const xs = rng.uniform(x0, x1, n)
      const ys = rng.uniform(y0, y1, n)
      for (let k = 0; k < n; k++) {
        X64[2 * (q * n + k)] = xs[k]!
        X64[2 * (q * n + k) + 1] = ys[k]!
        labels[q * n + k] = label
      }
    })
    if (p.noise > 0) {
      const z = rng.standardNormal(N * 2)
      for (let j = 0; j < N * 2; j++) X64[j] = X64[j]! + p.noise * z[j]!
    }
    return Either.right({ X: Float32Array.from(X64), labels, nSamples: N, nFeatures: 2, nClasses: 2 })
  }
}
