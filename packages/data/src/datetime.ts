// The two datetime spellings of the contract: API bodies use `…​.ffffffZ` (§1), stored meta files use Python's
// isoformat() with `+00:00` (§8.1). Both omit the fraction when it is zero; parsers accept any ISO 8601.
import { ParseResult, Schema } from "effect"

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

const base = (d: Date): string =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

// JS dates carry milliseconds; Python prints microseconds.
const fraction = (d: Date): string => (d.getUTCMilliseconds() === 0 ? "" : `.${pad(d.getUTCMilliseconds(), 3)}000`)

/** `2026-01-02T03:04:05.123000Z` (API bodies). */
export const formatApiDateTime = (d: Date): string => `${base(d)}${fraction(d)}Z`

/** `2026-01-02T03:04:05.123000+00:00` (Python's isoformat() of an aware UTC datetime). */
export const formatIsoDateTime = (d: Date): string => `${base(d)}${fraction(d)}+00:00`

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/** Parse ISO 8601; a datetime without an offset is taken as UTC (upstream writes UTC only). */
export const parseIsoDateTime = (s: string): Date | undefined => {
  const m = ISO.exec(s.trim())
  if (!m) return undefined
  const [, y, mo, d, h = "0", mi = "0", sec = "0", frac = "", tz] = m
  const ms = Number((frac + "000").slice(0, 3))
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms)
  if (tz && tz !== "Z" && tz !== "z") {
    const sign = tz[0] === "-" ? -1 : 1
    const digits = tz.slice(1).replace(":", "")
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * 60_000
  }
  const date = new Date(t)
  return Number.isNaN(date.getTime()) ? undefined : date
}

const dateTimeSchema = (format: (d: Date) => string, identifier: string) =>
  Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
    strict: true,
    decode: (s, _, ast) => {
      const d = parseIsoDateTime(s)
      return d ? ParseResult.succeed(d) : ParseResult.fail(new ParseResult.Type(ast, s, "Input should be a valid datetime"))
    },
    encode: (d) => ParseResult.succeed(format(d))
  }).annotations({ identifier })

/** API bodies: encodes as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export const ApiDateTime = dateTimeSchema(formatApiDateTime, "ApiDateTime")
/** Stored meta files: encodes as isoformat() `…+00:00`. */
export const IsoDateTime = dateTimeSchema(formatIsoDateTime, "IsoDateTime")
