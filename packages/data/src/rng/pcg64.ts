// PCG64 (XSL-RR 128/64) as NumPy seeds and steps it (data-api §6.2).
//
// BigInt is far too slow for the hot path, so the 128-bit state lives in four 32-bit limbs (int32 locals).
// For each 32-bit column of state·M + inc, the exact low word comes from Math.imul sums (wrap-around is mod
// 2^32), and the carry into the next column from the same sum in float64: its rounding error is below 2^15
// while the carry is an exact multiple of 2^32, so the carry can be recovered exactly.
// Outputs are produced in batches with the state held in locals, and consumers read them from `out`.
// Where WebAssembly is available, the batch step runs in a tiny shared WASM kernel instead (pcg64-wasm.ts,
// ~5× faster: native 64-bit multiplies); both paths produce the same stream. Seeding (once) uses BigInt.
import { KERNEL_BATCH, NORMALS_CAPACITY, sharedWasmPcg64Kernel, type WasmPcg64Kernel } from "./pcg64-wasm.js"

const M128 = 0x2360ed051fc65da44385df649fccf645n
const MASK128 = (1n << 128n) - 1n
const INV32 = 1 / 4294967296

// Multiplier limbs, least significant first: int32 for Math.imul, unsigned doubles for the carry estimates.
const M0 = 0x9fccf645 | 0
const M1 = 0x4385df64 | 0
const M2 = 0x1fc65da4 | 0
const M3 = 0x2360ed05 | 0
const F0 = 0x9fccf645
const F1 = 0x4385df64
const F2 = 0x1fc65da4

/** Outputs generated per refill. Small enough that tiny datasets do not pay for it. */
export const PCG64_BATCH = KERNEL_BATCH

const limbs = (x: bigint): [number, number, number, number] => [
  Number(x & 0xffffffffn) | 0,
  Number((x >> 32n) & 0xffffffffn) | 0,
  Number((x >> 64n) & 0xffffffffn) | 0,
  Number((x >> 96n) & 0xffffffffn) | 0
]

/** The reference step in BigInt: state·M + inc mod 2^128 (tests and seeding). */
export const pcg64StepBigInt = (state: bigint, inc: bigint): bigint => (state * M128 + inc) & MASK128

/** The reference XSL-RR output of a (stepped) state, in BigInt. */
export const pcg64OutputBigInt = (state: bigint): bigint => {
  const rot = state >> 122n
  const x = ((state >> 64n) ^ state) & 0xffffffffffffffffn
  return ((x >> rot) | (x << ((64n - rot) & 63n))) & 0xffffffffffffffffn
}

export interface Pcg64Options {
  /** Use the WebAssembly batch kernel when available (default true). */
  readonly wasm?: boolean
}

export class Pcg64 {
  /** [s0, s1, s2, s3, i0, i1, i2, i3]: state and increment limbs (int32), least significant first (JS path). */
  private readonly words = new Int32Array(8)
  /** [state lo, state hi, inc lo, inc hi] as the WASM kernel holds them (WASM path). */
  private readonly words64 = new BigUint64Array(4)
  /** The shared WebAssembly kernel, when in use. */
  private readonly kernel: WasmPcg64Kernel | null
  /** Batched outputs as [lo, hi] int32 pairs; pair `pos` is the next one to hand out. */
  readonly out = new Int32Array(2 * PCG64_BATCH)
  /** Next unread pair in `out` (PCG64_BATCH = empty). Hot loops may read `out` directly and advance this. */
  pos = PCG64_BATCH
  /** NumPy's next_uint32 buffer: the high half of a 64-bit draw waits for the next 32-bit request. */
  hasU32 = false
  readonly u32 = new Int32Array(1)
  /** The state right after seeding (before any draw). */
  readonly seededState: bigint
  readonly increment: bigint

  /** `seedWords` = SeedSequence.generate_state(4, uint64): seed = w0<<64|w1, inc = (w2<<64|w3)<<1|1. */
  constructor(seedWords: ReadonlyArray<bigint>, options: Pcg64Options = {}) {
    const [w0 = 0n, w1 = 0n, w2 = 0n, w3 = 0n] = seedWords
    const inc = ((((w2 << 64n) | w3) << 1n) | 1n) & MASK128
    // pcg_setseq_128_srandom_r: state = 0; step; state += seed; step.
    const state = pcg64StepBigInt((pcg64StepBigInt(0n, inc) + ((w0 << 64n) | w1)) & MASK128, inc)
    this.seededState = state
    this.increment = inc
    this.kernel = options.wasm === false ? null : sharedWasmPcg64Kernel()
    this.words64.set([state & 0xffffffffffffffffn, state >> 64n, inc & 0xffffffffffffffffn, inc >> 64n])
    this.words.set([...limbs(state), ...limbs(inc)])
  }

  /** Which batch step is in use. */
  get backend(): "wasm" | "js" {
    return this.kernel ? "wasm" : "js"
  }

