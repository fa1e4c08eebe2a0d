// Checkerboard (§5.7): uniform points on a k×k board, label = parity of the square (from un-noised points).
import { Either } from "effect"
import { floatField, floatPairField, intField, nullableIntField } from "./fields.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition } from "./types.js"

const fields = {
  n_samples: intField({ default: 200, ge: 2, description: "Total samples" }),
  n_squares: intField({ default: 4, ge: 2, le: 16, description: "Squares per side" }),
  x_range: floatPairField({ default: [0.0, 1.0], description: "x interval [x0, x1)" }),
  y_range: floatPairField({ default: [0.0, 1.0], description: "y interval [y0, y1)" }),
  noise: floatField({ default: 0.0, description: "Gaussian noise scale (features only)" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, description: "RNG seed (null = random)" }),
  ...splitFields
}

export type CheckerboardParams = ParamsOf<typeof fields>

export const checkerboardParams = defineParams({
  title: "CheckerboardParams",
  description: "Parameters of the checkerboard generator.",
  fields,
  check: checkRatioSum
})

const cell = (v: number, v0: number, width: number, k: number): number =>
  Math.min(Math.max(Math.floor((v - v0) / width), 0), k - 1)

export const checkerboard: GeneratorDefinition<CheckerboardParams> = {
  name: "checkerboard",
  version: GENERATOR_VERSION,
  description: "Checkerboard of alternating classes on a k x k grid",
  params: checkerboardParams,
  generate: (p, rng) => {
    const N = p.n_samples
    const k = p.n_squares
    const [x0, x1] = p.x_range
    const [y0, y1] = p.y_range
    // A zero-width range would give 0/0 cells: report it as a semantic failure rather than NaN labels.
    if (x1 === x0 || y1 === y0) return Either.left("x_range and y_range must have non-zero width")
    const xs = rng.uniform(x0, x1, N)
    const ys = rng.uniform(y0, y1, N)
    const wx = (x1 - x0) / k
    const wy = (y1 - y0) / k
    const X64 = new Float64Array(N * 2)
    const labels = new Uint8Array(N)
    for (let i = 0; i < N; i++) {
      X64[2 * i] = xs[i]!
      X64[2 * i + 1] = ys[i]!
      labels[i] = (cell(xs[i]!, x0, wx, k) + cell(ys[i]!, y0, wy, k)) % 2
    }
    if (p.noise > 0) {
      const z = rng.standardNormal(N * 2)
      for (let j = 0; j < N * 2; j++) X64[j] = X64[j]! + p.noise * z[j]!
    }
    return Either.right({ X: Float32Array.from(X64), labels, nSamples: N, nFeatures: 2, nClasses: 2 })
  }
}
