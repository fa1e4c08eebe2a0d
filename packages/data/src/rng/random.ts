// numpy.random.default_rng(seed) → Generator(PCG64(SeedSequence(seed))): the draws JuniperData needs (§6.3-6.6).
import { randomBytes } from "node:crypto"
import { Pcg64, PCG64_BATCH, type Pcg64Options } from "./pcg64.js"
import { NORMALS_CAPACITY } from "./pcg64-wasm.js"
import { seedSequenceState } from "./seed-sequence.js"
import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE } from "./ziggurat-tables.js"

/** A seed as NumPy accepts it: a non-negative integer (any size), or null for OS entropy. */
export type Seed = number | bigint | null

const ZIGGURAT_NOR_R = 3.6541528853610088
const ZIGGURAT_NOR_INV_R = 0.27366123732975828

/** 128 bits of OS entropy, as `SeedSequence(None)` draws them. */
export const entropySeed = (): bigint => BigInt("0x" + randomBytes(16).toString("hex"))

export class NumpyRandom {
  readonly bitGenerator: Pcg64

  constructor(seed: Seed, options: Pcg64Options = {}) {
    this.bitGenerator = new Pcg64(seedSequenceState(seed ?? entropySeed()), options)
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

  /**
   * Fill `out[offset, offset+n)` with standard normals (row-major order for shaped draws). The common case
   * (≈99 %: one draw, accepted by the rectangle test) runs in a tight loop on the batch buffer that stops
   * at the first other draw, which the full algorithm then takes from the start: the stream is consumed
   * exactly as by repeated standardNormalOne calls. (A call inside the tight loop slows it down 2×.)
   */
  fillStandardNormal(out: Float64Array, offset = 0, n = out.length - offset): Float64Array {
    const end = offset + n
    const bg = this.bitGenerator
    let i = offset
    // The whole algorithm in WebAssembly, in slices of at most NORMALS_CAPACITY.
    while (i < end && bg.normalsWasm(out, i, Math.min(end - i, NORMALS_CAPACITY))) i += Math.min(end - i, NORMALS_CAPACITY)
    while (i < end) {
      i = fillNormalsFast(bg, out, i, end)
      if (i < end) out[i++] = this.standardNormalOne()
    }
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

  /**
   * Generator.permutation(n): Fisher–Yates over arange(n), from i = n−1 down to 1, with j = interval(i).
   * The buffered 32-bit draws are inlined here (same stream as nextUint32) because this loop is hot.
   */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`permutation(): bad n ${n}`)
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) out[i] = i
    // In chunks, so the hot loop is a function V8 optimizes as a whole (see shuffleChunk).
    for (let top = n - 1; top >= 1; top -= PERMUTATION_CHUNK) shuffleChunk(this.bitGenerator, out, top, Math.max(1, top - PERMUTATION_CHUNK + 1))
    return out
  }
}

/** Accepted-at-once ziggurat draws into out[i, end); returns where it stopped (end, or a draw that needs more). */
const fillNormalsFast = (bg: Pcg64, out: Float64Array, i: number, end: number): number => {
  const buf = bg.out
  // Module-level bindings are re-checked on every access in V8; locals make this loop 2–4× faster.
  const KI = KI_DOUBLE
  const WI = WI_DOUBLE
  const batch = PCG64_BATCH
  let pos = bg.pos
  for (; i < end; i++) {
    if (pos === batch) {
      bg.refill()
      pos = 0
    }
    const lo = buf[2 * pos]!
    const rabs = (buf[2 * pos + 1]! & 0x1fffffff) * 8388608 + (lo >>> 9)
    const idx = lo & 0xff
    if (!(rabs < KI[idx]!)) break
    pos++
    const x = rabs * WI[idx]!
    out[i] = lo & 0x100 ? -x : x
  }
  bg.pos = pos
  return i
}

const PERMUTATION_CHUNK = 8192

/** Fisher–Yates steps i = top … bottom (descending), with NumPy's buffered 32-bit masked-rejection draws. */
const shuffleChunk = (bg: Pcg64, out: Int32Array, top: number, bottom: number): void => {
  const buf = bg.out
  const batch = PCG64_BATCH
  let has = bg.hasU32
  let held = bg.u32[0]!
  let pos = bg.pos
  let mask = 0xffffffff
  for (let i = top; i >= bottom; i--) {
    // Smallest all-ones mask ≥ i; it only shrinks as i falls.
    while (mask >>> 1 >= i) mask >>>= 1
    let j: number
    do {
      let u: number
      if (has) {
        has = false
        u = held
      } else {
        if (pos === batch) {
          bg.refill()
          pos = 0
        }
        u = buf[2 * pos]!
        held = buf[2 * pos + 1]!
        pos++
        has = true
      }
      j = (u & mask) >>> 0
    } while (j > i)
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  bg.hasU32 = has
  bg.u32[0] = held
  bg.pos = pos
}

/** numpy.random.default_rng(seed). */
export const defaultRng = (seed: Seed, options: Pcg64Options = {}): NumpyRandom => new NumpyRandom(seed, options)