  /** Generate the next PCG64_BATCH outputs into `out` and rewind `pos` (call only when `pos` is at the end). */
  refill(): void {
    const kernel = this.kernel
    if (kernel) {
      // The kernel is shared: load this generator's state, step, store it back.
      kernel.words.set(this.words64)
      kernel.refill(PCG64_BATCH)
      this.words64.set(kernel.words)
      this.out.set(kernel.out)
      this.pos = 0
      return
    }
    const w = this.words
    const out = this.out
    let s0 = w[0]!, s1 = w[1]!, s2 = w[2]!, s3 = w[3]!
    const i0 = w[4]!, i1 = w[5]!, i2 = w[6]!, i3 = w[7]!
    const u0 = i0 >>> 0, u1 = i1 >>> 0, u2 = i2 >>> 0
    // Locals, not module constants: V8 re-checks module bindings on every access in a loop.
    const m0 = M0, m1 = M1, m2 = M2, m3 = M3, f0 = F0, f1 = F1, f2 = F2, inv32 = INV32
    for (let k = 0; k < 2 * PCG64_BATCH; k += 2) {
      const d0 = s0 >>> 0, d1 = s1 >>> 0, d2 = s2 >>> 0
      // Low words: exact int32 sums (a carry only matters mod 2^32 there, hence `c | 0`).
      // Carries: floor of the float estimate / 2^32, whose error is < 2^-17; only when the estimate lies
      // that close to an integer is it recomputed exactly from the low word. That keeps the low words off
      // the carry chain, which is the loop's critical path.
      const r0 = (Math.imul(s0, m0) + i0) | 0
      const a0 = d0 * f0 + u0
      let c0 = Math.floor(a0 * inv32)
      let f = a0 * inv32 - c0
      if (f < 1e-4 || f > 0.9999) c0 = Math.floor((a0 - (r0 >>> 0)) * inv32 + 0.5)
      const r1 = (Math.imul(s0, m1) + Math.imul(s1, m0) + i1 + (c0 | 0)) | 0
      const a1 = d0 * f1 + d1 * f0 + c0 + u1
      let c1 = Math.floor(a1 * inv32)
      f = a1 * inv32 - c1
      if (f < 1e-4 || f > 0.9999) c1 = Math.floor((a1 - (r1 >>> 0)) * inv32 + 0.5)
      const r2 = (Math.imul(s0, m2) + Math.imul(s1, m1) + Math.imul(s2, m0) + i2 + (c1 | 0)) | 0
      const a2 = d0 * f2 + d1 * f1 + d2 * f0 + c1 + u2
      let c2 = Math.floor(a2 * inv32)
      f = a2 * inv32 - c2
      if (f < 1e-4 || f > 0.9999) c2 = Math.floor((a2 - (r2 >>> 0)) * inv32 + 0.5)
      const r3 = (Math.imul(s0, m3) + Math.imul(s1, m2) + Math.imul(s2, m1) + Math.imul(s3, m0) + i3 + (c2 | 0)) | 0
      s0 = r0
      s1 = r1
      s2 = r2
      s3 = r3
      // XSL-RR: rotate (hi64 ^ lo64) right by the top 6 state bits. Rotations ≥ 32 swap the halves first
      // (bit 31 of r3), done branch-free because that bit is a coin flip.
      const x1 = r3 ^ r1
      const x0 = r2 ^ r0
      const swap = (x1 ^ x0) & (r3 >> 31)
      const xh = x1 ^ swap
      const xl = x0 ^ swap
      const rot = (r3 >>> 26) & 31
      // `(v << 1) << (31 - rot)` is `v << (32 - rot)` but yields 0 for rot = 0 (JS shifts are mod 32).
      out[k] = (xl >>> rot) | ((xh << 1) << (31 - rot))
      out[k + 1] = (xh >>> rot) | ((xl << 1) << (31 - rot))
    }
    w[0] = s0
    w[1] = s1
    w[2] = s2
    w[3] = s3
    this.pos = 0
  }

  /**
   * n ≤ NORMALS_CAPACITY standard normals into out[offset…] by the WASM kernel, which consumes this
   * generator's stream exactly like NumpyRandom.standardNormalOne. False (nothing done) without a kernel.
   */
  normalsWasm(out: Float64Array, offset: number, n: number): boolean {
    const kernel = this.kernel
    if (!kernel || n > NORMALS_CAPACITY) return false
    kernel.words.set(this.words64)
    kernel.out.set(this.out)
    kernel.pos[0] = this.pos
    kernel.normals(n)
    this.words64.set(kernel.words)
    this.out.set(kernel.out)
    this.pos = kernel.pos[0]!
    out.set(kernel.scratch.subarray(0, n), offset)
    return true
  }

  /** Index into `out` of the next 64-bit output: `out[k]` is its low half, `out[k + 1]` its high half. */
  take(): number {
    if (this.pos === PCG64_BATCH) this.refill()
    return 2 * this.pos++
  }

  /** next_uint64 as a BigInt (tests and debugging only). */
  nextBigUint64(): bigint {
    const k = this.take()
    return (BigInt(this.out[k + 1]! >>> 0) << 32n) | BigInt(this.out[k]! >>> 0)
  }

  /** next_double: (u64 >> 11) · 2^-53. */
  nextDouble(): number {
    const k = this.take()
    const out = this.out
    return ((out[k + 1]! >>> 0) * 2097152 + (out[k]! >>> 11)) * 1.1102230246251565e-16
  }

  /** next_uint32 (as an unsigned number): the low half of a fresh draw, then its buffered high half. */
  nextUint32(): number {
    if (this.hasU32) {
      this.hasU32 = false
      return this.u32[0]! >>> 0
    }
    const k = this.take()
    this.hasU32 = true
    this.u32[0] = this.out[k + 1]!
    return this.out[k]! >>> 0
  }
}
