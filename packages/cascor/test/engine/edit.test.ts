// Network editing on a run's state (E1–E3) and retraining from a network (R1): the edits are exact, an added unit
// with a zero output row changes no prediction, removing it gives the original back, hand-computed outputs after an
// output-bias edit, shape/index/value checks, and an edited run restores and trains on.
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  addHiddenUnit,
  createRun,
  datasetFromRowsSync,
  decodeParamsSync,
  type InvalidEdit,
  makeParams,
  predict,
  rebuildRun,
  removeHiddenUnit,
  retrainRun,
  type RunState,
  runStateOf,
  setHiddenBias,
  setHiddenWeights,
  setOutputBias,
  setOutputWeights,
  tsKernels,
  twoSpirals,
  xor
} from "@juniper/cascor"
import type { CascorRun, Network } from "@juniper/cascor"

const right = <A>(e: Either.Either<A, InvalidEdit>): A => {
  if (Either.isLeft(e)) throw new Error(`expected an edit, got ${e.left.reason}: ${e.left.message}`)
  return e.right
}
const left = <A>(e: Either.Either<A, InvalidEdit>): InvalidEdit => {
  if (Either.isRight(e)) throw new Error("expected an InvalidEdit")
  return e.left
}

const stepWhile = (run: CascorRun, go: (run: CascorRun) => boolean) => {
  while (!run.status().done && go(run)) Effect.runSync(run.step(tsKernels, { sync: true }))
}
const rebuild = (s: RunState, run: CascorRun) => Effect.runSync(rebuildRun(s, run.dataset, tsKernels))

/** A grid of points over [-1, 1]² (2-D inputs, row-major). */
const grid = (() => {
  const pts: Array<number> = []
  for (let i = 0; i <= 8; i++) for (let j = 0; j <= 8; j++) pts.push(-1 + i / 4, -1 + j / 4)
  return pts
})()

/** Two-spirals (I = 2, O = 1): a few units do not solve it. */
const spirals = twoSpirals()

/** A Fahlman run with `units` hidden units, about to train candidates. */
const fahlmanWithUnits = (units = 2) => {
  const run = createRun(makeParams("twoSpirals", { seed: 5, rounds: 6, outLimit: 30, inLimit: 30, poolSize: 3 }), spirals)
  stepWhile(run, (r) => !(r.status().hiddenUnits >= units && r.status().stage === "candidate"))
  expect(run.status()).toMatchObject({ hiddenUnits: units, stage: "candidate", done: false })
  return run
}

/** An upstream run (tanh units, linear outputs) with `units` hidden units, about to train candidates. */
const upstreamWithUnits = (units = 1) => {
  const run = createRun(
    decodeParamsSync({ algorithm: "upstream", seed: 2, rounds: 8, upstream: { outputEpochs: 5, candidateEpochs: 10, targetAccuracy: 1, growthPatience: 0 } }),
    spirals
  )
  stepWhile(run, (r) => !(r.status().hiddenUnits >= units && r.status().stage === "candidate"))
  expect(run.status()).toMatchObject({ hiddenUnits: units, stage: "candidate", done: false })
  return run
}

