// The upstream variant (Part B): statistical parity only, so these tests pin its pieces and that it learns.
import { describe, expect, it } from "vitest"
import { Adam, centre, decodeParamsSync, pearson, pearsonGradient, predict, trainSync, tsKernels, xor } from "@juniper/cascor"

describe("upstream variant", () => {
  it("learns xor (tanh hidden units, linear outputs trained by Adam)", () => {
    for (const seed of [1, 2, 3]) {
      const { run } = trainSync(tsKernels, decodeParamsSync({ algorithm: "upstream", seed, rounds: 10, upstream: { outputEpochs: 300, candidateEpochs: 200 } }), xor())
      const s = run.status()
      expect(s).toMatchObject({ algorithm: "upstream", outcome: "win", reason: "target_accuracy", accuracy: 1 })
      expect(s.hiddenUnits).toBeGreaterThanOrEqual(1)
      const net = run.network()
      expect(net).toMatchObject({ hiddenActivation: "tanh", outputActivation: "linear" })
      const y = predict(net, xor().inputs)
      expect(Array.from(y).map(Math.sign)).toEqual([-1, 1, 1, -1])
    }
  })

  it("Pearson |r| gradient matches finite differences", () => {
    const P = 7
    const o = Float64Array.from([0.1, -0.4, 0.3, 0.8, -0.2, 0.5, 0.05])
    const e = Float64Array.from([0.3, 0.1, -0.2, 0.4, -0.5, 0.2, 0.0])
    const ec = new Float64Array(P)
    const ne = centre(e, P, ec)
    const absR = (x: Float64Array) => {
      const a = new Float64Array(P)
      const na = centre(x, P, a)
      return Math.abs(pearson(a, na, ec, ne, P))
    }
    const a = new Float64Array(P)
    const na = centre(o, P, a)
    const r = pearson(a, na, ec, ne, P)
    const g = new Float64Array(P)
    pearsonGradient(a, na, ec, ne, r, P, g)
    for (let p = 0; p < P; p++) {
      const h = 1e-6
      const up = Float64Array.from(o)
      up[p]! += h
      const dn = Float64Array.from(o)
      dn[p]! -= h
      expect(g[p]).toBeCloseTo((absR(up) - absR(dn)) / (2 * h), 5)
    }
    expect(pearson(new Float64Array(P), 0, ec, ne, P)).toBe(0) // a constant output has no correlation
  })

  it("Adam's first step is −lr·sign(g)", () => {
    const w = Float32Array.of(1, 1)
    new Adam(2, 0.01).step(w, Float64Array.of(3, -0.5))
    expect(w[0]).toBeCloseTo(0.99, 6)
    expect(w[1]).toBeCloseTo(1.01, 6)
  })
})
