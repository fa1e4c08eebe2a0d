/**
 * Wire forms of typed arrays: little-endian bytes as base64 strings. Exact (bit-for-bit), about 1.33 bytes per byte,
 * and JSON-safe, which number arrays are not for NaN/Infinity and cost ~3× the size. Used by snapshots, candidate
 * jobs and the network model.
 */
import { Either, Encoding, ParseResult, Schema } from "effect"

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

const bytesOf = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const decodeBytes = (s: string, bytesPerElement: number): Uint8Array | string => {
  if (!isLittleEndian) return "big-endian hosts are not supported"
  const bytes = Encoding.decodeBase64(s)
  if (Either.isLeft(bytes)) return "not base64"
  if (bytes.right.byteLength % bytesPerElement !== 0)
    return `byte length ${bytes.right.byteLength} is not a multiple of ${bytesPerElement}`
  return bytes.right
}

/** Float32Array ⇄ base64 of its little-endian bytes. */
export const Float32ArrayFromBase64: Schema.Schema<Float32Array, string> = Schema.transformOrFail(
  Schema.String,
  Schema.declare((u: unknown): u is Float32Array => u instanceof Float32Array, { identifier: "Float32Array" }),
  {
    strict: true,
    decode: (s, _, ast) => {
      const b = decodeBytes(s, 4)
      if (typeof b === "string") return ParseResult.fail(new ParseResult.Type(ast, s, b))
      const out = new Float32Array(b.byteLength / 4)
      new Uint8Array(out.buffer).set(b)
      return ParseResult.succeed(out)
    },
    encode: (a) => ParseResult.succeed(Encoding.encodeBase64(bytesOf(a)))
  }
)

/** Float64Array ⇄ base64 of its little-endian bytes. */
export const Float64ArrayFromBase64: Schema.Schema<Float64Array, string> = Schema.transformOrFail(
  Schema.String,
  Schema.declare((u: unknown): u is Float64Array => u instanceof Float64Array, { identifier: "Float64Array" }),
  {
    strict: true,
    decode: (s, _, ast) => {
      const b = decodeBytes(s, 8)
      if (typeof b === "string") return ParseResult.fail(new ParseResult.Type(ast, s, b))
      const out = new Float64Array(b.byteLength / 8)
      new Uint8Array(out.buffer).set(b)
      return ParseResult.succeed(out)
    },
    encode: (a) => ParseResult.succeed(Encoding.encodeBase64(bytesOf(a)))
  }
)
