/**
 * Network editing (cascor-api E1–E3) and retraining from a network (R1) as pure functions on a run's state (the
 * decoded `RunSnapshot` of ./runs.ts): each returns an edited copy, which `rebuildRun` turns back into a run (the
 * values cache is refilled by the kernels, as on a restore).
 *
 * Layout (./network.ts): units 0..K−1 are the bias, the I inputs, then the hidden units; hidden unit j has fan-in
 * 1 + I + j with weights[0] the bias; the output weights are O×K row-major with column 0 the bias. The wire view
 * (§4.2, session/views.ts `topologyOf`) keeps the bias apart: output weights (I+H)×O (rows: inputs, then hidden
 * units), output bias O values, hidden unit k I+k weights and a scalar bias. The edit functions take values in that
 * wire shape.
 *
 * After any edit:
 * - the per-weight optimiser state follows the weights: Fahlman's Quickprop state (`outputDeltas`,
 *   `outputPrevSlopes`) gets a zero column for an added unit, loses the column of a removed unit, and is zeroed for
 *   the weights an output edit sets (its slopes describe the old weights); upstream's Adam state lives within one
 *   output phase and is not stored;
 * - the next phase is an output phase: the errors cache (Fahlman's E/SumErrors/SSE, upstream's residual) describes
 *   the network before the edit, so a run about to train candidates ("candidate" stage) trains its outputs again
 *   first. "output" and Fahlman's "final" stay. A finished run ("done") stays finished: the edit changes its network
 *   (predictions, topology) but a start of it completes at once; retrain it (R1) to train the edited network further.
 * - counters (round, epoch, crossings) and the phase history are kept: they count what training did.
 */
import { Effect, Either, Schema } from "effect"
import type { Dataset } from "./dataset.js"
import type { InvalidSnapshot } from "./errors.js"
import type { Kernels } from "./kernel.js"
import type { HiddenUnit } from "./network.js"
import type { CascorRun } from "./run.js"
import { createRun, RunSnapshot } from "./runs.js"
import { FahlmanTrainer } from "./trainer.js"
import { UpstreamTrainer } from "./upstream/trainer.js"

/** A run's full state (decoded): what the edit functions read and return. */
export type RunState = RunSnapshot

/**
 * An edit that cannot be applied. `loc` names the offending part of the request (e.g. ["values", 2, 1]);
 * `reason`: "shape" (wrong shape or type: a 400), "index" (no such hidden unit: a 404), "value" (NaN, ±Inf, or
 * beyond float32's range: a 422).
 */
export class InvalidEdit extends Schema.TaggedError<InvalidEdit>()("InvalidEdit", {
  loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  reason: Schema.Literal("shape", "index", "value"),
  message: Schema.String
}) {}

type Loc = ReadonlyArray<string | number>

const fail = (loc: Loc, reason: InvalidEdit["reason"], message: string) => Either.left(new InvalidEdit({ loc: [...loc], reason, message }))

const where = (loc: Loc) => loc.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")

/** One value as float32: a number whose float32 value is finite. */
const float32 = (v: unknown, loc: Loc): Either.Either<number, InvalidEdit> => {
  if (typeof v !== "number") return fail(loc, "shape", `${where(loc)}: expected a number, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`)
  const f = Math.fround(v)
  if (!Number.isFinite(f)) return fail(loc, "value", `${where(loc)}: ${v} is not a finite float32 value`)
  return Either.right(f)
}

/** A vector of exactly n float32 values. */
const vector = (v: unknown, n: number, loc: Loc, what: string): Either.Either<Float32Array, InvalidEdit> => {
  if (!Array.isArray(v)) return fail(loc, "shape", `${where(loc)}: expected ${what} (an array of ${n} numbers)`)
  if (v.length !== n) return fail(loc, "shape", `${where(loc)}: expected ${what} (${n} numbers), got ${v.length}`)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const f = float32(v[i], [...loc, i])
    if (Either.isLeft(f)) return Either.left(f.left)
    out[i] = f.right
  }
  return Either.right(out)
}

/** A rows×cols matrix of float32 values, row-major. */
const matrix = (v: unknown, rows: number, cols: number, loc: Loc, what: string): Either.Either<Float32Array, InvalidEdit> => {
  const shape = `${rows}×${cols}`
  if (!Array.isArray(v)) return fail(loc, "shape", `${where(loc)}: expected ${what} (${shape}: ${rows} rows of ${cols} numbers)`)
  if (v.length !== rows) return fail(loc, "shape", `${where(loc)}: expected ${what} (${shape}), got ${v.length} rows`)
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    const row = vector(v[r], cols, [...loc, r], `row ${r} of ${what}`)
    if (Either.isLeft(row)) return Either.left(row.left)
    out.set(row.right, r * cols)
  }
  return Either.right(out)
}

const sizes = (s: RunState) => {
  const I = s.dataset.I
  const O = s.dataset.O
  const H = s.hidden.length
  return { I, O, H, K: 1 + I + H }
}

