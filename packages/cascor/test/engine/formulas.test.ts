// Each formula of reference A.2–A.7 pinned on a hand-computed tiny case.
import { describe, expect, it } from "vitest"
import {
  activate,
  adjustCorrelations,
  candidatePatienceCheck,
  candidatePatienceStart,
  derivative,
  outputPatienceCheck,
  outputPatienceStart,
  outputPrime,
  quickpropDelta,
  quickpropUpdate,
  shrinkFactor,
  tsCandidatePhase,
  tsFillColumn,
  tsOutputPhase
} from "@juniper/cascor"
import { Activation, PhaseEnd } from "@juniper/cascor"
import type { CandidatePhaseInput, OutputPhaseInput } from "@juniper/cascor"

const sig = (x: number) => 1 / (1 + Math.exp(-x)) - 0.5

describe("A.2 activations", () => {
  it("symmetric sigmoid clamps beyond ±15, not at ±15", () => {
    expect(activate(Activation.symmetricSigmoid, 15.0001)).toBe(0.5)
    expect(activate(Activation.symmetricSigmoid, -15.0001)).toBe(-0.5)
    expect(activate(Activation.symmetricSigmoid, 15)).toBe(sig(15))
    expect(activate(Activation.symmetricSigmoid, 15)).toBeLessThan(0.5)
    expect(activate(Activation.symmetricSigmoid, 0)).toBe(0)
    expect(activate(Activation.symmetricSigmoid, 1)).toBeCloseTo(0.2310585786, 10)
  })
  it("asymmetric sigmoid clamps to 0 / 1", () => {
    expect(activate(Activation.sigmoid, 40)).toBe(1)
    expect(activate(Activation.sigmoid, -40)).toBe(0)
    expect(activate(Activation.sigmoid, 0)).toBe(0.5)
  })
  it("Gaussian is 0 once −x²/2 < −75", () => {
    expect(activate(Activation.gaussian, 13)).toBe(0) // −84.5
    expect(activate(Activation.gaussian, 12)).toBe(Math.exp(-72))
    expect(activate(Activation.gaussian, 0)).toBe(1)
  })
  it("derivatives from the value (Gaussian from x and v)", () => {
    expect(derivative(Activation.symmetricSigmoid, 0.2, 0)).toBeCloseTo(0.21, 15)
    expect(derivative(Activation.sigmoid, 0.2, 0)).toBeCloseTo(0.16, 15)
    expect(derivative(Activation.tanh, 0.5, 0)).toBeCloseTo(0.75, 15)
    expect(derivative(Activation.linear, 7, 7)).toBe(1)
    expect(derivative(Activation.gaussian, Math.exp(-2), 2)).toBeCloseTo(-2 * Math.exp(-2), 15)
  })
  it("output prime: f′ + SigmoidPrimeOffset for sigmoid outputs, exactly 1 for linear", () => {
    expect(outputPrime(Activation.symmetricSigmoid, 0.2, 0.1)).toBeCloseTo(0.31, 15)
    expect(outputPrime(Activation.linear, 0.2, 0.1)).toBe(1)
  })
})

