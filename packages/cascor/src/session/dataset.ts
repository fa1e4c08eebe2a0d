/**
 * Training data of a session: as loaded (inline arrays, a JuniperData NPZ, the built-in two-spiral fallback, a
 * snapshot), kept as given, and mapped to what the engine trains on.
 *
 * Targets: JuniperData emits one-hot {0, 1} targets, while Fahlman's default output unit is the symmetric sigmoid
 * with range (−0.5, 0.5). When every target lies in [0, 1], the engine sees `t − 0.5` for symmetric-sigmoid outputs
 * ("shift_half") and `2t − 1` for tanh outputs ("scale_tanh"); sigmoid and linear outputs train on the targets as
 * given ("none"). Losses are reported in the engine's target space; class decisions (accuracy, boundary) are the
 * same in both.
 */
import { Effect, Schema } from "effect"
import type { NpyArray } from "@juniper/data"
import type { Dataset } from "../engine/dataset.js"
import { datasetFromArrays } from "../engine/dataset.js"
import { Float32ArrayFromBase64 } from "../engine/encoding.js"
import type { OutputActivation } from "../engine/params.js"
import { Xoshiro128 } from "../engine/rng/prng.js"
import type { DatasetSource, InlineData } from "../api/schema.js"
import { invalidField, type SessionInvalid } from "./errors.js"

export type TargetTransform = "none" | "shift_half" | "scale_tanh"

/** A 2-D float32 matrix, row-major. */
export interface Matrix {
  readonly rows: number
  readonly cols: number
  readonly data: Float32Array
}

export interface LoadedDataset {
  readonly train: { readonly x: Matrix; readonly y: Matrix }
  readonly val: { readonly x: Matrix; readonly y: Matrix } | null
  readonly source: DatasetSource
  /** A human name (`dataset_name` in the status). */
  readonly name: string
}

export const MatrixSchema = Schema.Struct({ rows: Schema.Int, cols: Schema.Int, data: Float32ArrayFromBase64 })
const Split = Schema.Struct({ x: MatrixSchema, y: MatrixSchema })
/** The serialisable form (snapshots). */
export const LoadedDatasetSchema = Schema.Struct({
  train: Split,
  val: Schema.NullOr(Split),
  source: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  name: Schema.String
})

export const toRows = (m: Matrix): Array<Array<number>> => {
  const out: Array<Array<number>> = []
  for (let r = 0; r < m.rows; r++) out.push(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)))
  return out
}

const matrixFromRows = (rows: ReadonlyArray<ReadonlyArray<number>>, loc: ReadonlyArray<string>): Effect.Effect<Matrix, SessionInvalid> => {
  const cols = rows[0]?.length ?? 0
  for (let r = 0; r < rows.length; r++)
    if (rows[r]!.length !== cols) return Effect.fail(invalidField([...loc, r], `row has ${rows[r]!.length} values, expected ${cols}`, rows[r]))
  const data = new Float32Array(rows.length * cols)
  for (let r = 0; r < rows.length; r++) data.set(rows[r]!, r * cols)
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!)) return Effect.fail(invalidField([...loc, Math.floor(i / cols)], "values must be finite float32 numbers", rows[Math.floor(i / cols)]))
  return Effect.succeed({ rows: rows.length, cols, data })
}

const checkPair = (x: Matrix, y: Matrix, loc: ReadonlyArray<string>, yName: string): Effect.Effect<void, SessionInvalid> =>
  x.rows !== y.rows ? Effect.fail(invalidField([...loc, yName], `${y.rows} target rows for ${x.rows} input rows`)) : Effect.void

/** `inline_data` of a start request (§3.2): ≤ 100 rows (the schema checks), matching lengths, finite values. */
export const fromInline = (d: InlineData): Effect.Effect<LoadedDataset, SessionInvalid> =>
  Effect.gen(function* () {
    const loc = ["body", "inline_data"]
    const x = yield* matrixFromRows(d.train_x, [...loc, "train_x"])
    const y = yield* matrixFromRows(d.train_y, [...loc, "train_y"])
    yield* checkPair(x, y, loc, "train_y")
    let val: LoadedDataset["val"] = null
    if (d.val_x && d.val_y && d.val_x.length > 0) {
      const vx = yield* matrixFromRows(d.val_x, [...loc, "val_x"])
      const vy = yield* matrixFromRows(d.val_y, [...loc, "val_y"])
      yield* checkPair(vx, vy, loc, "val_y")
      if (vx.cols !== x.cols) return yield* Effect.fail(invalidField([...loc, "val_x"], `val_x has ${vx.cols} columns, train_x ${x.cols}`))
      if (vy.cols !== y.cols) return yield* Effect.fail(invalidField([...loc, "val_y"], `val_y has ${vy.cols} columns, train_y ${y.cols}`))
      val = { x: vx, y: vy }
    } else if (Boolean(d.val_x && d.val_x.length > 0) !== Boolean(d.val_y && d.val_y.length > 0)) {
      return yield* Effect.fail(invalidField([...loc, d.val_x ? "val_y" : "val_x"], "val_x and val_y go together"))
    }
    return { train: { x, y }, val, source: { type: "inline" }, name: "inline" }
  })

const npyMatrix = (a: NpyArray | undefined): Matrix | null => {
  if (!a || a.shape.length !== 2) return null
  const [rows, cols] = a.shape as [number, number]
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>, Number)
  return { rows, cols, data }
}

