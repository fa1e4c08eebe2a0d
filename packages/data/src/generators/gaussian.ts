// Gaussian blobs (§5.4): one isotropic blob per class, centres on a circle unless given.
import { Either } from "effect"
import { floatField, floatOrFloatListField, intField, nullableFloatMatrixField, nullableIntField } from "./fields.js"
import { linspaceStep } from "./maths.js"
import { checkRatioSum, DEFAULT_GENERATOR_SEED, defineParams, type ParamsOf, splitFields } from "./params.js"
import { GENERATOR_VERSION, type GeneratorDefinition } from "./types.js"

const fields = {
  n_classes: intField({ default: 2, ge: 2, le: 10, description: "Number of classes (blobs)" }),
  n_samples_per_class: intField({ default: 50, ge: 1, description: "Samples per class" }),
  n_features: intField({ default: 2, ge: 1, description: "Dimensions" }),
  class_std: floatOrFloatListField({ default: 1.0, gt: 0, description: "Standard deviation, one or per class" }),
  centers: nullableFloatMatrixField({ default: null, description: "n_classes × n_features centres (null = on a circle)" }),
  center_radius: floatField({ default: 3.0, gt: 0, description: "Radius of the automatic centres' circle" }),
  noise: floatField({ default: 0.0, ge: 0, description: "Extra Gaussian noise (float32 arithmetic)" }),
  seed: nullableIntField({ default: DEFAULT_GENERATOR_SEED, description: "RNG seed (null = random)" }),
  ...splitFields
}

export type GaussianParams = ParamsOf<typeof fields>

export const gaussianParams = defineParams({
  title: "GaussianParams",
  description: "Parameters of the Gaussian-blobs generator.",
  fields,
  check: checkRatioSum
})

export const gaussian: GeneratorDefinition<GaussianParams> = {
  name: "gaussian",
  version: GENERATOR_VERSION,
  description: "Isotropic Gaussian blobs, one per class",
  params: gaussianParams,
  generate: (p, rng) => {
    const C = p.n_classes
    const n = p.n_samples_per_class
    const F = p.n_features
    // Centres are float32, as upstream stores them.
    const centers = new Float32Array(C * F)
    if (p.centers === null) {
      const step = linspaceStep(0, 2 * Math.PI, C, false)
      for (let c = 0; c < C; c++) {
        const a = c * step
        centers[c * F] = p.center_radius * Math.cos(a)
        if (F > 1) centers[c * F + 1] = p.center_radius * Math.sin(a)
      }
    } else {
      if (p.centers.length !== C || p.centers.some((row) => row.length !== F)) {
        return Either.left(`centers must be ${C} x ${F}`)
      }
      p.centers.forEach((row, c) => centers.set(row, c * F))
    }
    const stds = typeof p.class_std === "number" ? null : p.class_std
    if (stds !== null && stds.length === 0) return Either.left("class_std must not be an empty list")
    const N = C * n
    const X = new Float32Array(N * F)
    const labels = new Uint8Array(N)
    const z = new Float64Array(n * F)
    for (let c = 0; c < C; c++) {
      const std = stds === null ? (p.class_std as number) : (stds[c] ?? stds[0]!)
      rng.fillStandardNormal(z)
      for (let j = 0; j < n * F; j++) X[c * n * F + j] = z[j]! * std + centers[c * F + (j % F)]!
      labels.fill(c, c * n, (c + 1) * n)
    }
    if (p.noise > 0) {
      // float32(standard_normal)·noise, added in float32 (NumPy 2 keeps a Python float scalar weak).
      const noise32 = Math.fround(p.noise)
      const e = rng.standardNormal(N * F)
      for (let j = 0; j < N * F; j++) X[j] = X[j]! + Math.fround(Math.fround(e[j]!) * noise32)
    }
    return Either.right({ X, labels, nSamples: N, nFeatures: F, nClasses: C })
  }
}
