// The PCG64 batch step and NumPy's ziggurat as tiny WebAssembly functions. JS numbers cannot multiply
// 64-bit words, WASM can (i64.mul, i64.rotr), which makes a draw ~5× cheaper than the int32-limb path in
// pcg64.ts. The module is assembled here from readable instructions (no binary blob). There is ONE shared
// instance per process (a WASM memory reserves a large virtual range, so one per generator would not
// scale); each Pcg64 swaps its state and batch buffer in and out around a call. pcg64.ts falls back to its
// JS path if WebAssembly is unavailable, and tests check both against BigInt and NumPy references.
//
// Memory (one 64 KiB page): [0] state lo, [8] state hi, [16] inc lo, [24] inc hi (u64 LE), [32] buffer
// position (i32), outputs from byte 64 as u64 = [lo32, hi32] pairs (the layout Pcg64.out uses), then the
// ziggurat tables ki/wi/fi (f64[256] each), then a scratch area for normals.
// refill(n): n times { state = state·M + inc (mod 2^128); out[k] = rotr64(hi ^ lo, hi >> 58) }.
// normals(n): n standard normals into the scratch area, drawing from the buffer exactly like
// NumpyRandom.standardNormalOne (exp and log1p are imported from JS Math, as the JS path uses them).

import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE } from "./ziggurat-tables.js"

/** Outputs per refill; baked into the module. */
export const KERNEL_BATCH = 1024
export const WASM_OUT_OFFSET = 64
const POS_OFFSET = 32
const KI_OFFSET = WASM_OUT_OFFSET + 8 * KERNEL_BATCH
const WI_OFFSET = KI_OFFSET + 8 * 256
const FI_OFFSET = WI_OFFSET + 8 * 256
const SCRATCH_OFFSET = FI_OFFSET + 8 * 256
/** Normals per `normals` call at most. */
export const NORMALS_CAPACITY = 4096

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
  block: 0x02, loop: 0x03, if: 0x04, br: 0x0c, brIf: 0x0d, end: 0x0b, call: 0x10, select: 0x1b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i64Const: 0x42, i32Load: 0x28, i64Load: 0x29, f64Load: 0x2b, i32Store: 0x36, i64Store: 0x37,
  f64Store: 0x39,
  i32Eqz: 0x45, i32Eq: 0x46, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Shl: 0x74,
  i64LtU: 0x54, f64Lt: 0x63, f64Gt: 0x64, i64Add: 0x7c, i64Mul: 0x7e, i64And: 0x83, i64Xor: 0x85, i64ShrU: 0x88,
  i64Rotr: 0x8a, f64Neg: 0x9a, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, i32WrapI64: 0xa7, i64ExtendI32U: 0xad,
  f64ConvertI64U: 0xba, f64Const: 0x44
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

const locals = (groups: Array<[number, number]>) => vec(groups.map(([count, type]) => [...uleb(count), type]))
const refillCode = [...locals([[2, I32], [10, I64]]), ...body]

// Function indices: the imports come first.
const EXP = 0
const LOG1P = 1
const REFILL = 2

const f64c = (v: number) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, v, true)
  return [op.f64Const, ...b]
}

// normals(n). Locals: 0 n (param), 1 count, 2 pos, 3 idx8 (i32); 4 r (i64); 5 rabs, 6 x, 7 xx, 8 yy (f64).
const [CNT, POS, IDX8, R, RABS, X, XX, YY] = [1, 2, 3, 4, 5, 6, 7, 8]
const F64 = 0x7c
/** Push the next buffered u64 (refilling an exhausted buffer, as Pcg64.take does). */
const take = [
  ...get(POS), ...k32(KERNEL_BATCH), op.i32Eq, op.if, 0x40,
  ...k32(KERNEL_BATCH), op.call, REFILL, ...k32(0), ...set(POS),
  op.end,
  ...get(POS), ...k32(3), op.i32Shl, op.i64Load, 3, ...uleb(WASM_OUT_OFFSET),
  ...get(POS), ...k32(1), op.i32Add, ...set(POS)
]
/** Push next_double = (u64 >> 11) · 2^-53. */
const nextDouble = [...take, ...k64(11n), op.i64ShrU, op.f64ConvertI64U, ...f64c(2 ** -53), op.f64Mul]
/** scratch[count++] = value (the value's instructions in between). */
const storeCount = (value: Array<number>) => [
  ...get(CNT), ...k32(3), op.i32Shl, ...value, op.f64Store, 3, ...uleb(SCRATCH_OFFSET),
  ...get(CNT), ...k32(1), op.i32Add, ...set(CNT)
]
const tableAt = (offset: number, delta = 0) => [...get(IDX8), op.f64Load, 3, ...uleb(offset + delta)]