/** The stage after an edit: an output phase comes next (see the module comment). */
const afterEdit = (s: RunState): RunState => (s.stage === "candidate" ? { ...s, stage: "output" } : s)

/** A copy of O×K `m` with the entries of `columns` (all when omitted) set to `value(o, k)`. */
const setColumns = (m: Float32Array, O: number, K: number, columns: ReadonlyArray<number>, value: (o: number, k: number) => number): Float32Array => {
  const next = Float32Array.from(m)
  for (let o = 0; o < O; o++) for (const k of columns) next[o * K + k] = value(o, k)
  return next
}

/** O×K → O×(K−1) without column `k`. */
const dropColumn = (m: Float32Array, O: number, K: number, k: number): Float32Array => {
  const next = new Float32Array(O * (K - 1))
  for (let o = 0; o < O; o++) {
    next.set(m.subarray(o * K, o * K + k), o * (K - 1))
    next.set(m.subarray(o * K + k + 1, o * K + K), o * (K - 1) + k)
  }
  return next
}

/** O×K → O×(K+1) with a zero column appended. */
const zeroColumn = (m: Float32Array, O: number, K: number): Float32Array => {
  const next = new Float32Array(O * (K + 1))
  for (let o = 0; o < O; o++) next.set(m.subarray(o * K, o * K + K), o * (K + 1))
  return next
}

/** New output weights; Fahlman's Quickprop state of `columns` is zeroed. */
const withOutputs = (s: RunState, outputWeights: Float32Array, columns: ReadonlyArray<number>): RunState => {
  if (s.algorithm === "upstream") return afterEdit({ ...s, outputWeights })
  const { O, K } = sizes(s)
  return afterEdit({
    ...s,
    outputWeights,
    outputDeltas: setColumns(s.outputDeltas, O, K, columns, () => 0),
    outputPrevSlopes: setColumns(s.outputPrevSlopes, O, K, columns, () => 0)
  })
}

/** E1 `target: "output", field: "weights"`: `values` is (I+H)×O (rows: inputs, then hidden units). */
export const setOutputWeights = (s: RunState, values: unknown, loc: Loc = ["values"]): Either.Either<RunState, InvalidEdit> => {
  const { I, O, H, K } = sizes(s)
  return Either.map(matrix(values, I + H, O, loc, "the output weights, (inputs + hidden units) × outputs"), (m) => {
    const columns = Array.from({ length: K - 1 }, (_, r) => r + 1)
    return withOutputs(s, setColumns(s.outputWeights, O, K, columns, (o, k) => m[(k - 1) * O + o]!), columns)
  })
}

/** E1 `target: "output", field: "bias"`: `values` is O numbers. */
export const setOutputBias = (s: RunState, values: unknown, loc: Loc = ["values"]): Either.Either<RunState, InvalidEdit> => {
  const { O, K } = sizes(s)
  return Either.map(vector(values, O, loc, "the output biases, one per output"), (b) =>
    withOutputs(s, setColumns(s.outputWeights, O, K, [0], (o) => b[o]!), [0])
  )
}

const checkIndex = (s: RunState, index: number, loc: Loc): Either.Either<number, InvalidEdit> => {
  const H = s.hidden.length
  if (!Number.isInteger(index)) return fail(loc, "shape", `${where(loc)}: expected an integer, got ${index}`)
  if (index < 0 || index >= H)
    return fail(loc, "index", `hidden unit ${index} does not exist (the network has ${H} hidden unit${H === 1 ? "" : "s"}${H > 0 ? `: 0..${H - 1}` : ""})`)
  return Either.right(index)
}

const replaceUnit = (s: RunState, k: number, unit: HiddenUnit): RunState =>
  afterEdit({ ...s, hidden: s.hidden.map((h, j) => (j === k ? unit : h)) })

/** E1 `target: "hidden_unit", field: "weights"`: hidden unit k's I + k weights (inputs, then earlier hidden units). */
export const setHiddenWeights = (
  s: RunState,
  index: number,
  values: unknown,
  loc: Loc = ["values"],
  indexLoc: Loc = ["hidden_unit_index"]
): Either.Either<RunState, InvalidEdit> =>
  Either.flatMap(checkIndex(s, index, indexLoc), (k) => {
    const unit = s.hidden[k]!
    return Either.map(vector(values, unit.fanIn - 1, loc, `hidden unit ${k}'s weights, inputs + ${k} earlier hidden unit${k === 1 ? "" : "s"}`), (w) => {
      const weights = new Float32Array(unit.fanIn)
      weights[0] = unit.weights[0]!
      weights.set(w, 1)
      return replaceUnit(s, k, { fanIn: unit.fanIn, weights })
    })
  })

/** E1 `target: "hidden_unit", field: "bias"`: hidden unit k's bias (a number). */
export const setHiddenBias = (
  s: RunState,
  index: number,
  value: unknown,
  loc: Loc = ["values"],
  indexLoc: Loc = ["hidden_unit_index"]
): Either.Either<RunState, InvalidEdit> =>
  Either.flatMap(checkIndex(s, index, indexLoc), (k) =>
    Either.map(float32(value, loc), (b) => {
      const unit = s.hidden[k]!
      const weights = Float32Array.from(unit.weights)
      weights[0] = b
      return replaceUnit(s, k, { fanIn: unit.fanIn, weights })
    })
  )

