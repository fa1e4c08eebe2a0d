// The optimised TS kernels against a literal, pattern-by-pattern transcription of A.4–A.6 (the shape a native
// backend's equivalence test can reuse): same weights, correlations, scores, best and epochs on random states.
import { describe, expect, it } from "vitest"
import { Activation, quickpropDelta, shrinkFactor, tsCandidatePhase, Xoshiro128 } from "@juniper/cascor"
import type { ActivationCode, CandidatePhaseInput } from "@juniper/cascor"
import { activate, derivative } from "@juniper/cascor"

/** Literal A.6: bootstrap, then per epoch one pass (p outer, c inner), Quickprop, adjust, patience. */
const naiveCandidatePhase = (input: CandidatePhaseInput) => {
  const { P, K, O, C, ldx, X, E, errMean, sse, settings, activation } = input
  const W = Float32Array.from(input.weights)
  const d = new Float32Array(C * K)
  const prev = new Float32Array(C * K)
  const slope = new Float64Array(C * K)
  const prevCor = new Float32Array(C * O)
  const scores = new Float32Array(C)
  let best = 0
  const pass = (train: boolean) => {
    const cc = new Float64Array(C * O)
    const sumV = new Float64Array(C)
    for (let p = 0; p < P; p++)
      for (let c = 0; c < C; c++) {
        let z = 0
        for (let i = 0; i < K; i++) z += X[p * ldx + i]! * W[c * K + i]!
        const v = activate(activation, z)
        sumV[c]! += v
        let sum = 0
        for (let o = 0; o < O; o++) {
          cc[c * O + o]! += E[p * O + o]! * v
          const sigma = prevCor[c * O + o]! < 0 ? -1 : 1
          sum += sigma * (E[p * O + o]! - errMean[o]!)
        }
        if (train) {
          const delta = -(derivative(activation, v, z) * sum) / sse
          for (let i = 0; i < K; i++) slope[c * K + i]! += delta * X[p * ldx + i]!
        }
      }
    return { cc, sumV }
  }
  const adjust = ({ cc, sumV }: { cc: Float64Array; sumV: Float64Array }) => {
    best = 0
    let bestScore = 0
    for (let c = 0; c < C; c++) {
      let s = 0
      for (let o = 0; o < O; o++) {
        prevCor[c * O + o] = (cc[c * O + o]! - (sumV[c]! / P) * errMean[o]!) / sse
        s += Math.abs(prevCor[c * O + o]!)
      }
      scores[c] = s
      if (scores[c]! > bestScore) (bestScore = scores[c]!), (best = c)
    }
  }
  adjust(pass(false))
  let epochs = 1
  let last = 0
  let quit = settings.maxEpochs
  const eps = settings.epsilon / (P * K)
  const shrink = shrinkFactor(settings.mu)
  for (let i = 0; i < settings.maxEpochs; i++) {
    const acc = pass(true)
    for (let k = 0; k < C * K; k++) {
      const s = slope[k]! + settings.decay * W[k]!
      const step = quickpropDelta(s, d[k]!, prev[k]!, eps, settings.mu, shrink)
      W[k] = W[k]! + step
      d[k] = step
      prev[k] = s
      slope[k] = 0
    }
    adjust(acc)
    epochs++
    const bs = scores[best]!
    if (settings.patience === 0) continue
    if (i === 0) last = bs
    else if (Math.abs(bs - last) > last * settings.changeThreshold) (last = bs), (quit = i + settings.patience)
    else if (i >= quit) break
  }
  return { weights: W, correlations: prevCor, scores, best, epochs }
}

const randomState = (seed: number, P: number, K: number, O: number, C: number, activation: ActivationCode): CandidatePhaseInput => {
  const r = Xoshiro128.fromSeed(seed)
  const ldx = K + 3 // a padded stride, as in the trainer
  const X = new Float32Array(P * ldx)
  for (let p = 0; p < P; p++) {
    X[p * ldx] = 1
    for (let i = 1; i < K; i++) X[p * ldx + i] = r.uniform(1)
  }
  const E = new Float32Array(P * O).map(() => r.uniform(0.4))
  const errMean = new Float32Array(O)
  let sse = 0
  for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) (errMean[o]! += E[p * O + o]! / P), (sse += E[p * O + o]! ** 2)
  return {
    P, K, O, C, ldx, X, E, errMean, sse, weights: new Float32Array(C * K).map(() => r.uniform(1)), activation,
    settings: { epsilon: 100, mu: 2, decay: 0, patience: 8, changeThreshold: 0.03, maxEpochs: 60 }
  }
}

describe("ts candidate kernel = literal transcription", () => {
  it("single output: bit-identical (same summation order)", () => {
    for (const seed of [1, 2, 3]) {
      const input = randomState(seed, 37, 6, 1, 5, Activation.symmetricSigmoid)
      const a = tsCandidatePhase(input)
      const b = naiveCandidatePhase(input)
      expect(a.epochs).toBe(b.epochs)
      expect(a.best).toBe(b.best)
      expect(a.weights).toEqual(b.weights)
      expect(a.correlations).toEqual(b.correlations)
      expect(a.scores).toEqual(b.scores)
    }
  })
  it("several outputs and other unit types: equal to rounding", () => {
    for (const [seed, act] of [[4, Activation.symmetricSigmoid], [5, Activation.sigmoid], [6, Activation.tanh], [7, Activation.gaussian]] as const) {
      const input = { ...randomState(seed, 29, 5, 3, 4, act), settings: { epsilon: 1, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs: 5 } }
      const a = tsCandidatePhase(input)
      const b = naiveCandidatePhase(input)
      expect(a.epochs).toBe(b.epochs)
      expect(a.best).toBe(b.best)
      for (let k = 0; k < a.weights.length; k++) expect(a.weights[k]).toBeCloseTo(b.weights[k]!, 4)
      for (let k = 0; k < a.correlations.length; k++) expect(a.correlations[k]).toBeCloseTo(b.correlations[k]!, 5)
    }
  })
  it("a candidate's result does not depend on the pool around it", () => {
    const input = randomState(9, 41, 7, 2, 6, Activation.symmetricSigmoid)
    const pool = tsCandidatePhase({ ...input, settings: { ...input.settings, patience: 0, maxEpochs: 20 } })
    const alone = tsCandidatePhase({
      ...input, C: 1, weights: input.weights.slice(3 * 7, 4 * 7), settings: { ...input.settings, patience: 0, maxEpochs: 20 }
    })
    expect(alone.weights).toEqual(pool.weights.slice(3 * 7, 4 * 7))
    expect(alone.correlations).toEqual(pool.correlations.slice(3 * 2, 4 * 2))
  })
  it("writes the score trace when asked (row 0 = bootstrap)", () => {
    const input = randomState(10, 20, 4, 1, 3, Activation.symmetricSigmoid)
    const trace = new Float32Array(3 * 61)
    const out = tsCandidatePhase({ ...input, scoreTrace: trace })
    expect(Array.from(trace.subarray((out.epochs - 1) * 3, out.epochs * 3))).toEqual(Array.from(out.scores))
    const boot = tsCandidatePhase({ ...input, settings: { ...input.settings, maxEpochs: 0 } })
    expect(Array.from(trace.subarray(0, 3))).toEqual(Array.from(boot.scores))
  })
})