describe("network editing (engine)", () => {
  for (const [label, make] of [["fahlman", () => fahlmanWithUnits(2)], ["upstream", () => upstreamWithUnits(2)]] as const)
    it(`${label}: a unit added with a zero output row changes no prediction; removing it gives the original back exactly`, () => {
      const run = make()
      const s = runStateOf(run)
      const before = predict(run.network(), grid)
      const added = right(addHiddenUnit(s, [0.7, -1.3, 2, -0.5], 0.25))
      expect(added.hidden.length).toBe(3)
      expect(added.hidden[2]).toEqual({ fanIn: 5, weights: Float32Array.from([0.25, 0.7, -1.3, 2, -0.5]) })
      // The next phase trains the outputs: the errors cache is stale.
      expect(added.stage).toBe("output")
      const bigger = rebuild(added, run)
      const net = bigger.network()
      expect(net.hidden.length).toBe(3)
      for (let o = 0; o < net.outputs; o++) expect(net.outputWeights[o * 6 + 5]).toBe(0)
      expect(predict(net, grid)).toEqual(before)

      const back = right(removeHiddenUnit(added, 2))
      expect(back).toEqual({ ...s, stage: "output" })
      expect(rebuild(back, run).network()).toEqual(run.network())
      // The rebuilt run holds exactly the edited state, and trains on: an output phase, then a candidate phase.
      expect(runStateOf(bigger)).toEqual(added)
      Effect.runSync(bigger.step(tsKernels, { sync: true }))
      expect(bigger.status()).toMatchObject({ stage: "candidate", hiddenUnits: 3 })
      expect(bigger.status().epoch).toBeGreaterThan(added.epoch)
      Effect.runSync(bigger.step(tsKernels, { sync: true }))
      expect(bigger.status().hiddenUnits).toBe(4)
    })

  it("Fahlman's Quickprop state follows the weights: a zero column for an added unit, the unit's column goes with it", () => {
    const s = runStateOf(fahlmanWithUnits(2))
    if (s.algorithm !== "fahlman") throw new Error("fahlman expected")
    const K = 1 + 2 + 2
    const added = right(addHiddenUnit(s, [1, 1, 1, 1], 0))
    if (added.algorithm !== "fahlman") throw new Error("fahlman expected")
    expect(added.outputDeltas.length).toBe(K + 1)
    expect(added.outputDeltas.subarray(0, K)).toEqual(s.outputDeltas)
    expect(added.outputDeltas[K]).toBe(0)
    expect(added.outputPrevSlopes[K]).toBe(0)
    // Removing hidden unit 0 (column 3) drops that column of the weights and of the Quickprop state.
    const removed = right(removeHiddenUnit(s, 0))
    if (removed.algorithm !== "fahlman") throw new Error("fahlman expected")
    const without = (m: Float32Array) => Float32Array.from([m[0]!, m[1]!, m[2]!, m[4]!])
    expect(removed.outputWeights).toEqual(without(s.outputWeights))
    expect(removed.outputDeltas).toEqual(without(s.outputDeltas))
    expect(removed.outputPrevSlopes).toEqual(without(s.outputPrevSlopes))
    // An output-bias edit zeroes the bias column's Quickprop state only.
    const biased = right(setOutputBias(s, [0.125]))
    if (biased.algorithm !== "fahlman") throw new Error("fahlman expected")
    expect(biased.outputDeltas[0]).toBe(0)
    expect(biased.outputDeltas.subarray(1)).toEqual(s.outputDeltas.subarray(1))
  })

  it("removing a middle unit: later units and the outputs lose the weight that read it", () => {
    const run = fahlmanWithUnits(2)
    const s = runStateOf(run)
    const removed = right(removeHiddenUnit(s, 0))
    expect(removed.hidden).toEqual([{ fanIn: 3, weights: Float32Array.from([s.hidden[1]!.weights[0]!, s.hidden[1]!.weights[1]!, s.hidden[1]!.weights[2]!]) }])
    // A unit that nothing reads (zero output weights, zero weight into unit 1) can go without changing a prediction.
    // Rows of the (I+H)×O output weights: inputs 0, 1, then hidden units 0 (row 2), 1 (row 3); O = 1.
    const silenced = right(setOutputWeights(s, [0, 1, 2, 3].map((r) => [r === 2 ? 0 : s.outputWeights[1 + r]!])))
    const unitOne = Array.from(s.hidden[1]!.weights.subarray(1))
    unitOne[2] = 0
    const quiet = right(setHiddenWeights(silenced, 1, unitOne))
    const before = predict(rebuild(quiet, run).network(), grid)
    const after = predict(rebuild(right(removeHiddenUnit(quiet, 0)), run).network(), grid)
    expect(after).toEqual(before)
  })

  it("an output-bias edit changes the outputs as computed by hand (tiny network)", () => {
    // Upstream: linear outputs. I = 1, O = 1.
    const data = datasetFromRowsSync([[0], [1]], [[0], [1]])
    const run = createRun(decodeParamsSync({ algorithm: "upstream", seed: 1, rounds: 3 }), data)
    let s = right(setOutputWeights(runStateOf(run), [[2]]))
    s = right(setOutputBias(s, [0.5]))
    const net1 = rebuild(s, run).network()
    expect(net1.outputWeights).toEqual(Float32Array.from([0.5, 2]))
    expect(Array.from(predict(net1, [3, -1]))).toEqual([6.5, -1.5])
    // One tanh unit (weight 1, bias 0.25), read with weight 3: y = 0.5 + 2x + 3·tanh(x + 0.25).
    s = right(addHiddenUnit(s, [1], 0.25))
    s = right(setOutputWeights(s, [[2], [3]]))
    const net2 = rebuild(s, run).network()
    const f = Math.fround
    const y = (x: number) => f(0.5 + 2 * x + 3 * f(Math.tanh(0.25 + x)))
    expect(Array.from(predict(net2, [3, -1]))).toEqual([y(3), y(-1)])
    // The bias alone moves every output by the same amount.
    const net3 = rebuild(right(setOutputBias(s, [-1.5])), run).network()
    const y3 = (x: number) => f(-1.5 + 2 * x + 3 * f(Math.tanh(0.25 + x)))
    expect(Array.from(predict(net3, [3, -1]))).toEqual([y3(3), y3(-1)])

    // Fahlman: symmetric-sigmoid output, O = 2 outputs. I = 1, no hidden unit: y_o = σ(b_o + w_o·x) − 0.5.
    const two = datasetFromRowsSync([[0], [1]], [[0.5, -0.5], [-0.5, 0.5]])
    const frun = createRun(decodeParamsSync({ seed: 3, rounds: 2 }), two)
    let fs = right(setOutputWeights(runStateOf(frun), [[1, -2]]))
    fs = right(setOutputBias(fs, [0.25, 1]))
    const fnet = rebuild(fs, frun).network()
    expect(fnet.outputWeights).toEqual(Float32Array.from([0.25, 1, 1, -2]))
    const sig = (z: number) => f(1 / (1 + Math.exp(-z)) - 0.5)
    expect(Array.from(predict(fnet, [2]))).toEqual([sig(0.25 + 2), sig(1 - 4)])
  })

  it("hidden-unit edits: weights and bias of unit k (I + k weights, bias apart)", () => {
    const run = fahlmanWithUnits(2)
    const s = runStateOf(run)
    const w = right(setHiddenWeights(s, 1, [0.5, -0.25, 4]))
    expect(w.hidden[1]).toEqual({ fanIn: 4, weights: Float32Array.from([s.hidden[1]!.weights[0]!, 0.5, -0.25, 4]) })
    expect(w.hidden[0]).toEqual(s.hidden[0])
    const b = right(setHiddenBias(w, 0, -3))
    expect(b.hidden[0]!.weights[0]).toBe(-3)
    expect(b.hidden[0]!.weights.subarray(1)).toEqual(s.hidden[0]!.weights.subarray(1))
    // The rebuilt network is exactly the edited one.
    const net: Network = rebuild(b, run).network()
    expect(net.hidden).toEqual(b.hidden)
  })

  it("shape, index and value checks name the offending part", () => {
    const s = runStateOf(fahlmanWithUnits(2)) // I = 2, H = 2, O = 1
    expect(left(setOutputWeights(s, [[1], [2], [3]]))).toMatchObject({ reason: "shape", loc: ["values"], message: expect.stringMatching(/4×1.*got 3 rows/) })
    expect(left(setOutputWeights(s, [[1], [2, 3], [3], [4]]))).toMatchObject({ reason: "shape", loc: ["values", 1] })
    expect(left(setOutputWeights(s, [1, 2, 3, 4]))).toMatchObject({ reason: "shape", loc: ["values", 0] })
    expect(left(setOutputWeights(s, [[1], ["2"], [3], [4]]))).toMatchObject({ reason: "shape", loc: ["values", 1, 0] })
    expect(left(setOutputWeights(s, 3))).toMatchObject({ reason: "shape", loc: ["values"] })
    expect(left(setOutputBias(s, [1, 2]))).toMatchObject({ reason: "shape", loc: ["values"] })
    expect(left(setOutputBias(s, 1))).toMatchObject({ reason: "shape", loc: ["values"] })
    expect(left(setOutputBias(s, [Number.NaN]))).toMatchObject({ reason: "value", loc: ["values", 0] })
    expect(left(setOutputBias(s, [Number.POSITIVE_INFINITY]))).toMatchObject({ reason: "value" })
    // Finite as a double, infinite as float32.
    expect(left(setOutputWeights(s, [[1], [2], [1e39], [4]]))).toMatchObject({ reason: "value", loc: ["values", 2, 0] })
    expect(left(setHiddenWeights(s, 0, [1, 2, 3]))).toMatchObject({ reason: "shape", loc: ["values"], message: expect.stringMatching(/2 numbers/) })
    expect(left(setHiddenWeights(s, 2, [1, 2, 3, 4]))).toMatchObject({ reason: "index", loc: ["hidden_unit_index"] })
    expect(left(setHiddenWeights(s, -1, [1, 2]))).toMatchObject({ reason: "index" })
    expect(left(setHiddenWeights(s, 0.5, [1, 2]))).toMatchObject({ reason: "shape", loc: ["hidden_unit_index"] })
    expect(left(setHiddenBias(s, 0, [1]))).toMatchObject({ reason: "shape", loc: ["values"] })
    expect(left(setHiddenBias(s, 1, Number.NaN))).toMatchObject({ reason: "value" })
    expect(left(addHiddenUnit(s, [1, 2, 3], 0))).toMatchObject({ reason: "shape", loc: ["weights"], message: expect.stringMatching(/4 numbers/) })
    expect(left(addHiddenUnit(s, [1, 2, 3, 4], "0"))).toMatchObject({ reason: "shape", loc: ["bias"] })
    expect(left(addHiddenUnit(s, [1, 2, 3, 4], 1e40))).toMatchObject({ reason: "value", loc: ["bias"] })
    expect(left(removeHiddenUnit(s, 2))).toMatchObject({ reason: "index", loc: ["idx"], message: "hidden unit 2 does not exist (the network has 2 hidden units: 0..1)" })
    // A failed edit leaves the state alone (the functions are pure).
    expect(runStateOf(rebuild(s, fahlmanWithUnits(2)))).toEqual(s)
  })

  it("stages: a run about to train candidates trains its outputs first; a finished run stays finished", () => {
    const s = runStateOf(fahlmanWithUnits(1))
    expect(right(setOutputBias(s, [0])).stage).toBe("output")
    const done = createRun(makeParams("twoSpirals", { seed: 5, rounds: 1, outLimit: 20, inLimit: 20, poolSize: 2 }), xor())
    stepWhile(done, () => true)
    const d = runStateOf(done)
    expect(d.stage).toBe("done")
    const edited = right(addHiddenUnit(d, Array.from({ length: 2 + d.hidden.length }, () => 0.5), 0))
    expect(edited).toMatchObject({ stage: "done", outcome: d.outcome, reason: d.reason })
    expect(rebuild(edited, done).status()).toMatchObject({ done: true, hiddenUnits: d.hidden.length + 1 })
  })

  for (const [label, make] of [["fahlman", () => fahlmanWithUnits(2)], ["upstream", () => upstreamWithUnits(2)]] as const)
    it(`${label}: retrain starts a new run from the network (fresh counters, same predictions) and trains it`, () => {
      const run = make()
      const again = Effect.runSync(retrainRun(run, tsKernels))
      expect(again.network()).toEqual(run.network())
      expect(again.status()).toMatchObject({ epoch: 0, round: 2, crossings: 0, hiddenUnits: 2, stage: "output", done: false })
      const s = runStateOf(again)
      if (s.algorithm === "fahlman") {
        expect(s.outputDeltas.every((v) => v === 0)).toBe(true)
        expect(s.history).toEqual([])
      } else expect(s.sinceImprovement).toBe(0)
      // It trains: an output phase first, then growth on top of the two units.
      Effect.runSync(again.step(tsKernels, { sync: true }))
      expect(again.status().epoch).toBeGreaterThan(0)
      stepWhile(again, (r) => r.status().hiddenUnits < 3)
      expect(again.network().hidden.slice(0, 2)).toEqual(run.network().hidden)
    })
})
