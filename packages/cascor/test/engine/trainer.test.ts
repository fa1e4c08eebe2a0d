// The faithful trainer end to end: learning, install rule, accounting, reproducibility, data shapes.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  activate,
  datasetFromRowsSync,
  decodeParamsSync,
  FahlmanTrainer,
  makeParams,
  predict,
  trainSync,
  tsKernels,
  twoSpirals,
  xor
} from "@juniper/cascor"
import type { Dataset } from "@juniper/cascor"

const regression = (): Dataset => {
  const xs = Array.from({ length: 41 }, (_, i) => -1 + i / 20)
  return datasetFromRowsSync(xs.map((x) => [x]), xs.map((x) => [0.8 * Math.sin(Math.PI * x)]))
}

/** 3 classes by angle sector on an annulus; one-hot ±0.5 targets. */
const threeClasses = (): Dataset => {
  const inputs: Array<Array<number>> = []
  const targets: Array<Array<number>> = []
  for (let k = 0; k < 60; k++) {
    const a = (2 * Math.PI * k) / 60
    const r = 0.3 + (0.6 * ((k * 7) % 10)) / 10
    inputs.push([r * Math.cos(a), r * Math.sin(a)])
    const cls = Math.floor(((a + 0.3) % (2 * Math.PI)) / ((2 * Math.PI) / 3))
    targets.push([0, 1, 2].map((c) => (c === cls ? 0.5 : -0.5)))
  }
  return datasetFromRowsSync(inputs, targets)
}

const allWithin = (net: ReturnType<FahlmanTrainer["network"]>, d: Dataset, threshold: number) => {
  const y = predict(net, d.inputs, d.P)
  return y.every((v, k) => Math.abs(v - d.targets[k]!) <= threshold)
}

describe("learning", () => {
  it("solves xor, and predict() on the inputs agrees with the training victory", () => {
    for (const seed of [1, 2, 3]) {
      const { run } = trainSync(tsKernels, decodeParamsSync({ seed }), xor())
      const s = run.status()
      expect(s.outcome).toBe("win")
      expect(s.reason).toBe("victory")
      expect(s.errorBits).toBe(0)
      expect(allWithin(run.network(), xor(), 0.4)).toBe(true)
    }
  })

  it("solves two-spirals with Fahlman's parameters (B1), in the reference range", () => {
    const data = twoSpirals()
    for (const seed of [1, 2, 3, 4]) {
      const { run } = trainSync(tsKernels, makeParams("twoSpirals", { seed }), data)
      const s = run.status()
      expect(s.outcome).toBe("win")
      expect(s.hiddenUnits).toBeGreaterThanOrEqual(10)
      expect(s.hiddenUnits).toBeLessThanOrEqual(21)
      expect(s.epoch).toBeGreaterThan(1000)
      expect(s.epoch).toBeLessThan(2500)
      // Crossings (forward MACs) about 17 M per run, as the reference counts them.
      expect(s.crossings).toBeGreaterThan(10e6)
      expect(s.crossings).toBeLessThan(25e6)
      expect(allWithin(run.network(), data, 0.4)).toBe(true)
    }
  })

  it("fits a regression task with linear outputs", () => {
    const d = regression()
    const { run } = trainSync(
      tsKernels,
      decodeParamsSync({ seed: 2, outputActivation: "linear", scoreThreshold: 0.05, outputEpsilon: 0.1, rounds: 30 }),
      d
    )
    expect(run.status().outcome).toBe("win")
    expect(allWithin(run.network(), d, 0.05)).toBe(true)
  })

  it("learns a 3-class one-hot task (3 outputs)", () => {
    const d = threeClasses()
    const { run } = trainSync(tsKernels, decodeParamsSync({ seed: 1, rounds: 30 }), d)
    expect(run.status().outcome).toBe("win")
    expect(run.status().accuracy).toBe(1)
    expect(run.network().outputWeights.length).toBe(3 * (1 + 2 + run.status().hiddenUnits))
  })

  it("reports LOSE after the final output phase when the rounds run out", () => {
    const { run } = trainSync(tsKernels, makeParams("twoSpirals", { seed: 1, rounds: 2 }), twoSpirals())
    expect(run.status()).toMatchObject({ outcome: "lose", reason: "rounds", hiddenUnits: 2, done: true })
  })

  it("ends with maxUnits when K would exceed MaxUnits", () => {
    const { run } = trainSync(tsKernels, makeParams("twoSpirals", { seed: 1, maxUnits: 5 }), twoSpirals())
    expect(run.status()).toMatchObject({ outcome: "lose", reason: "maxUnits", hiddenUnits: 2 })
  })
})

describe("install rule and accounting (A.7, A.8)", () => {
  it("W_out[o][K] = −prevCor[best][o]·WeightMultiplier; the cache column is f(X·w); epochs and crossings add up", () => {
    const data = threeClasses()
    const params = decodeParamsSync({ seed: 4, weightMultiplier: 0.7, rounds: 3 })
    const t = FahlmanTrainer.create(params, data)
    const out = Effect.runSync(t.step(tsKernels, { sync: true }))
    expect(out?.kind).toBe("output")
    const epochAfterOutput = t.epoch
    const crossingsAfterOutput = t.crossings
    const K = t.K
    const rep = Effect.runSync(t.step(tsKernels, { sync: true }))
    if (rep?.kind !== "candidate" || !rep.installed) throw new Error("expected an install")
    const u = rep.installed
    expect(u.fanIn).toBe(K)
    expect(t.K).toBe(K + 1)
    for (let o = 0; o < 3; o++) {
      expect(u.outputWeights[o]).toBe(Math.fround(-u.correlations[o]! * 0.7))
      expect(t.outputWeights[o * (K + 1) + K]).toBe(u.outputWeights[o])
    }
    // The output Quickprop state of the new column starts at zero; the old columns keep theirs.
    for (let o = 0; o < 3; o++) expect(t.outputDeltas[o * (K + 1) + K]).toBe(0)
    const { X, ldx } = t.values
    for (let p = 0; p < data.P; p++) {
      let z = 0
      for (let i = 0; i < K; i++) z += X[p * ldx + i]! * u.weights[i]!
      expect(X[p * ldx + K]).toBe(Math.fround(activate(0, z)))
    }
    expect(t.epoch).toBe(epochAfterOutput + rep.epochs)
    expect(t.crossings).toBe(crossingsAfterOutput + rep.epochs * data.P * params.poolSize * K + data.P * K)
    expect(rep.scores.length).toBe(params.poolSize)
    expect(rep.bestScore).toBe(Math.max(...rep.scores))
  })
})

describe("reproducibility", () => {
  it("same seed → identical network; another seed → a different one", () => {
    const data = twoSpirals()
    const a = trainSync(tsKernels, makeParams("twoSpirals", { seed: 11, rounds: 5 }), data).run
    const b = trainSync(tsKernels, makeParams("twoSpirals", { seed: 11, rounds: 5 }), data).run
    const c = trainSync(tsKernels, makeParams("twoSpirals", { seed: 12, rounds: 5 }), data).run
    expect(b.network()).toEqual(a.network())
    expect(b.status()).toEqual(a.status())
    expect(c.network().outputWeights).not.toEqual(a.network().outputWeights)
  })

  it("the async path (candidatePhaseAsync) gives the same run as the sync one", async () => {
    const data = xor()
    const params = decodeParamsSync({ seed: 3 })
    const sync = trainSync(tsKernels, params, data).run
    const t = FahlmanTrainer.create(params, data)
    await Effect.runPromise(t.runToEnd(tsKernels))
    expect(t.network()).toEqual(sync.network())
  })
})