const normalsBody: Array<number> = [
  ...k32(0), op.i32Load, 2, ...uleb(POS_OFFSET), ...set(POS),
  op.block, 0x40, op.loop, 0x40, // $done, $each
  ...get(CNT), ...get(N), op.i32GeU, op.brIf, 1,
  ...take, ...set(R),
  ...get(R), op.i32WrapI64, ...k32(0xff), op.i32And, ...k32(3), op.i32Shl, ...set(IDX8),
  // rabs = bits 9..60 of the draw; x = rabs·wi[idx], negative when bit 8 is set.
  ...get(R), ...k64(9n), op.i64ShrU, ...k64((1n << 52n) - 1n), op.i64And, op.f64ConvertI64U, ...set(RABS),
  ...get(RABS), ...tableAt(WI_OFFSET), op.f64Mul, ...set(X),
  ...get(X), op.f64Neg, ...get(X), ...get(R), op.i32WrapI64, ...k32(0x100), op.i32And, op.select, ...set(X),
  // Rectangle: accept.
  ...get(RABS), ...tableAt(KI_OFFSET), op.f64Lt, op.if, 0x40,
  ...storeCount(get(X)), op.br, 1,
  op.end,
  // Base strip (idx 0): the tail beyond r by exponential rejection; sign from bit 17 of the draw.
  ...get(IDX8), op.i32Eqz, op.if, 0x40,
  op.loop, 0x40, // $tail
  ...f64c(-0.27366123732975828), ...f64c(0), ...nextDouble, op.f64Sub, op.call, LOG1P, op.f64Mul, ...set(XX),
  ...f64c(0), ...f64c(0), ...nextDouble, op.f64Sub, op.call, LOG1P, op.f64Sub, ...set(YY),
  ...get(YY), ...get(YY), op.f64Add, ...get(XX), ...get(XX), op.f64Mul, op.f64Gt, op.if, 0x40,
  ...storeCount([
    ...f64c(3.6541528853610088), ...get(XX), op.f64Add, op.f64Neg,
    ...f64c(3.6541528853610088), ...get(XX), op.f64Add,
    ...get(R), ...k64(17n), op.i64ShrU, op.i32WrapI64, ...k32(1), op.i32And, op.select
  ]),
  op.br, 3, // next normal ($each)
  op.end,
  op.br, 0, // $tail
  op.end,
  op.end,
  // Wedge: accept if (fi[idx−1] − fi[idx])·u + fi[idx] < exp(−x²/2), else draw again.
  ...tableAt(FI_OFFSET, -8), ...tableAt(FI_OFFSET), op.f64Sub, ...nextDouble, op.f64Mul, ...tableAt(FI_OFFSET), op.f64Add,
  ...f64c(-0.5), ...get(X), op.f64Mul, ...get(X), op.f64Mul, op.call, EXP,
  op.f64Lt, op.if, 0x40,
  ...storeCount(get(X)),
  op.end,
  op.br, 0, // $each
  op.end, op.end,
  ...k32(0), ...get(POS), op.i32Store, 2, ...uleb(POS_OFFSET),
  ...get(CNT),
  op.end
]
const normalsCode = [...locals([[3, I32], [1, I64], [4, F64]]), ...normalsBody]

const moduleBytes = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // Types: 0 (i32) -> (), 1 (i32) -> (i32), 2 (f64) -> (f64).
  ...section(1, vec([[0x60, 1, I32, 0], [0x60, 1, I32, 1, I32], [0x60, 1, F64, 1, F64]])),
  ...section(2, vec([[...name("m"), ...name("exp"), 0x00, 2], [...name("m"), ...name("log1p"), 0x00, 2]])),
  ...section(3, vec([[0], [1]])), // refill: type 0, normals: type 1
  ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
  ...section(7, vec([[...name("mem"), 0x02, 0], [...name("refill"), 0x00, REFILL], [...name("normals"), 0x00, REFILL + 1]])),
  ...section(10, vec([[...uleb(refillCode.length), ...refillCode], [...uleb(normalsCode.length), ...normalsCode]]))
])

export interface WasmPcg64Kernel {
  /** The instance's memory as u64 words ([0..3] = state lo/hi, inc lo/hi). */
  readonly words: BigUint64Array
  /** Outputs as [lo, hi] int32 pairs. */
  readonly out: Int32Array
  readonly refill: (n: number) => void
  /** The buffer position `normals` reads and writes (pos[0]). */
  readonly pos: Int32Array
  /** n ≤ NORMALS_CAPACITY standard normals into `scratch` (returns n). */
  readonly normals: (n: number) => number
  readonly scratch: Float64Array
}

// The tsconfig's lib (ES2022, no DOM) does not declare WebAssembly; this is the little we use of it.
interface WasmModule {
  readonly __wasmModule?: never
}
declare const WebAssembly: {
  readonly Module: new (bytes: Uint8Array) => WasmModule
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> }
}

let shared: WasmPcg64Kernel | null | undefined

/** The process-wide kernel, or null where WebAssembly is unavailable, fails, or is disabled. */
export const sharedWasmPcg64Kernel = (): WasmPcg64Kernel | null => {
  if (shared !== undefined) return shared
  shared = null
  if (process.env["JUNIPER_DATA_PCG64_WASM"] === "0") return shared
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes), { m: { exp: Math.exp, log1p: Math.log1p } })
    const mem = instance.exports["mem"] as { readonly buffer: ArrayBuffer }
    new Float64Array(mem.buffer, KI_OFFSET, 256).set(KI_DOUBLE)
    new Float64Array(mem.buffer, WI_OFFSET, 256).set(WI_DOUBLE)
    new Float64Array(mem.buffer, FI_OFFSET, 256).set(FI_DOUBLE)
    shared = {
      words: new BigUint64Array(mem.buffer, 0, 4),
      out: new Int32Array(mem.buffer, WASM_OUT_OFFSET, 2 * KERNEL_BATCH),
      refill: instance.exports["refill"] as (n: number) => void,
      pos: new Int32Array(mem.buffer, POS_OFFSET, 1),
      normals: instance.exports["normals"] as (n: number) => number,
      scratch: new Float64Array(mem.buffer, SCRATCH_OFFSET, NORMALS_CAPACITY)
    }
  } catch {
    // e.g. a virtual-memory ulimit too small for a WASM memory: the JS path does the same work.
  }
  return shared
}
