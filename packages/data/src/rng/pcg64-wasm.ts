// The PCG64 batch step as a tiny WebAssembly function. JS numbers cannot multiply 64-bit words, WASM can
// (i64.mul, i64.rotr), which makes a draw ~5× cheaper than the int32-limb path in pcg64.ts. The module is
// assembled here from readable instructions (no binary blob); pcg64.ts falls back to its JS path if
// WebAssembly is unavailable, and tests check both against a BigInt reference.
//
// Memory layout (one 64 KiB page per generator): [0] state lo, [8] state hi, [16] inc lo, [24] inc hi
// (u64 little-endian), outputs from byte 64 as u64 = [lo32, hi32] pairs, the layout Pcg64.out expects.
// refill(n): n times { state = state·M + inc (mod 2^128); out[k] = rotr64(hi ^ lo, hi >> 58) }.

export const WASM_OUT_OFFSET = 64

const M_LO = 0x4385df649fccf645n
const M_HI = 0x2360ed051fc65da4n

const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

/** Signed LEB128 of a 64-bit two's-complement value. */
const sleb64 = (v: bigint): Array<number> => {
  let x = BigInt.asIntN(64, v)
  const out: Array<number> = []
  for (;;) {
    const b = Number(x & 0x7fn)
    x >>= 7n
    const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)
    out.push(done ? b : b | 0x80)
    if (done) return out
  }
}

const section = (id: number, body: Array<number>): Array<number> => [id, ...uleb(body.length), ...body]
const vec = (items: Array<Array<number>>): Array<number> => [...uleb(items.length), ...items.flat()]
const name = (s: string): Array<number> => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]

// Opcodes used below.
const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i64Const: 0x42, i64Load: 0x29, i64Store: 0x37,
  i32GeU: 0x4f, i32Add: 0x6a, i32Shl: 0x74,
  i64LtU: 0x54, i64Add: 0x7c, i64Mul: 0x7e, i64And: 0x83, i64Xor: 0x85, i64ShrU: 0x88, i64Rotr: 0x8a,
  i64ExtendI32U: 0xad
} as const
const I32 = 0x7f
const I64 = 0x7e

// Locals: 0 n (param), 1 p, 2 end (i32); 3 sl, 4 sh, 5 il, 6 ih, 7 a0, 8 a1, 9 p01, 10 p10, 11 lo, 12 hi (i64).
const [N, P, END, SL, SH, IL, IH, A0, A1, P01, P10, LO, HI] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
const get = (i: number) => [op.get, i]
const set = (i: number) => [op.set, i]
const k64 = (v: bigint) => [op.i64Const, ...sleb64(v)]
const k32 = (v: number) => [op.i32Const, ...sleb64(BigInt(v))] // i32.const takes signed LEB128 too
const load = (offset: number) => [...k32(0), op.i64Load, 3, ...uleb(offset)]
const store = (offset: number, local: number) => [...k32(0), ...get(local), op.i64Store, 3, ...uleb(offset)]