describe("A.4 Quickprop", () => {
  const eps = 0.5
  const mu = 2
  const shrink = shrinkFactor(mu)
  it("shrink = μ/(1+μ)", () => expect(shrink).toBeCloseTo(2 / 3, 15))
  it("d = 0: gradient mode Δ = −ε·s", () => {
    expect(quickpropDelta(0.4, 0, 123, eps, mu, shrink)).toBeCloseTo(-0.2, 15)
  })
  it("d < 0, s ≥ shrink·p: linear term (s > 0) + μ·d", () => {
    expect(quickpropDelta(0.25, -1, 0.3, eps, mu, shrink)).toBeCloseTo(-0.125 - 2, 15)
  })
  it("d < 0, s < shrink·p: linear term + secant d·s/(p − s)", () => {
    expect(quickpropDelta(0.3, -1, 0.9, eps, mu, shrink)).toBeCloseTo(-0.15 + -0.3 / 0.6, 15)
  })
  it("d < 0, s ≤ 0: no linear term (it would point against d)", () => {
    expect(quickpropDelta(-0.1, -1, 0.9, eps, mu, shrink)).toBeCloseTo((-1 * -0.1) / 1.0, 15)
  })
  it("d > 0, s ≤ shrink·p: linear term (s < 0) + μ·d", () => {
    expect(quickpropDelta(-0.25, 1, -0.3, eps, mu, shrink)).toBeCloseTo(0.125 + 2, 15)
  })
  it("d > 0, s > shrink·p: secant; no linear term when s > 0", () => {
    expect(quickpropDelta(-0.3, 1, -0.9, eps, mu, shrink)).toBeCloseTo(0.15 + -0.3 / -0.6, 15)
    expect(quickpropDelta(0.1, 1, -0.9, eps, mu, shrink)).toBeCloseTo(0.1 / -1.0, 15)
  })
  it("update: decay added to the slope, prevSlope = slope incl. decay, slope zeroed", () => {
    const w = Float32Array.of(2, -1)
    const d = Float32Array.of(0, 0)
    const p = Float32Array.of(0, 0)
    const s = Float64Array.of(0.5, -0.25)
    quickpropUpdate(w, d, p, s, 0, 2, 0.1, 0.01, 2)
    // s' = s + 0.01·w = 0.52, −0.26; Δ = −0.1·s'
    expect(Array.from(p)).toEqual([Math.fround(0.52), Math.fround(-0.26)])
    expect(d[0]).toBeCloseTo(-0.052, 7)
    expect(d[1]).toBeCloseTo(0.026, 7)
    expect(w[0]).toBeCloseTo(2 - 0.052, 6)
    expect(w[1]).toBeCloseTo(-1 + 0.026, 6)
    expect(Array.from(s)).toEqual([0, 0])
  })
})

describe("A.5 output patience (first matching rule only)", () => {
  it("stagnates `patience` updated epochs after the last significant change", () => {
    const st = outputPatienceStart(2)
    expect(outputPatienceCheck(st, 0, 1, 10, 5, 2, 0.01)).toBe("continue") // first epoch: last = 10
    expect(st.last).toBe(10)
    expect(outputPatienceCheck(st, 1, 2, 5, 5, 2, 0.01)).toBe("continue") // |5 − 10| > 0.1: quit = 2 + 2
    expect(st.quit).toBe(4)
    expect(outputPatienceCheck(st, 2, 3, 5.04, 5, 2, 0.01)).toBe("continue") // no change, 3 < 4
    expect(outputPatienceCheck(st, 3, 4, 5.01, 5, 2, 0.01)).toBe("stagnant")
  })
  it("without any change, stagnant once Epoch reaches the phase's initial quitEpoch", () => {
    const st = outputPatienceStart(2)
    expect(outputPatienceCheck(st, 0, 1, 10, 5, 2, 0.01)).toBe("continue")
    expect(outputPatienceCheck(st, 1, 2, 10, 5, 2, 0.01)).toBe("stagnant")
  })
  it("victory comes first, patience 0 never stagnates", () => {
    const st = outputPatienceStart(0)
    expect(outputPatienceCheck(st, 5, 5, 1, 0, 0, 0.01)).toBe("win")
    for (let i = 0; i < 50; i++) expect(outputPatienceCheck(st, i, i + 1, 1, 3, 0, 0.01)).toBe("continue")
  })
})

describe("A.6 candidate patience (first matching rule only)", () => {
  it("quit starts at maxEpochs: no change ever means timeout, not stagnation", () => {
    const st = candidatePatienceStart(100)
    expect(candidatePatienceCheck(st, 0, 1, 8, 0.03)).toBe("continue")
    for (let i = 1; i < 100; i++) expect(candidatePatienceCheck(st, i, 1, 8, 0.03)).toBe("continue")
  })
  it("stagnant `patience` epochs after the last change (i ≥ quit)", () => {
    const st = candidatePatienceStart(100)
    candidatePatienceCheck(st, 0, 1, 3, 0.03)
    expect(candidatePatienceCheck(st, 1, 1.1, 3, 0.03)).toBe("continue") // change: quit = 1 + 3
    expect(st.quit).toBe(4)
    expect(candidatePatienceCheck(st, 2, 1.11, 3, 0.03)).toBe("continue")
    expect(candidatePatienceCheck(st, 3, 1.12, 3, 0.03)).toBe("continue")
    expect(candidatePatienceCheck(st, 4, 1.12, 3, 0.03)).toBe("stagnant")
  })
})

