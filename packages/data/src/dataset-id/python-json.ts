// Byte-exact `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)` (data-api §7).
// JSON.stringify differs on float formatting (3 vs 3.0, 1e-05), on non-ASCII and on key order, so this is
// a small encoder of its own. Whether a number is a float is decided by the caller (the declared field
// type), by wrapping it in PyFloat.

/** A number that Python holds as a float: always printed with repr (e.g. 3 → "3.0"). */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const pyFloat = (value: number): PyFloat => new PyFloat(value)

/** What the encoder accepts. Plain integral numbers and bigints are Python ints. */
export type PyValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | PyFloat
  | ReadonlyArray<PyValue>
  | { readonly [key: string]: PyValue }

/** Python's repr(float): shortest round-trip digits; fixed notation for exponents in [-4, 16), else d.ddde±XX. */
export const pythonFloatRepr = (x: number): string => {
  if (Number.isNaN(x)) return "NaN"
  if (x === Infinity) return "Infinity"
  if (x === -Infinity) return "-Infinity"
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0"
  const sign = x < 0 ? "-" : ""
  // toExponential() without an argument gives the shortest round-trip digits, like repr.
  const [mantissa = "", expText = "0"] = Math.abs(x).toExponential().split("e")
  const digits = mantissa.replace(".", "")
  const exp = Number(expText)
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, "0")
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : "0"
    return `${sign}${intPart}.${frac}`
  }
  const rest = digits.slice(1)
  const e = Math.abs(exp).toString().padStart(2, "0")
  return `${sign}${digits[0]}${rest ? "." + rest : ""}e${exp < 0 ? "-" : "+"}${e}`
}

/** Python's repr(int) for an integral number or bigint (decimal digits, never an exponent). */
export const pythonIntRepr = (x: number | bigint): string => (typeof x === "bigint" ? x : BigInt(x)).toString()

const hex4 = (c: number): string => "\\u" + c.toString(16).padStart(4, "0")

/** A JSON string literal as Python writes it with ensure_ascii: every code unit outside ' '..'~' escaped. */
export const pythonJsonString = (s: string): string => {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += "\\\\"
    else if (c >= 0x20 && c <= 0x7e) out += s[i]
    else if (c === 0x0a) out += "\\n"
    else if (c === 0x0d) out += "\\r"
    else if (c === 0x09) out += "\\t"
    else if (c === 0x08) out += "\\b"
    else if (c === 0x0c) out += "\\f"
    else out += hex4(c) // astral characters are already surrogate pairs in UTF-16
  }
  return out + '"'
}

/** Compare strings by code point, as Python's sorted() does (UTF-16 order differs above U+FFFF). */
export const compareCodePoints = (a: string, b: string): number => {
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const x = ia.next()
    const y = ib.next()
    if (x.done) return y.done ? 0 : -1
    if (y.done) return 1
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!
    if (d !== 0) return d
  }
}

export const pythonJsonDumps = (value: PyValue): string => {
  if (value === null) return "null"
  if (value === true) return "true"
  if (value === false) return "false"
  if (typeof value === "string") return pythonJsonString(value)
  if (typeof value === "bigint") return pythonIntRepr(value)
  if (typeof value === "number") return Number.isInteger(value) ? pythonIntRepr(value) : pythonFloatRepr(value)
  if (value instanceof PyFloat) return pythonFloatRepr(value.value)
  if (Array.isArray(value)) return "[" + (value as ReadonlyArray<PyValue>).map(pythonJsonDumps).join(",") + "]"
  const obj = value as { readonly [key: string]: PyValue }
  const keys = Object.keys(obj).sort(compareCodePoints)
  return "{" + keys.map((k) => pythonJsonString(k) + ":" + pythonJsonDumps(obj[k]!)).join(",") + "}"
}
