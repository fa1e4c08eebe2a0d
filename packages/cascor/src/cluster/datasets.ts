/**
 * Where a run's training data comes from, as a small serialisable spec: workflow payloads and run records carry the
 * spec, never the arrays. Generators are rebuilt wherever the run executes (bit-identical: they are pure); inline
 * data is stored once in the run store (keyed by its checksum) and loaded by the runner that trains the run.
 */
import { Effect, Schema } from "effect"
import type { Dataset } from "../engine/dataset.js"
import { datasetChecksum, datasetFromArrays, datasetFromRows } from "../engine/dataset.js"
import { parity, twoSpirals, xor } from "../engine/datasets.js"
import { InvalidDataset } from "../engine/errors.js"

export const TwoSpiralsSpec = Schema.Struct({
  kind: Schema.Literal("two_spirals"),
  /** Points per arm (97 is Fahlman's standard set of 194 points). */
  pairs: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 100_000)), { default: () => 97 })
})
export const XorSpec = Schema.Struct({ kind: Schema.Literal("xor") })
export const ParitySpec = Schema.Struct({ kind: Schema.Literal("parity"), bits: Schema.Int.pipe(Schema.between(1, 16)) })
/** Inline data after upload: the arrays live in the run store under `checksum`. */
export const StoredSpec = Schema.Struct({
  kind: Schema.Literal("stored"),
  checksum: Schema.String,
  P: Schema.Int,
  I: Schema.Int,
  O: Schema.Int
})

/** The spec a run record and a workflow payload carry. */
export const DatasetSpec = Schema.Union(TwoSpiralsSpec, XorSpec, ParitySpec, StoredSpec)
export type DatasetSpec = typeof DatasetSpec.Type

/** What a create request may name: a generator, or rows sent inline (stored before the run starts). */
export const InlineSpec = Schema.Struct({
  kind: Schema.Literal("inline"),
  inputs: Schema.Array(Schema.Array(Schema.Number)),
  targets: Schema.Array(Schema.Array(Schema.Number))
})
export const DatasetRequest = Schema.Union(TwoSpiralsSpec, XorSpec, ParitySpec, InlineSpec)
export type DatasetRequest = typeof DatasetRequest.Type

/** A dataset's arrays as stored (float32 little-endian bytes). */
export interface StoredDataset {
  readonly checksum: string
  readonly P: number
  readonly I: number
  readonly O: number
  readonly inputs: Uint8Array
  readonly targets: Uint8Array
}

/** An aligned copy of bytes as float32 (bytes from a driver or a socket may sit at any offset). */
export const float32Of = (bytes: Uint8Array): Float32Array => {
  const out = new Float32Array(bytes.byteLength >>> 2)
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4))
  return out
}
/** The bytes of a float32 array (a view, no copy). */
export const bytesOf = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

export const toStored = (d: Dataset): StoredDataset => ({
  checksum: datasetChecksum(d),
  P: d.P,
  I: d.I,
  O: d.O,
  inputs: bytesOf(d.inputs),
  targets: bytesOf(d.targets)
})

/** Validates inline rows (float32, finite, rectangular). */
export const inlineDataset = (req: typeof InlineSpec.Type): Effect.Effect<Dataset, InvalidDataset> =>
  datasetFromRows(req.inputs, req.targets)

/** The float32 byte size of an inline request (for the size limit, before any conversion). */
export const inlineBytes = (req: typeof InlineSpec.Type): number => {
  let n = 0
  for (const r of req.inputs) n += r.length
  for (const r of req.targets) n += r.length
  return 4 * n
}

/** Rebuilds a dataset from stored bytes, checking shape and checksum. */
export const fromStored = (s: StoredDataset): Effect.Effect<Dataset, InvalidDataset> =>
  datasetFromArrays({ P: s.P, I: s.I, O: s.O, inputs: float32Of(s.inputs), targets: float32Of(s.targets) }).pipe(
    Effect.filterOrFail(
      (d) => datasetChecksum(d) === s.checksum,
      () => new InvalidDataset({ parameter: "dataset", message: `stored dataset ${s.checksum} does not match its checksum` })
    )
  )

/** A generator spec's dataset (pure; identical on every runner). */
export const generated = (spec: Exclude<DatasetSpec, { kind: "stored" }>): Dataset => {
  switch (spec.kind) {
    case "two_spirals":
      return twoSpirals(spec.pairs)
    case "xor":
      return xor()
    case "parity":
      return parity(spec.bits)
  }
}

/** A short human name for listings. */
export const specName = (spec: DatasetSpec): string =>
  spec.kind === "two_spirals" ? `two_spirals(${spec.pairs})` : spec.kind === "parity" ? `parity(${spec.bits})` : spec.kind === "stored" ? `inline(${spec.checksum})` : spec.kind
