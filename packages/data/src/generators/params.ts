// A generator's parameter set: Effect Schema validation (aliases resolved, unknown keys dropped, defaults
// filled), the JSON Schema for clients, and the canonical params that go into the dataset id.
import { Either, ParseResult, Schema } from "effect"
import type { PyValue } from "../dataset-id/python-json.js"
import { boolField, type Field, type FieldMeta, fieldJsonSchema, floatField, toPyValue } from "./fields.js"

/** Upstream's default seed for every C generator (overridable: JUNIPER_DATA_DEFAULT_GENERATOR_SEED). */
export const DEFAULT_GENERATOR_SEED = 42

export type ParamsOf<F extends Record<string, Field<any>>> = {
  readonly [K in keyof F]: F[K] extends Field<infer A> ? A : never
}

/** One validation problem, named by field (dotted path for nested values). */
export interface ParamIssue {
  readonly field: string
  readonly message: string
}

export interface ParamSpec<P> {
  /** pydantic model name, e.g. "SpiralParams". */
  readonly title: string
  readonly description: string
  readonly fields: Readonly<Record<string, FieldMeta>>
  /** alias → canonical name. */
  readonly aliases: Readonly<Record<string, string>>
  /** Decodes an object whose aliases are resolved; unknown keys are ignored, missing ones defaulted. */
  readonly schema: Schema.Schema<P, Readonly<Record<string, unknown>>>
  /** Validate raw request params. `defaultSeed` replaces 42 when the request has no `seed` key. */
  readonly validate: (input: unknown, defaultSeed?: number) => Either.Either<P, ReadonlyArray<ParamIssue>>
  /** The pydantic-style JSON Schema (§3.4). */
  readonly jsonSchema: (defaultSeed?: number) => Record<string, unknown>
  /** The params as they enter the id: all fields, extension fields only when not at their default. */
  readonly canonical: (params: P) => Record<string, PyValue>
  /** The same keys as plain JSON values, for DatasetMeta.params. */
  readonly metaParams: (params: P) => Record<string, unknown>
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

const formatIssues = (error: ParseResult.ParseError): ReadonlyArray<ParamIssue> => {
  const seen = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const field = issue.path.map(String).join(".")
    // A nullable field reports its "Expected null" branch too; the other branch says what is wrong.
    if (issue.message.startsWith("Expected null")) continue
    if (!seen.has(field)) seen.set(field, issue._tag === "Missing" ? "Field required" : issue.message)
  }
  return [...seen].map(([field, message]) => ({ field, message }))
}

export interface ParamsDefinition<F extends Record<string, Field<any>>> {
  readonly title: string
  readonly description: string
  readonly fields: F
  readonly aliases?: Readonly<Record<string, string>>
  /** Cross-field rule, e.g. the ratio sum: return a problem or undefined. */
  readonly check?: (params: ParamsOf<F>) => ParamIssue | undefined
}

export const defineParams = <F extends Record<string, Field<any>>>(
  def: ParamsDefinition<F>
): ParamSpec<ParamsOf<F>> => {
  type P = ParamsOf<F>
  const names = Object.keys(def.fields)
  const metas: Record<string, FieldMeta> = Object.fromEntries(names.map((k) => [k, def.fields[k]!.meta]))
  const aliases = def.aliases ?? {}
  const struct = Schema.Struct(
    Object.fromEntries(
      names.map((k) => {
        const f = def.fields[k]!
        return [k, Schema.optionalWith(f.schema, { default: () => f.meta.default, exact: true })]
      })
    )
  ) as unknown as Schema.Schema<P, Readonly<Record<string, unknown>>>
  const check = def.check
  const schema = check
    ? struct.pipe(
        Schema.filter((p) => {
          const issue = check(p)
          return issue ? { path: [issue.field], message: issue.message } : undefined
        })
      )
    : struct
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })

  const validate = (input: unknown, defaultSeed = DEFAULT_GENERATOR_SEED) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return Either.left([{ field: "params", message: "Input should be a valid dictionary" }])
    }
    const raw: Record<string, unknown> = { ...(input as Record<string, unknown>) }
    for (const [alias, name] of Object.entries(aliases)) {
      if (alias in raw && !(name in raw)) raw[name] = raw[alias]
    }
    if ("seed" in metas && !("seed" in raw)) raw["seed"] = defaultSeed
    return Either.mapLeft(decode(raw), formatIssues)
  }

  const included = (p: P): Array<string> =>
    names.filter((k) => !(metas[k]!.extension && sameValue((p as Record<string, unknown>)[k], metas[k]!.default)))

  return {
    title: def.title,
    description: def.description,
    fields: metas,
    aliases,
    schema,
    validate,
    jsonSchema: (defaultSeed = DEFAULT_GENERATOR_SEED) => ({
      title: def.title,
      description: def.description,
      type: "object",
      properties: Object.fromEntries(
        names.map((k) => [k, fieldJsonSchema(k, metas[k]!, k === "seed" ? defaultSeed : metas[k]!.default)])
      )
    }),
    canonical: (p) =>
      Object.fromEntries(included(p).map((k) => [k, toPyValue(metas[k]!, (p as Record<string, unknown>)[k])])),
    metaParams: (p) =>
      Object.fromEntries(
        included(p).map((k) => {
          const v = (p as Record<string, unknown>)[k]
          return [k, Array.isArray(v) ? JSON.parse(JSON.stringify(v)) : v]
        })
      )
  }
}

/** The split params every C generator shares (§5.1). `val_ratio` is this implementation's extension. */
export const splitFields = {
  train_ratio: floatField({ default: 0.8, gt: 0, le: 1, description: "Fraction of samples in the training split" }),
  test_ratio: floatField({ default: 0.2, ge: 0, le: 1, description: "Fraction of samples in the test split" }),
  val_ratio: floatField({
    default: 0.0,
    ge: 0,
    le: 1,
    extension: true,
    description: "Fraction of samples in the validation split (0 = none)"
  }),
  shuffle: boolField({ default: true, description: "Shuffle rows (seeded permutation) before splitting" })
}

export interface SplitParams {
  readonly train_ratio: number
  readonly test_ratio: number
  readonly val_ratio: number
  readonly shuffle: boolean
  readonly seed: number | null
}

// A tiny tolerance so that e.g. 0.7 + 0.1 + 0.2 (= 1.0000000000000002 in some orders) is not rejected.
export const checkRatioSum = (p: SplitParams): ParamIssue | undefined =>
  p.train_ratio + p.val_ratio + p.test_ratio > 1 + 1e-12
    ? { field: "train_ratio", message: "train_ratio + val_ratio + test_ratio must not exceed 1" }
    : undefined

/** Render issues the way the HTTP layer reports them: `field: message; …`. */
export const formatParamIssues = (issues: ReadonlyArray<ParamIssue>): string =>
  issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")