/**
 * A JuniperData NPZ artifact: `X_train`/`y_train`, and for validation `X_val`/`y_val` if non-empty, else
 * `X_test`/`y_test` (§3.2). Fails with a message when the artifact lacks the arrays.
 */
export const fromNpz = (npz: Readonly<Record<string, NpyArray>>, source: DatasetSource, name: string): Either<LoadedDataset> => {
  const x = npyMatrix(npz["X_train"])
  const y = npyMatrix(npz["y_train"])
  if (!x || !y || x.rows === 0 || x.rows !== y.rows) return { error: "the artifact has no usable X_train/y_train (2-D, same row count)" }
  const pick = (xs: string, ys: string) => {
    const vx = npyMatrix(npz[xs])
    const vy = npyMatrix(npz[ys])
    return vx && vy && vx.rows > 0 && vx.rows === vy.rows && vx.cols === x.cols && vy.cols === y.cols ? { x: vx, y: vy } : null
  }
  return { value: { train: { x, y }, val: pick("X_val", "y_val") ?? pick("X_test", "y_test"), source, name } }
}
type Either<A> = { readonly value: A; readonly error?: undefined } | { readonly error: string; readonly value?: undefined }

/**
 * The built-in two-spiral generator, used when JuniperData is unreachable for `generator: "spiral"`: two interleaved
 * spirals of radius `radius` (10), `n_points_per_spiral` points each (97), `n_rotations` turns (1.5), Gaussian
 * `noise` (0), seeded by `seed` (42); one-hot targets; 80 % train / 20 % validation after a seeded shuffle.
 */
export const builtinSpiral = (params: Readonly<Record<string, unknown>>): LoadedDataset => {
  const num = (k: string, d: number) => (typeof params[k] === "number" && Number.isFinite(params[k]) ? (params[k] as number) : d)
  const n = Math.max(2, Math.min(100_000, Math.round(num("n_points_per_spiral", 97))))
  const rotations = num("n_rotations", 1.5)
  const noise = Math.max(0, num("noise", 0))
  const radius = num("radius", 10)
  const rng = Xoshiro128.fromSeed(Math.trunc(num("seed", 42)))
  const points: Array<{ x: number; y: number; c: number }> = []
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < n; i++) {
      const t = i / n
      const r = radius * (0.05 + 0.95 * t)
      const a = 2 * Math.PI * rotations * t + c * Math.PI
      points.push({ x: r * Math.cos(a) + noise * rng.normal(), y: r * Math.sin(a) + noise * rng.normal(), c })
    }
  for (let i = points.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1)
    ;[points[i], points[j]] = [points[j]!, points[i]!]
  }
  const cut = Math.round(points.length * 0.8)
  const split = (ps: typeof points) => ({
    x: { rows: ps.length, cols: 2, data: Float32Array.from(ps.flatMap((p) => [p.x, p.y])) },
    y: { rows: ps.length, cols: 2, data: Float32Array.from(ps.flatMap((p) => (p.c === 0 ? [1, 0] : [0, 1]))) }
  })
  return {
    train: split(points.slice(0, cut)),
    val: split(points.slice(cut)),
    source: { type: "builtin", generator: "spiral", params: { ...params } },
    name: "spiral (built-in)"
  }
}

/** The transform the engine's output activation needs for these targets. */
export const transformFor = (outputActivation: OutputActivation, y: Matrix): TargetTransform => {
  for (let i = 0; i < y.data.length; i++) if (y.data[i]! < 0 || y.data[i]! > 1) return "none"
  return outputActivation === "symmetricSigmoid" ? "shift_half" : outputActivation === "tanh" ? "scale_tanh" : "none"
}

export const applyTransform = (t: TargetTransform, y: Float32Array): Float32Array =>
  t === "shift_half" ? y.map((v) => v - 0.5) : t === "scale_tanh" ? y.map((v) => 2 * v - 1) : y

/** The class-decision threshold of a single output, in the engine's target space. */
export const decisionThreshold = (t: TargetTransform): number => (t === "shift_half" ? 0 : t === "scale_tanh" ? 0 : 0.5)

/** What the engine trains on, plus the validation split in the same space. */
export interface EngineData {
  readonly train: Dataset
  readonly val: { readonly P: number; readonly inputs: Float32Array; readonly targets: Float32Array } | null
  readonly transform: TargetTransform
}

export const engineData = (d: LoadedDataset, outputActivation: OutputActivation): Effect.Effect<EngineData, SessionInvalid> => {
  const transform = transformFor(outputActivation, d.train.y)
  return datasetFromArrays({
    P: d.train.x.rows,
    I: d.train.x.cols,
    O: d.train.y.cols,
    inputs: d.train.x.data,
    targets: applyTransform(transform, d.train.y.data)
  }).pipe(
    Effect.mapError((e) => invalidField(["body", "dataset", e.parameter], e.message)),
    Effect.map((train) => ({
      train,
      val: d.val ? { P: d.val.x.rows, inputs: d.val.x.data, targets: applyTransform(transform, d.val.y.data) } : null,
      transform
    }))
  )
}

/** A one-row placeholder of the right shape: lets a network be shown (initial weights) before any data is loaded. */
export const placeholderDataset = (I: number, O: number): Dataset => ({
  P: 1,
  I,
  O,
  inputs: new Float32Array(I),
  targets: new Float32Array(O)
})
