// NPY v1.0 (data-api §8.2): magic, uint16 LE header length, an ASCII dict literal space-padded so that the
// data starts at a multiple of 64, then C-order little-endian data.
import { Either } from "effect"

export type NpyTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array

export interface NpyArray {
  /** NumPy dtype string, e.g. "<f4". */
  readonly descr: string
  readonly shape: ReadonlyArray<number>
  readonly data: NpyTypedArray
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const ALIGN = 64

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

type Ctor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): NpyTypedArray; BYTES_PER_ELEMENT: number }
const DTYPES: Readonly<Record<string, Ctor>> = {
  "<f4": Float32Array,
  "<f8": Float64Array,
  "|i1": Int8Array,
  "<i2": Int16Array,
  "<i4": Int32Array,
  "<i8": BigInt64Array,
  "|u1": Uint8Array,
  "|b1": Uint8Array,
  "<u2": Uint16Array,
  "<u4": Uint32Array,
  "<u8": BigUint64Array
}

/** Python's repr of a shape tuple: (), (N,), (0, 2). */
export const shapeRepr = (shape: ReadonlyArray<number>): string =>
  shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`

/** The full header (magic … '\n'); its length is a multiple of 64. */
export const npyHeader = (descr: string, shape: ReadonlyArray<number>): Uint8Array => {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`
  const hlen = dict.length + 1
  // As NumPy computes it: a header that is already aligned still gets a full 64 bytes of padding.
  const padlen = ALIGN - ((10 + hlen) % ALIGN)
  const text = dict + " ".repeat(padlen) + "\n"
  const out = new Uint8Array(10 + text.length)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  out[8] = text.length & 0xff
  out[9] = text.length >>> 8
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i)
  return out
}

export const encodeNpy = (a: NpyArray): Uint8Array => {
  if (!IS_LITTLE_ENDIAN) throw new Error("NPY writer needs a little-endian host")
  const count = a.shape.reduce((n, d) => n * d, 1)
  if (count !== a.data.length) throw new RangeError(`shape ${shapeRepr(a.shape)} does not match ${a.data.length} elements`)
  const header = npyHeader(a.descr, a.shape)
  const out = new Uint8Array(header.length + a.data.byteLength)
  out.set(header, 0)
  out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), header.length)
  return out
}

/** Parse an .npy file (versions 1–3, C order). Left = what is wrong with it. */
export const decodeNpy = (bytes: Uint8Array): Either.Either<NpyArray, string> => {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) return Either.left("not an NPY file (bad magic)")
  const major = bytes[6]!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [hlen, start] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12]
  if (start + hlen > bytes.length) return Either.left("truncated NPY header")
  const header = new TextDecoder("latin1").decode(bytes.subarray(start, start + hlen))
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) return Either.left(`bad NPY header: ${header}`)
  if (fortran === "True") return Either.left("fortran_order arrays are not supported")
  const ctor = DTYPES[descr]
  if (!ctor) return Either.left(`unsupported dtype ${descr}`)
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number)
  const count = shape.reduce((n, d) => n * d, 1)
  const dataStart = start + hlen
  const byteLength = count * ctor.BYTES_PER_ELEMENT
  if (dataStart + byteLength > bytes.length) return Either.left("truncated NPY data")
  // Copy: the member's bytes need not be aligned for the typed array.
  const buf = bytes.slice(dataStart, dataStart + byteLength).buffer
  return Either.right({ descr, shape, data: new ctor(buf, 0, count) })
}