const body: Array<number> = [
  ...load(0), ...set(SL), ...load(8), ...set(SH), ...load(16), ...set(IL), ...load(24), ...set(IH),
  ...k32(WASM_OUT_OFFSET), ...set(P),
  ...get(N), ...k32(3), op.i32Shl, ...k32(WASM_OUT_OFFSET), op.i32Add, ...set(END),
  op.block, 0x40, op.loop, 0x40,
  ...get(P), ...get(END), op.i32GeU, op.brIf, 1,
  // mulhi(sl, M_LO) from 32-bit halves: a1·b1 + (a1·b0 >> 32) + (a0·b1 >> 32) + (mid >> 32).
  ...get(SL), ...k64(0xffffffffn), op.i64And, ...set(A0),
  ...get(SL), ...k64(32n), op.i64ShrU, ...set(A1),
  ...get(A0), ...k64(M_LO >> 32n), op.i64Mul, ...set(P01),
  ...get(A1), ...k64(M_LO & 0xffffffffn), op.i64Mul, ...set(P10),
  ...get(A1), ...k64(M_LO >> 32n), op.i64Mul,
  ...get(P10), ...k64(32n), op.i64ShrU, op.i64Add,
  ...get(P01), ...k64(32n), op.i64ShrU, op.i64Add,
  // mid = (a0·b0 >> 32) + (p10 & 0xffffffff) + (p01 & 0xffffffff)
  ...get(A0), ...k64(M_LO & 0xffffffffn), op.i64Mul, ...k64(32n), op.i64ShrU,
  ...get(P10), ...k64(0xffffffffn), op.i64And, op.i64Add,
  ...get(P01), ...k64(0xffffffffn), op.i64And, op.i64Add,
  ...k64(32n), op.i64ShrU, op.i64Add,
  // hi = mulhi + sl·M_HI + sh·M_LO + ih (+ carry below)
  ...get(SL), ...k64(M_HI), op.i64Mul, op.i64Add,
  ...get(SH), ...k64(M_LO), op.i64Mul, op.i64Add,
  ...get(IH), op.i64Add, ...set(HI),
  // lo = sl·M_LO + il; carry = lo < il
  ...get(SL), ...k64(M_LO), op.i64Mul, ...get(IL), op.i64Add, op.tee, LO,
  ...get(IL), op.i64LtU, op.i64ExtendI32U, ...get(HI), op.i64Add, op.tee, HI, ...set(SH),
  ...get(LO), ...set(SL),
  // out = rotr64(hi ^ lo, hi >> 58)
  ...get(P), ...get(HI), ...get(LO), op.i64Xor, ...get(HI), ...k64(58n), op.i64ShrU, op.i64Rotr,
  op.i64Store, 3, 0,
  ...get(P), ...k32(8), op.i32Add, ...set(P),
  op.br, 0,
  op.end, op.end,
  ...store(0, SL), ...store(8, SH),
  op.end
]

const code = [...vec([[2, I32], [10, I64]].map(([count, type]) => [...uleb(count!), type!])), ...body]

const moduleBytes = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, 1, I32, 0]])), // type 0: (i32) -> ()
  ...section(3, vec([[0]])), // one function of type 0
  ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
  ...section(7, vec([[...name("mem"), 0x02, 0], [...name("refill"), 0x00, 0]])),
  ...section(10, vec([[...uleb(code.length), ...code]]))
])

export interface WasmPcg64Kernel {
  /** The instance's memory as u64 words ([0..3] = state lo/hi, inc lo/hi). */
  readonly words: BigUint64Array
  /** Outputs as [lo, hi] int32 pairs. */
  readonly out: Int32Array
  readonly refill: (n: number) => void
}

// The tsconfig's lib (ES2022, no DOM) does not declare WebAssembly; this is the little we use of it.
interface WasmModule {
  readonly __wasmModule?: never
}
declare const WebAssembly: {
  readonly Module: new (bytes: Uint8Array) => WasmModule
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> }
}

let compiled: WasmModule | null | undefined

/** A fresh kernel with its own memory, or null where WebAssembly is unavailable (or disabled). */
export const makeWasmPcg64Kernel = (batch: number): WasmPcg64Kernel | null => {
  if (compiled === undefined) {
    try {
      compiled = process.env["JUNIPER_DATA_PCG64_WASM"] === "0" ? null : new WebAssembly.Module(moduleBytes)
    } catch {
      compiled = null
    }
  }
  if (compiled === null) return null
  const instance = new WebAssembly.Instance(compiled, {})
  const mem = instance.exports["mem"] as { readonly buffer: ArrayBuffer }
  const refill = instance.exports["refill"] as (n: number) => void
  return {
    words: new BigUint64Array(mem.buffer, 0, 4),
    out: new Int32Array(mem.buffer, WASM_OUT_OFFSET, 2 * batch),
    refill
  }
}
