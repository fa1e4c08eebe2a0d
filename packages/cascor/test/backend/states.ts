/** Real candidate-phase states: two-spirals trainers (TS kernels) stopped before a candidate phase. */
import { Effect } from "effect"
import { FahlmanTrainer, makeParams, twoSpirals, tsKernels } from "../../src/engine/index.js"
import type { CandidatePhaseInput } from "../../src/engine/kernel.js"
import { rng } from "./helpers.js"

export const trainerAtCandidate = (seed: number, units: number, poolSize: number): FahlmanTrainer => {
  const t = FahlmanTrainer.create(makeParams("twoSpirals", { seed, poolSize }), twoSpirals())
  while (!(t.hidden.length >= units && t.stage === "candidate")) Effect.runSync(t.step(tsKernels, { sync: true }))
  return t
}

/** The candidate-phase input of a trainer, with a seeded pool. */
export const candidateInputOf = (t: FahlmanTrainer, C: number, seed: number): CandidatePhaseInput => {
  const s = t.candidateSpec()
  const r = rng(seed)
  return {
    P: s.P, K: s.K, O: s.O, C, ldx: s.ldx, X: s.X, E: s.E, errMean: s.errMean, sse: s.sse,
    weights: new Float32Array(C * s.K).map(() => r() * 2 - 1),
    activation: s.activation, settings: s.settings
  }
}

/** Nine states: (seed, installed units, pool size). */
export const realStates = (): Array<CandidatePhaseInput> =>
  ([[1, 0, 8], [1, 3, 8], [2, 6, 8], [3, 10, 8], [4, 5, 32], [5, 2, 8], [6, 8, 8], [7, 12, 8], [8, 4, 16]] as const).map(
    ([seed, units, C]) => candidateInputOf(trainerAtCandidate(seed, units, C), C, seed * 31 + units)
  )
