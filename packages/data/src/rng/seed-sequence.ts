// NumPy SeedSequence(seed).generate_state(4, uint64), for an integer seed and no spawn key (data-api §6.1).
// Everything is uint32 arithmetic, so Math.imul + `>>> 0` reproduces it exactly.

const INIT_A = 0x43b0d7e5
const MULT_A = 0x931e8875
const INIT_B = 0x8b51f9dd
const MULT_B = 0x58f38ded
const MIX_MULT_L = 0xca01f9dd
const MIX_MULT_R = 0x4973f715
const XSHIFT = 16
const POOL_SIZE = 4

/** A non-negative integer seed as little-endian uint32 words (0 → [0]), like NumPy's `_coerce_to_uint32_array`. */
export const seedToWords = (seed: number | bigint): Uint32Array => {
  let v: bigint
  if (typeof seed === "bigint") v = seed
  else {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
    v = BigInt(seed)
  }
  if (v < 0n) throw new RangeError("expected non-negative integer seed")
  const words: Array<number> = []
  do {
    words.push(Number(v & 0xffffffffn))
    v >>= 32n
  } while (v > 0n)
  return Uint32Array.from(words)
}

/** The SeedSequence pool (4 × uint32) after mixing in the entropy words. */
export const mixEntropy = (entropy: Uint32Array): Uint32Array => {
  let h = INIT_A
  const hashmix = (value: number): number => {
    let v = (value ^ h) >>> 0
    h = Math.imul(h, MULT_A) >>> 0
    v = Math.imul(v, h) >>> 0
    return (v ^ (v >>> XSHIFT)) >>> 0
  }
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0
    return (r ^ (r >>> XSHIFT)) >>> 0
  }
  const pool = new Uint32Array(POOL_SIZE)
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i]! : 0)
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!))
    }
  }
  // Entropy beyond the pool size is folded into every pool entry.
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!))
  }
  return pool
}

/** `generate_state(nWords64, uint64)` as 2·nWords64 little-endian uint32 words. */
export const generateStateWords = (pool: Uint32Array, nWords64: number): Uint32Array => {
  const out = new Uint32Array(nWords64 * 2)
  let h = INIT_B
  for (let i = 0; i < out.length; i++) {
    let v = (pool[i % pool.length]! ^ h) >>> 0
    h = Math.imul(h, MULT_B) >>> 0
    v = Math.imul(v, h) >>> 0
    out[i] = (v ^ (v >>> XSHIFT)) >>> 0
  }
  return out
}

/** SeedSequence(seed).generate_state(4, np.uint64) as BigInts (used for seeding and golden tests). */
export const seedSequenceState = (seed: number | bigint): ReadonlyArray<bigint> => {
  const w = generateStateWords(mixEntropy(seedToWords(seed)), 4)
  const out: Array<bigint> = []
  for (let k = 0; k < 4; k++) out.push((BigInt(w[2 * k + 1]!) << 32n) | BigInt(w[2 * k]!))
  return out
}
