/**
 * The training set as the engine sees it: P patterns, I inputs, O outputs, float32 row-major. Constructors check it
 * once, up front, so the kernels never meet NaN, ragged rows or an empty set.
 */
import { Effect } from "effect"
import { InvalidDataset } from "./errors.js"

export interface Dataset {
  readonly P: number
  readonly I: number
  readonly O: number
  /** P×I row-major. */
  readonly inputs: Float32Array
  /** P×O row-major. */
  readonly targets: Float32Array
}

const fail = (parameter: string, message: string) => Effect.fail(new InvalidDataset({ parameter, message }))

const firstNonFinite = (a: ArrayLike<number>): number => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i
  return -1
}

/** Validates flat arrays with explicit shape. Values are rounded to float32 (the training precision). */
export const datasetFromArrays = (shape: {
  readonly P: number
  readonly I: number
  readonly O: number
  readonly inputs: ArrayLike<number>
  readonly targets: ArrayLike<number>
}): Effect.Effect<Dataset, InvalidDataset> =>
  Effect.gen(function* () {
    const { P, I, O } = shape
    if (!Number.isInteger(P) || P < 1) return yield* fail("inputs", `the dataset is empty (P = ${P})`)
    if (!Number.isInteger(I) || I < 1) return yield* fail("inputs", `need at least one input column (I = ${I})`)
    if (!Number.isInteger(O) || O < 1) return yield* fail("targets", `need at least one output column (O = ${O})`)
    if (shape.inputs.length !== P * I)
      return yield* fail("inputs", `expected P×I = ${P * I} input values, got ${shape.inputs.length}`)
    if (shape.targets.length !== P * O)
      return yield* fail("targets", `expected P×O = ${P * O} target values, got ${shape.targets.length}`)
    const inputs = Float32Array.from(shape.inputs)
    const targets = Float32Array.from(shape.targets)
    // Checked after the float32 rounding, so values that overflow float32 are caught too.
    const badIn = firstNonFinite(inputs)
    if (badIn >= 0) {
      const p = Math.floor(badIn / I)
      return yield* fail(`inputs[${p}][${badIn % I}]`, `input of pattern ${p} is not a finite float32 (${shape.inputs[badIn]})`)
    }
    const badT = firstNonFinite(targets)
    if (badT >= 0) {
      const p = Math.floor(badT / O)
      return yield* fail(`targets[${p}][${badT % O}]`, `target of pattern ${p} is not a finite float32 (${shape.targets[badT]})`)
    }
    return { P, I, O, inputs, targets }
  })

/** Validates row arrays: every input row has I values and every target row O values. */
export const datasetFromRows = (
  inputs: ReadonlyArray<ReadonlyArray<number>>,
  targets: ReadonlyArray<ReadonlyArray<number>>
): Effect.Effect<Dataset, InvalidDataset> =>
  Effect.gen(function* () {
    const P = inputs.length
    if (P === 0) return yield* fail("inputs", "the dataset is empty (no input rows)")
    if (targets.length !== P) return yield* fail("targets", `${P} input rows but ${targets.length} target rows`)
    const I = inputs[0]!.length
    const O = targets[0]!.length
    for (let p = 0; p < P; p++) {
      if (inputs[p]!.length !== I) return yield* fail(`inputs[${p}]`, `row has ${inputs[p]!.length} values, expected ${I}`)
      if (targets[p]!.length !== O) return yield* fail(`targets[${p}]`, `row has ${targets[p]!.length} values, expected ${O}`)
    }
    return yield* datasetFromArrays({ P, I, O, inputs: inputs.flat(), targets: targets.flat() })
  })

/** Synchronous variant for scripts and tests; throws InvalidDataset. */
export const datasetFromRowsSync = (
  inputs: ReadonlyArray<ReadonlyArray<number>>,
  targets: ReadonlyArray<ReadonlyArray<number>>
): Dataset => Effect.runSync(datasetFromRows(inputs, targets))

/** FNV-1a over the float32 bits of inputs and targets: lets a snapshot check it is restored onto the same data. */
export const datasetChecksum = (d: Dataset): string => {
  let h = 0x811c9dc5
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193)
  }
  mix(new Uint8Array(new Int32Array([d.P, d.I, d.O]).buffer))
  mix(new Uint8Array(d.inputs.buffer, d.inputs.byteOffset, d.inputs.byteLength))
  mix(new Uint8Array(d.targets.buffer, d.targets.byteOffset, d.targets.byteLength))
  return (h >>> 0).toString(16).padStart(8, "0")
}