describe("A.6 adjust: mean correction, scores, best", () => {
  it("cor = (CC − avg·Ē)/SSE (faithful) or (CC − P·avg·Ē)/SSE (textbook); ties keep the lowest index", () => {
    const P = 4
    const cc = Float64Array.of(1.0, 0.5, -1.0, 0.5)
    const sumV = Float64Array.of(2, 4)
    const errMean = Float32Array.of(0.25, -0.5)
    const prevCor = new Float32Array(4)
    const scores = new Float32Array(2)
    const best = adjustCorrelations(2, 2, P, cc, sumV, errMean, 2, false, prevCor, scores)
    // c0: avg 0.5 → (1 − 0.125)/2, (0.5 + 0.25)/2; c1: avg 1 → (−1 − 0.25)/2, (0.5 + 0.5)/2
    expect(Array.from(prevCor)).toEqual([0.4375, 0.375, -0.625, 0.5].map(Math.fround))
    expect(scores[0]).toBeCloseTo(0.8125, 7)
    expect(scores[1]).toBeCloseTo(1.125, 7)
    expect(best).toBe(1)
    expect(Array.from(cc)).toEqual([0, 0, 0, 0])
    expect(Array.from(sumV)).toEqual([0, 0])
    // Textbook: centre with P·avg = Σv.
    const cc2 = Float64Array.of(1.0, 0.5, -1.0, 0.5)
    const best2 = adjustCorrelations(2, 2, P, cc2, Float64Array.of(2, 4), errMean, 2, true, prevCor, scores)
    expect(Array.from(prevCor)).toEqual([(1 - 0.5) / 2, (0.5 + 1) / 2, (-1 - 1) / 2, (0.5 + 2) / 2].map(Math.fround))
    expect(best2).toBe(1)
    // Ties: equal scores keep index 0; an all-zero pool picks 0.
    const tie = adjustCorrelations(2, 1, 1, Float64Array.of(1, 1), Float64Array.of(0, 0), Float32Array.of(0), 1, false, new Float32Array(2), scores)
    expect(tie).toBe(0)
    const zero = adjustCorrelations(3, 1, 1, new Float64Array(3), new Float64Array(3), Float32Array.of(0), 1, false, new Float32Array(3), new Float32Array(3))
    expect(zero).toBe(0)
  })
})

// A hand-sized candidate problem: P = 3 patterns, K = 2 (bias + one input), O = 1, C = 1.
const X = Float32Array.of(1, 0.5, 1, -1, 1, 2)
const E = Float32Array.of(0.2, -0.1, 0.4)
const errMean = Float32Array.of((0.2 - 0.1 + 0.4) / 3)
const sse = 0.04 + 0.01 + 0.16
const candidateInput = (w: ReadonlyArray<number>, maxEpochs: number, meanCorrection?: "fahlman" | "textbook"): CandidatePhaseInput => ({
  P: 3, K: 2, O: 1, C: 1, ldx: 2, X, E, errMean, sse, weights: Float32Array.from(w),
  activation: Activation.symmetricSigmoid,
  settings: { epsilon: 1.5, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs },
  ...(meanCorrection ? { meanCorrection } : {})
})
const hand = (w: ReadonlyArray<number>) => {
  const v = [0, 1, 2].map((p) => sig(X[2 * p]! * Math.fround(w[0]!) + X[2 * p + 1]! * Math.fround(w[1]!)))
  const cc = v.reduce((s, vp, p) => s + vp * E[p]!, 0)
  const sumV = v.reduce((a, b) => a + b, 0)
  return { v, cc, sumV }
}

