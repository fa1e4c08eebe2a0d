/**
 * Initial weights, each drawn from its own seeded stream, so that any piece of the run can be recreated alone:
 * candidate c of unit u always starts from the same weights, whatever process trains it or however the pool is
 * split (engine/candidate-job.ts relies on this).
 */
import { hashSeed, Xoshiro128 } from "./prng.js"

/** Stream tags, so the different uses of one run seed never share a sequence. */
export const SeedStream = {
  outputInit: 1,
  candidate: 2,
  upstreamCandidate: 3,
  upstreamOutput: 4
} as const

/** The PRNG of candidate `candidate` for hidden unit `unit` (0-based: the number of units installed before it). */
export const candidateRng = (runSeed: number, unit: number, candidate: number, stream: number = SeedStream.candidate) =>
  Xoshiro128.fromSeed(hashSeed(runSeed, stream, unit, candidate))

/**
 * Faithful pool init (A.6/A.7): candidates [c0, c1) of unit `unit`, K weights each, uniform in [−WR, +WR).
 * Row r of the result is candidate c0 + r.
 */
export const candidateWeights = (
  runSeed: number,
  unit: number,
  c0: number,
  c1: number,
  K: number,
  weightRange: number
): Float32Array => {
  const w = new Float32Array((c1 - c0) * K)
  for (let c = c0; c < c1; c++) {
    const rng = candidateRng(runSeed, unit, c)
    for (let i = 0; i < K; i++) w[(c - c0) * K + i] = rng.uniform(weightRange)
  }
  return w
}

/** The run's own generator (output-weight init; kept in the snapshot). */
export const runRng = (runSeed: number) => Xoshiro128.fromSeed(hashSeed(runSeed, SeedStream.outputInit))
