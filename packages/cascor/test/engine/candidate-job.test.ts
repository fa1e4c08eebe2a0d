// Split candidate pools give exactly the local result; jobs survive their wire form.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  candidateWeights,
  decodeCandidateJob,
  decodeCandidateJobResult,
  encodeCandidateJob,
  encodeCandidateJobResult,
  FahlmanTrainer,
  localExecutor,
  makeParams,
  runCandidateJob,
  runCandidatePool,
  splitPool,
  trainSync,
  tsKernels,
  twoSpirals
} from "@juniper/cascor"
import type { CandidateExecutor, CandidateJob } from "@juniper/cascor"

/** A trainer a few units in, stopped before a candidate phase: a realistic pool to split. */
const trainerAtCandidate = (seed: number, units: number, poolSize: number) => {
  const t = FahlmanTrainer.create(makeParams("twoSpirals", { seed, poolSize }), twoSpirals())
  while (!(t.hidden.length >= units && t.stage === "candidate")) Effect.runSync(t.step(tsKernels, { sync: true }))
  return t
}

describe("candidate init", () => {
  it("candidate c of unit u gets the same weights however the pool is split", () => {
    const whole = candidateWeights(7, 3, 0, 10, 5, 1)
    const parts = [candidateWeights(7, 3, 0, 4, 5, 1), candidateWeights(7, 3, 4, 7, 5, 1), candidateWeights(7, 3, 7, 10, 5, 1)]
    expect(Float32Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(whole)
    expect(candidateWeights(7, 4, 0, 1, 5, 1)).not.toEqual(whole.slice(0, 5))
    expect(whole.every((w) => w >= -1 && w < 1)).toBe(true)
  })
  it("splitPool covers [0, C) with non-empty contiguous ranges", () => {
    expect(splitPool(8, 3)).toEqual([[0, 2], [2, 5], [5, 8]])
    expect(splitPool(2, 5)).toEqual([[0, 1], [1, 2]])
    expect(splitPool(5, 1)).toEqual([[0, 5]])
  })
})

describe("split pools", () => {
  for (const [seed, units, C] of [[1, 3, 8], [2, 6, 16]] as const) {
    it(`seed ${seed}, unit ${units}, C = ${C}: every split equals the local pool`, () => {
      const t = trainerAtCandidate(seed, units, C)
      const spec = t.candidateSpec()
      const exec = localExecutor(tsKernels, true)
      const local = Effect.runSync(runCandidatePool(exec, spec, C, 1))
      // The local pool is the plain faithful kernel call.
      const direct = tsKernels.candidatePhase({
        P: spec.P, K: spec.K, O: spec.O, C, ldx: spec.ldx, X: spec.X, E: spec.E, errMean: spec.errMean, sse: spec.sse,
        weights: candidateWeights(spec.runSeed, spec.unit, 0, C, spec.K, spec.weightRange), activation: 0,
        settings: spec.settings
      })
      expect(local.best).toBe(direct.best)
      expect(local.epochs).toBe(direct.epochs)
      expect(local.weights).toEqual(direct.weights.slice(direct.best * spec.K, (direct.best + 1) * spec.K))
      for (const chunks of [2, 3, C]) {
        const split = Effect.runSync(runCandidatePool(exec, spec, C, chunks))
        expect(split).toEqual(local)
      }
    })
  }

  it("a whole run with a split pool grows the identical network", () => {
    const params = makeParams("twoSpirals", { seed: 9, rounds: 6 })
    const local = trainSync(tsKernels, params, twoSpirals()).run
    const split = trainSync(tsKernels, params, twoSpirals(), { candidateChunks: 3 }).run
    expect(split.network()).toEqual(local.network())
    expect(split.status()).toEqual(local.status())
    // The stop rule was exercised: candidate phases ended by stagnation, not only by running out.
    const ends = (local as FahlmanTrainer).historyRecords().filter((r) => r.phase === "candidate").map((r) => r.end)
    expect(ends).toContain("stagnant")
  })

  it("jobs and results survive JSON (another process or machine)", async () => {
    const t = trainerAtCandidate(3, 2, 8)
    const spec = t.candidateSpec()
    // A remote executor: encode → JSON → decode → run → encode → JSON → decode.
    let shipped = 0
    const remote: CandidateExecutor = (job: CandidateJob) =>
      Effect.gen(function* () {
        const wire = JSON.stringify(encodeCandidateJob(job))
        shipped += wire.length
        const decoded = yield* Effect.orDie(decodeCandidateJob(JSON.parse(wire)))
        expect(decoded.ldx).toBe(decoded.K) // compacted: only the K columns in use travel
        const result = yield* runCandidateJob(tsKernels, decoded)
        return yield* Effect.orDie(decodeCandidateJobResult(JSON.parse(JSON.stringify(encodeCandidateJobResult(result)))))
      })
    const local = await Effect.runPromise(runCandidatePool(localExecutor(tsKernels), spec, 8, 1))
    const viaWire = await Effect.runPromise(runCandidatePool(remote, spec, 8, 4))
    expect(viaWire).toEqual(local)
    expect(shipped).toBeGreaterThan(0)
  })
})
