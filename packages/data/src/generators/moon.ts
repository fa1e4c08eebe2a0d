// Two interleaving half-moons (§5.6). The noise is the only random draw.
import { Either } from "effect"
import { floatField, intField, nullableIntField } from "./fields.js"
import { linspace } from "./maths.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition } from "./types.js"

const fields = {
  n_samples: intField({ default: 200, ge: 2, description: "Total samples" }),
  noise: floatField({ default: 0.1, ge: 0, description: "Gaussian noise scale" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, ge: 0, description: "RNG seed (null = random)" }),
  ...splitFields
}

export type MoonParams = ParamsOf<typeof fields>

export const moonParams = defineParams({
  title: "MoonParams",
  description: "Parameters of the two-moons generator.",
  fields,
  check: checkRatioSum
})

export const moon: GeneratorDefinition<MoonParams> = {
  name: "moon",
  version: GENERATOR_VERSION,
  description: "Two interleaving half-moons (upper class 0, lower class 1)",
  params: moonParams,
  generate: (p, rng) => {
    const N = p.n_samples
    const nUp = Math.floor(N / 2)
    const nLo = N - nUp
    const up = linspace(0, Math.PI, nUp)
    const lo = linspace(0, Math.PI, nLo)
    const X64 = new Float64Array(N * 2)
    const labels = new Uint8Array(N)
    for (let k = 0; k < nUp; k++) {
      X64[2 * k] = Math.cos(up[k]!)
      X64[2 * k + 1] = Math.sin(up[k]!)
    }
    for (let k = 0; k < nLo; k++) {
      X64[2 * (nUp + k)] = 1 - Math.cos(lo[k]!)
      X64[2 * (nUp + k) + 1] = 0.5 - Math.sin(lo[k]!)
      labels[nUp + k] = 1
    }
    if (p.noise > 0) {
      const z = rng.standardNormal(N * 2)
      for (let j = 0; j < N * 2; j++) X64[j] = X64[j]! + p.noise * z[j]!
    }
    return Either.right({ X: Float32Array.from(X64), labels, nSamples: N, nFeatures: 2, nClasses: 2 })
  }
}
