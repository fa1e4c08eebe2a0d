/**
 * A small, fast, seeded PRNG (xoshiro128**, 32-bit state words via Math.imul) plus a stateless seed hash.
 *
 * Why our own: training must be reproducible across processes and machines from a seed alone, and a candidate's
 * initial weights must depend only on (run seed, unit, candidate index) so a split pool draws the same weights as a
 * local one. The state is four uint32 words, so it snapshots as plain numbers.
 */

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export const fmix32 = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Splits a (safe) integer seed into two uint32 words so seeds above 2³² still differ. */
const seedWords = (seed: number): readonly [number, number] => {
  const lo = seed >>> 0
  const hi = Math.floor(seed / 4294967296) >>> 0
  return [lo, hi]
}

/**
 * hash(seed, ...words) → uint32. Used as hash(runSeed, stream, unit, candidate): every word goes through the mix, so
 * neighbouring indices give unrelated streams.
 */
export const hashSeed = (seed: number, ...words: ReadonlyArray<number>): number => {
  const [lo, hi] = seedWords(seed)
  let h = fmix32(lo ^ 0x9e3779b9)
  h = fmix32(h ^ Math.imul(hi + 0x632be5ab, 0x27d4eb2f))
  for (const w of words) h = fmix32((h + Math.imul(w >>> 0, 0x9e3779b1) + 0x7f4a7c15) >>> 0)
  return h
}

/** The generator state: four uint32 words (never all zero). */
export type RngState = readonly [number, number, number, number]

export class Xoshiro128 {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  /** Seeds from one uint32 through splitmix32 (so similar seeds give unrelated states). */
  static fromSeed(seed: number): Xoshiro128 {
    let x = seed >>> 0
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    return new Xoshiro128([next(), next(), next(), next()])
  }

  constructor(state: RngState) {
    const [a, b, c, d] = state
    this.s0 = a >>> 0
    this.s1 = b >>> 0
    this.s2 = c >>> 0
    this.s3 = d >>> 0
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1 // the all-zero state is a fixed point
  }

  /** Next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** Uniform in [0, 1) with 24 bits: exactly representable in float32, so float32 weights are unrounded draws. */
  nextFloat24(): number {
    return (this.nextU32() >>> 8) * 5.9604644775390625e-8
  }

  /** Uniform in [−range, +range). */
  uniform(range: number): number {
    return range * (2 * this.nextFloat24() - 1)
  }

  /** Standard normal (Box–Muller, one value per call; the second is discarded for a simple state). */
  normal(): number {
    const u1 = (this.nextU32() + 0.5) * 2.3283064365386963e-10 // (0, 1): never log(0)
    const u2 = this.nextU32() * 2.3283064365386963e-10
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }

  state(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0]
  }
}