describe("A.6 candidate phase on a hand-sized case", () => {
  it("bootstrap epoch: correlation with the faithful centring, counted as an epoch", () => {
    const out = tsCandidatePhase(candidateInput([0.3, -0.7], 0))
    const { cc, sumV } = hand([0.3, -0.7])
    expect(out.epochs).toBe(1)
    expect(out.end).toBe(PhaseEnd.timeout)
    expect(out.correlations[0]).toBeCloseTo((cc - (sumV / 3) * errMean[0]!) / sse, 6)
    expect(out.scores[0]).toBeCloseTo(Math.abs((cc - (sumV / 3) * errMean[0]!) / sse), 6)
    expect(Array.from(out.weights)).toEqual([0.3, -0.7].map(Math.fround)) // no update in the bootstrap
    const textbook = tsCandidatePhase(candidateInput([0.3, -0.7], 0, "textbook"))
    expect(textbook.correlations[0]).toBeCloseTo((cc - sumV * errMean[0]!) / sse, 6)
  })

  it("σ comes from the previous epoch's correlation; ε = InputEpsilon/(P·K)", () => {
    for (const w of [[0.3, -0.7], [-0.3, 0.7]]) {
      const boot = hand(w)
      const prevCor = (boot.cc - (boot.sumV / 3) * errMean[0]!) / sse
      const sigma = prevCor < 0 ? -1 : 1
      // slope_i = Σ_p δ_p X_pi with δ_p = −σ·f′_p·(E_p − Ē)/SSE; the first step is gradient mode (d = 0).
      const slope: [number, number] = [0, 0]
      boot.v.forEach((v, p) => {
        const delta = (-sigma * (0.25 - v * v) * (E[p]! - errMean[0]!)) / sse
        slope[0] += delta * X[2 * p]!
        slope[1] += delta * X[2 * p + 1]!
      })
      const eps = 1.5 / (3 * 2)
      const out = tsCandidatePhase(candidateInput(w, 1))
      expect(out.epochs).toBe(2)
      expect(out.weights[0]).toBeCloseTo(Math.fround(w[0]!) - eps * slope[0], 6)
      expect(out.weights[1]).toBeCloseTo(Math.fround(w[1]!) - eps * slope[1], 6)
      // The score after epoch 1 was accumulated with the weights *before* its update: same as the bootstrap's.
      expect(out.correlations[0]).toBeCloseTo(prevCor, 6)
    }
    // The two starting points have correlations of opposite sign, so σ differs between them.
    const a = hand([0.3, -0.7])
    const b = hand([-0.3, 0.7])
    expect(Math.sign(a.cc - (a.sumV / 3) * errMean[0]!)).not.toBe(Math.sign(b.cc - (b.sumV / 3) * errMean[0]!))
  })

  it("no change in the best score ever: runs all maxEpochs (quit starts at maxEpochs), not stagnant", () => {
    // A constant error has E − Ē = 0: zero slopes, the weights never move, the score never changes.
    const flat = Float32Array.of(0.1, 0.1, 0.1)
    const input: CandidatePhaseInput = {
      ...candidateInput([0.3, -0.7], 100), E: flat, errMean: Float32Array.of(Math.fround(0.1)), sse: 0.03,
      settings: { epsilon: 1.5, mu: 2, decay: 0, patience: 3, changeThreshold: 0.03, maxEpochs: 100 }
    }
    const out = tsCandidatePhase(input)
    expect(out.end).toBe(PhaseEnd.timeout)
    expect(out.epochs).toBe(101)
    expect(Array.from(out.weights)).toEqual([0.3, -0.7].map(Math.fround))
  })
})

