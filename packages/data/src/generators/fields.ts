// One description per parameter field, from which come the Effect Schema (validation), the pydantic-style JSON
// Schema (GET /v1/generators, §3.4) and the Python type used in the canonical id (§7: floats print as floats).
import { Schema } from "effect"
import { type PyValue, pyFloat } from "../dataset-id/python-json.js"

export type FieldKind = "int" | "float" | "bool" | "literal" | "floatPair" | "floatOrFloatList" | "floatMatrix"

export interface Bounds {
  readonly ge?: number
  readonly gt?: number
  readonly le?: number
  readonly lt?: number
}

export interface FieldMeta {
  readonly kind: FieldKind
  readonly nullable: boolean
  readonly default: unknown
  readonly description: string
  readonly bounds: Bounds
  readonly literals: ReadonlyArray<string>
  /** Added by this implementation beyond upstream 1.0.0: part of the id only when not at its default (§7). */
  readonly extension: boolean
}

export interface Field<A> {
  readonly schema: Schema.Schema<A, any>
  readonly meta: FieldMeta
}

// pydantic's wording, so that `Invalid parameters: …` reads like upstream's.
const boundChecks = (s: Schema.Schema<number>, b: Bounds): Schema.Schema<number> => {
  let out = s
  if (b.ge !== undefined) {
    const v = b.ge
    out = out.pipe(Schema.greaterThanOrEqualTo(v, { message: () => `Input should be greater than or equal to ${v}` }))
  }
  if (b.gt !== undefined) {
    const v = b.gt
    out = out.pipe(Schema.greaterThan(v, { message: () => `Input should be greater than ${v}` }))
  }
  if (b.le !== undefined) {
    const v = b.le
    out = out.pipe(Schema.lessThanOrEqualTo(v, { message: () => `Input should be less than or equal to ${v}` }))
  }
  if (b.lt !== undefined) {
    const v = b.lt
    out = out.pipe(Schema.lessThan(v, { message: () => `Input should be less than ${v}` }))
  }
  return out
}

const FiniteNumber = Schema.Number.annotations({ message: () => "Input should be a valid number" }).pipe(
  Schema.finite({ message: () => "Input should be a finite number" })
)
const IntNumber = FiniteNumber.pipe(Schema.int({ message: () => "Input should be a valid integer" }))
const Bool = Schema.Boolean.annotations({ message: () => "Input should be a valid boolean" })

interface Common<A> {
  readonly default: A
  readonly description: string
  readonly extension?: boolean
}

const meta = (kind: FieldKind, o: Common<unknown>, extra: Partial<FieldMeta> = {}): FieldMeta => ({
  kind,
  nullable: false,
  default: o.default,
  description: o.description,
  bounds: {},
  literals: [],
  extension: o.extension ?? false,
  ...extra
})

export const intField = (o: Common<number> & Bounds): Field<number> => ({
  schema: boundChecks(IntNumber, o),
  meta: meta("int", o, { bounds: o })
})

export const nullableIntField = (o: Common<number | null> & Bounds): Field<number | null> => ({
  schema: Schema.NullOr(boundChecks(IntNumber, o)),
  meta: meta("int", o, { bounds: o, nullable: true })
})

export const floatField = (o: Common<number> & Bounds): Field<number> => ({
  schema: boundChecks(FiniteNumber, o),
  meta: meta("float", o, { bounds: o })
})

export const boolField = (o: Common<boolean>): Field<boolean> => ({ schema: Bool, meta: meta("bool", o) })

export const literalField = <const L extends readonly [string, ...Array<string>]>(
  literals: L,
  o: Common<L[number]>
): Field<L[number]> => ({
  schema: Schema.Literal(...literals).annotations({
    message: () => ({ message: `Input should be ${literals.map((l) => `'${l}'`).join(" or ")}`, override: true })
  }) as unknown as Schema.Schema<L[number]>,
  meta: meta("literal", o, { literals })
})

export const floatPairField = (o: Common<readonly [number, number]>): Field<readonly [number, number]> => ({
  schema: Schema.Tuple(FiniteNumber, FiniteNumber).annotations({
    message: () => ({ message: "Input should be a list of 2 numbers", override: true })
  }),
  meta: meta("floatPair", o)
})

export const floatOrFloatListField = (
  o: Common<number | ReadonlyArray<number>> & Bounds
): Field<number | ReadonlyArray<number>> => {
  const item = boundChecks(FiniteNumber, o)
  const what = o.gt === 0 ? "a positive number or a list of positive numbers" : "a number or a list of numbers"
  return {
    schema: Schema.Union(item, Schema.Array(item)).annotations({
      message: () => ({ message: `Input should be ${what}`, override: true })
    }),
    meta: meta("floatOrFloatList", o, { bounds: o })
  }
}

export const nullableFloatMatrixField = (
  o: Common<ReadonlyArray<ReadonlyArray<number>> | null>
): Field<ReadonlyArray<ReadonlyArray<number>> | null> => ({
  schema: Schema.NullOr(Schema.Array(Schema.Array(FiniteNumber))).annotations({
    message: () => ({ message: "Input should be null or a list of lists of numbers", override: true })
  }),
  meta: meta("floatMatrix", o, { nullable: true })
})

/** The value as Python holds it after validation (floats marked, tuples as lists) for the canonical id. */
export const toPyValue = (m: FieldMeta, v: unknown): PyValue => {
  if (v === null) return null
  switch (m.kind) {
    case "float":
      return pyFloat(v as number)
    case "floatPair":
      return (v as ReadonlyArray<number>).map(pyFloat)
    case "floatOrFloatList":
      return typeof v === "number" ? pyFloat(v) : (v as ReadonlyArray<number>).map(pyFloat)
    case "floatMatrix":
      return (v as ReadonlyArray<ReadonlyArray<number>>).map((row) => row.map(pyFloat))
    default:
      return v as PyValue
  }
}

/** pydantic's default title: "n_points_per_spiral" → "N Points Per Spiral". */
export const fieldTitle = (name: string): string =>
  name
    .split("_")
    .filter((w) => w.length > 0)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ")

const boundsJson = (b: Bounds): Record<string, number> => ({
  ...(b.gt !== undefined ? { exclusiveMinimum: b.gt } : {}),
  ...(b.ge !== undefined ? { minimum: b.ge } : {}),
  ...(b.lt !== undefined ? { exclusiveMaximum: b.lt } : {}),
  ...(b.le !== undefined ? { maximum: b.le } : {})
})

/** One property of the pydantic-style JSON Schema. */
export const fieldJsonSchema = (name: string, m: FieldMeta, defaultValue: unknown = m.default): Record<string, unknown> => {
  const title = fieldTitle(name)
  const number = { type: "number", ...boundsJson(m.bounds) }
  let body: Record<string, unknown>
  switch (m.kind) {
    case "int":
      body = { type: "integer", ...boundsJson(m.bounds) }
      break
    case "float":
      body = number
      break
    case "bool":
      body = { type: "boolean" }
      break
    case "literal":
      body = { type: "string", enum: [...m.literals] }
      break
    case "floatPair":
      body = {
        type: "array",
        prefixItems: [{ type: "number" }, { type: "number" }],
        minItems: 2,
        maxItems: 2
      }
      break
    case "floatOrFloatList":
      body = { anyOf: [number, { type: "array", items: number }] }
      break
    case "floatMatrix":
      body = { type: "array", items: { type: "array", items: { type: "number" } } }
      break
  }
  if (m.nullable) body = { anyOf: [body, { type: "null" }] }
  return { title, description: m.description, ...body, default: defaultValue }
}