/**
 * E2: appends a hidden unit reading the bias, every input and every hidden unit (`weights`: I + H numbers, `bias` a
 * number). Its output weights are zero, so the network's outputs do not change.
 */
export const addHiddenUnit = (
  s: RunState,
  weights: unknown,
  bias: unknown,
  loc: { readonly weights: Loc; readonly bias: Loc } = { weights: ["weights"], bias: ["bias"] }
): Either.Either<RunState, InvalidEdit> => {
  const { I, O, H, K } = sizes(s)
  return Either.flatMap(vector(weights, I + H, loc.weights, "the new unit's weights, inputs + hidden units"), (w) =>
    Either.map(float32(bias, loc.bias), (b) => {
      const all = new Float32Array(K)
      all[0] = b
      all.set(w, 1)
      const hidden = [...s.hidden, { fanIn: K, weights: all }]
      const outputWeights = zeroColumn(s.outputWeights, O, K)
      if (s.algorithm === "upstream") return afterEdit({ ...s, hidden, outputWeights })
      return afterEdit({
        ...s,
        hidden,
        outputWeights,
        outputDeltas: zeroColumn(s.outputDeltas, O, K),
        outputPrevSlopes: zeroColumn(s.outputPrevSlopes, O, K)
      })
    })
  )
}

/**
 * E3: removes hidden unit k; every later hidden unit and every output loses the weight that read it (later units
 * move down one place, their fan-in one less).
 */
export const removeHiddenUnit = (s: RunState, index: number, loc: Loc = ["idx"]): Either.Either<RunState, InvalidEdit> =>
  Either.map(checkIndex(s, index, loc), (k) => {
    const { I, O, K } = sizes(s)
    const column = 1 + I + k
    const hidden = s.hidden.flatMap((h, j): Array<HiddenUnit> => {
      if (j < k) return [h]
      if (j === k) return []
      const weights = new Float32Array(h.fanIn - 1)
      weights.set(h.weights.subarray(0, column))
      weights.set(h.weights.subarray(column + 1), column)
      return [{ fanIn: h.fanIn - 1, weights }]
    })
    const outputWeights = dropColumn(s.outputWeights, O, K, column)
    if (s.algorithm === "upstream") return afterEdit({ ...s, hidden, outputWeights })
    return afterEdit({
      ...s,
      hidden,
      outputWeights,
      outputDeltas: dropColumn(s.outputDeltas, O, K, column),
      outputPrevSlopes: dropColumn(s.outputPrevSlopes, O, K, column)
    })
  })

/**
 * R1: the state of a new run (`fresh`: a run just created on the same parameters and dataset) that starts from the
 * network of `s`: its hidden units and output weights, fresh counters, optimiser state, errors, RNG and history. The
 * network's hidden units count against the growth budget (round = H), so `max_hidden_units` still bounds the total.
 */
export const retrainState = (s: RunState, fresh: RunState): RunState => {
  const { O, K } = sizes(s)
  const hidden = s.hidden.map((h) => ({ fanIn: h.fanIn, weights: Float32Array.from(h.weights) }))
  const round = hidden.length
  if (fresh.algorithm === "upstream")
    return { ...fresh, hidden, round, stage: "output", outputWeights: Float32Array.from(s.outputWeights) }
  return {
    ...fresh,
    hidden,
    round,
    stage: round < fresh.params.rounds ? "output" : "final",
    outputWeights: Float32Array.from(s.outputWeights),
    outputDeltas: new Float32Array(O * K),
    outputPrevSlopes: new Float32Array(O * K)
  }
}

/** The decoded state of any run (through its wire snapshot). */
export const runStateOf = (run: CascorRun): RunState => {
  if (run instanceof FahlmanTrainer || run instanceof UpstreamTrainer) return run.snapshotState()
  return Schema.decodeUnknownSync(RunSnapshot)(run.snapshot())
}

/** A run from a state, on `dataset` (the one the state was taken on): the values cache is refilled by `kernels`. */
export const rebuildRun = (s: RunState, dataset: Dataset, kernels: Kernels): Effect.Effect<FahlmanTrainer | UpstreamTrainer, InvalidSnapshot> =>
  s.algorithm === "upstream" ? UpstreamTrainer.restore(s, dataset, kernels) : FahlmanTrainer.restore(s, dataset, kernels)

/** R1 on a run: a new run on the same parameters and dataset, starting from `run`'s network. */
export const retrainRun = (run: CascorRun, kernels: Kernels): Effect.Effect<FahlmanTrainer | UpstreamTrainer, InvalidSnapshot> =>
  Effect.suspend(() => {
    const fresh = createRun(run.params, run.dataset)
    return rebuildRun(retrainState(runStateOf(run), fresh.snapshotState()), run.dataset, kernels)
  })