describe("A.5 output phase on a hand-sized case", () => {
  const P = 2
  const targets = Float32Array.of(0.5, -0.5)
  const Xo = Float32Array.of(1, 1, 1, -1)
  const make = (w: ReadonlyArray<number>, maxEpochs: number, over: Partial<OutputPhaseInput> = {}): OutputPhaseInput => ({
    P, K: 2, O: 1, ldx: 2, X: Xo, targets, weights: Float32Array.from(w), deltas: new Float32Array(2),
    prevSlopes: new Float32Array(2), errors: new Float32Array(2), errSums: new Float32Array(1),
    activation: Activation.symmetricSigmoid, sigmoidPrimeOffset: 0.1, scoreThreshold: 0.4,
    settings: { epsilon: 0.8, mu: 2, decay: 1e-4, patience: 8, changeThreshold: 0.01, maxEpochs },
    history: new Float32Array(2 * (maxEpochs + 1)), ...over
  })

  it("stale errors, statistics, ε = OutputEpsilon/P, decay in the slope", () => {
    const w = [0.1, 0.2]
    const input = make(w, 1)
    const out = tsOutputPhase(input)
    const y = [sig(0.1 + 0.2), sig(0.1 - 0.2)]
    const dif = [y[0]! - 0.5, y[1]! + 0.5]
    const err = dif.map((d, p) => d * (0.25 - y[p]! * y[p]! + 0.1))
    // E, SumErrors and SSE are those of the forward pass before the update.
    expect(input.errors[0]).toBeCloseTo(err[0]!, 6)
    expect(input.errors[1]).toBeCloseTo(err[1]!, 6)
    expect(input.errSums[0]).toBeCloseTo(err[0]! + err[1]!, 6)
    expect(out.sse).toBeCloseTo(err[0]! ** 2 + err[1]! ** 2, 6)
    expect(out.trueError).toBeCloseTo(dif[0]! ** 2 + dif[1]! ** 2, 6)
    expect(out.errorBits).toBe(2) // both |dif| > 0.4
    expect(out.epochs).toBe(1)
    expect(out.epochsRun).toBe(1)
    expect(out.end).toBe(PhaseEnd.timeout)
    const slope = [err[0]! + err[1]!, err[0]! - err[1]!].map((s, i) => s + 1e-4 * Math.fround(w[i]!))
    expect(input.weights[0]).toBeCloseTo(Math.fround(0.1) - (0.8 / P) * slope[0]!, 6)
    expect(input.weights[1]).toBeCloseTo(Math.fround(0.2) - (0.8 / P) * slope[1]!, 6)
    expect(input.prevSlopes[0]).toBeCloseTo(slope[0]!, 6)
    expect(Array.from(input.history.subarray(0, 2))).toEqual([Math.fround(out.trueError), 2])
  })

  it("victory: no update and the epoch is not counted; ErrorBits uses `>`", () => {
    const input = make([0, 10], 5, { scoreThreshold: 0.45 })
    const out = tsOutputPhase(input)
    expect(out.end).toBe(PhaseEnd.win)
    expect(out.epochs).toBe(0)
    expect(out.epochsRun).toBe(1)
    expect(Array.from(input.weights)).toEqual([0, 10])
    // |dif| exactly at the threshold is not an error bit.
    const exact = make([0, 0], 1, { scoreThreshold: 0.5 })
    expect(tsOutputPhase(exact).errorBits).toBe(0)
  })

  it("stagnant after `patience` updated epochs without change; linear outputs use prime 1", () => {
    const input = make([0.1, 0.2], 50, { settings: { epsilon: 1e-12, mu: 2, decay: 0, patience: 3, changeThreshold: 0.01, maxEpochs: 50 } })
    const out = tsOutputPhase(input)
    expect(out.end).toBe(PhaseEnd.stagnant)
    expect(out.epochs).toBe(3)
    const lin = make([0.1, 0.2], 1, { activation: Activation.linear })
    tsOutputPhase(lin)
    expect(lin.errors[0]).toBeCloseTo(0.3 - 0.5, 6)
    expect(lin.errors[1]).toBeCloseTo(-0.1 + 0.5, 6)
  })
})

describe("A.7 cache fill", () => {
  it("X_pK = f(Σ_i X_pi·w_i) written in place at column K", () => {
    const X = Float32Array.of(1, 0.5, 0, 1, -1, 0)
    tsFillColumn(X, 2, 2, 3, Float32Array.of(0.2, 0.4), Activation.symmetricSigmoid)
    expect(X[2]).toBeCloseTo(sig(0.4), 7)
    expect(X[5]).toBeCloseTo(sig(-0.2), 7)
    expect(() => tsFillColumn(X, 2, 3, 3, Float32Array.of(0, 0, 0), 0)).toThrow()
  })
})
