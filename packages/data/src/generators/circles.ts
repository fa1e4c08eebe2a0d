// Concentric circles (§5.5): outer ring class 0, inner ring (radius·factor) class 1.
import { Either } from "effect"
import { floatField, intField, nullableIntField } from "./fields.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition } from "./types.js"

const fields = {
  n_samples: intField({ default: 100, ge: 2, description: "Total samples" }),
  outer_radius: floatField({ default: 1.0, gt: 0, description: "Radius of the outer circle" }),
  factor: floatField({ default: 0.5, gt: 0, lt: 1, description: "Inner radius / outer radius" }),
  noise: floatField({ default: 0.0, ge: 0, description: "Gaussian noise scale" }),
  inner_ratio: floatField({ default: 0.5, gt: 0, le: 1, description: "Fraction of samples on the inner circle" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, description: "RNG seed (null = random)" }),
  ...splitFields
}

export type CirclesParams = ParamsOf<typeof fields>

export const circlesParams = defineParams({
  title: "CirclesParams",
  description: "Parameters of the concentric-circles generator.",
  fields,
  check: checkRatioSum
})

export const circles: GeneratorDefinition<CirclesParams> = {
  name: "circles",
  version: GENERATOR_VERSION,
  description: "Two concentric circles (outer class 0, inner class 1)",
  params: circlesParams,
  generate: (p, rng) => {
    const N = p.n_samples
    const nInner = Math.trunc(N * p.inner_ratio)
    const nOuter = N - nInner
    // Outer angles are drawn first, then inner ones.
    const outer = rng.uniform(0, 2 * Math.PI, nOuter)
    const inner = rng.uniform(0, 2 * Math.PI, nInner)
    const R = p.outer_radius
    const r = p.outer_radius * p.factor
    const X64 = new Float64Array(N * 2)
    const labels = new Uint8Array(N)
    for (let k = 0; k < nOuter; k++) {
      X64[2 * k] = R * Math.cos(outer[k]!)
      X64[2 * k + 1] = R * Math.sin(outer[k]!)
    }
    for (let k = 0; k < nInner; k++) {
      X64[2 * (nOuter + k)] = r * Math.cos(inner[k]!)
      X64[2 * (nOuter + k) + 1] = r * Math.sin(inner[k]!)
      labels[nOuter + k] = 1
    }
    if (p.noise > 0) {
      const z = rng.standardNormal(N * 2)
      for (let j = 0; j < N * 2; j++) X64[j] = X64[j]! + p.noise * z[j]!
    }
    return Either.right({ X: Float32Array.from(X64), labels, nSamples: N, nFeatures: 2, nClasses: 2 })
  }
}
