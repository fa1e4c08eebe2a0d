// numpy.random.default_rng(seed) → Generator(PCG64(SeedSequence(seed))): the draws JuniperData needs (§6.3-6.6).
import { randomBytes } from "node:crypto"
import { Pcg64 } from "./pcg64.js"
import { seedSequenceState } from "./seed-sequence.js"
import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE } from "./ziggurat-tables.js"

/** A seed as NumPy accepts it: a non-negative integer (any size), or null for OS entropy. */
export type Seed = number | bigint | null

const ZIGGURAT_NOR_R = 3.6541528853610088
const ZIGGURAT_NOR_INV_R = 0.27366123732975828
const TWO_POW_M53 = 1.1102230246251565e-16

/** 128 bits of OS entropy, as `SeedSequence(None)` draws them. */
export const entropySeed = (): bigint => BigInt("0x" + randomBytes(16).toString("hex"))

export class NumpyRandom {
  readonly bitGenerator: Pcg64

  constructor(seed: Seed) {
    this.bitGenerator = new Pcg64(seedSequenceState(seed ?? entropySeed()))
  }

  /** Generator.random(): one double in [0, 1). */
  random(): number {
    return this.bitGenerator.nextDouble()
  }

  /** Generator.random(n). */
  randomArray(n: number): Float64Array {
    const out = new Float64Array(n)
    const bg = this.bitGenerator
    for (let i = 0; i < n; i++) out[i] = bg.nextDouble()
    return out
  }

  /** Generator.uniform(low, high, n) = low + (high − low)·random(). */
  uniform(low: number, high: number, n: number): Float64Array {
    const out = new Float64Array(n)
    const scale = high - low
    const bg = this.bitGenerator
    for (let i = 0; i < n; i++) out[i] = low + scale * bg.nextDouble()
    return out
  }

  /** One Generator.standard_normal() draw: NumPy's 256-level ziggurat. */
  standardNormalOne(): number {
    const bg = this.bitGenerator
    for (;;) {
      const k = bg.take()
      const lo = bg.out[k]!
      const hi = bg.out[k + 1]!
      const idx = lo & 0xff
      // rabs = bits 9..60 of the draw (52 bits), sign = bit 8.
      const rabs = (hi & 0x1fffffff) * 8388608 + (lo >>> 9)
      let x = rabs * WI_DOUBLE[idx]!
      if (lo & 0x100) x = -x
      if (rabs < KI_DOUBLE[idx]!) return x
      if (idx === 0) {
        // Tail beyond r: Marsaglia's exponential rejection; the sign comes from bit 8 of rabs.
        for (;;) {
          const xx = -ZIGGURAT_NOR_INV_R * Math.log1p(-bg.nextDouble())
          const yy = -Math.log1p(-bg.nextDouble())
          if (yy + yy > xx * xx) return (lo >>> 17) & 1 ? -(ZIGGURAT_NOR_R + xx) : ZIGGURAT_NOR_R + xx
        }
      }
      if ((FI_DOUBLE[idx - 1]! - FI_DOUBLE[idx]!) * bg.nextDouble() + FI_DOUBLE[idx]! < Math.exp(-0.5 * x * x)) return x
    }
  }

  /** Fill `out[offset, offset+n)` with standard normals (row-major order for shaped draws). */
  fillStandardNormal(out: Float64Array, offset = 0, n = out.length - offset): Float64Array {
    for (let i = offset, end = offset + n; i < end; i++) out[i] = this.standardNormalOne()
    return out
  }

  /** Generator.standard_normal(n); a shape (r, c) is n = r·c in row-major order. */
  standardNormal(n: number): Float64Array {
    return this.fillStandardNormal(new Float64Array(n))
  }

  /** A uniform integer in [0, max] by masked rejection on buffered 32-bit draws (NumPy's random_interval). */
  interval(max: number): number {
    if (max === 0) return 0
    if (max > 0xffffffff) throw new RangeError("interval(): max above 2^32 - 1 is not supported")
    let mask = max
    mask |= mask >>> 1
    mask |= mask >>> 2
    mask |= mask >>> 4
    mask |= mask >>> 8
    mask |= mask >>> 16
    mask >>>= 0
    const bg = this.bitGenerator
    for (;;) {
      const v = (bg.nextUint32() & mask) >>> 0
      if (v <= max) return v
    }
  }

  /** Generator.permutation(n): Fisher–Yates over arange(n), from i = n−1 down to 1. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`permutation(): bad n ${n}`)
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) out[i] = i
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i)
      const t = out[i]!
      out[i] = out[j]!
      out[j] = t
    }
    return out
  }
}

/** numpy.random.default_rng(seed). */
export const defaultRng = (seed: Seed): NumpyRandom => new NumpyRandom(seed)
