// Parameters and data are checked up front; every failure is typed and names what was wrong.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  datasetFromArrays,
  datasetFromRows,
  decodeParams,
  decodeParamsSync,
  InvalidDataset,
  InvalidParameter,
  makeParams,
  twoSpiralsPreset
} from "@juniper/cascor"

const paramError = (input: unknown) => Effect.runSync(Effect.flip(decodeParams(input)))

describe("parameters", () => {
  it("defaults are Fahlman's (Lisp column of A.10)", () => {
    const p = decodeParamsSync({})
    expect(p).toMatchObject({
      algorithm: "fahlman", poolSize: 8, hiddenActivation: "symmetricSigmoid", outputActivation: "symmetricSigmoid",
      sigmoidPrimeOffset: 0.1, weightRange: 1, weightMultiplier: 1, outputMu: 2, outputEpsilon: 0.35, outputDecay: 1e-4,
      outputPatience: 8, outputChangeThreshold: 0.01, inputMu: 2, inputEpsilon: 1, inputDecay: 0, inputPatience: 8,
      inputChangeThreshold: 0.03, scoreThreshold: 0.4, meanCorrection: "fahlman", maxUnits: 100
    })
  })

  it("the two-spirals preset is Fahlman's set with train(100, 100, 25)", () => {
    const p = makeParams("twoSpirals", { seed: 3 })
    expect(p).toMatchObject({ ...twoSpiralsPreset, seed: 3 })
    expect(p).toMatchObject({ outputEpsilon: 1, outputPatience: 12, inputEpsilon: 100, scoreThreshold: 0.4, outLimit: 100, inLimit: 100, rounds: 25 })
  })

  it.each([
    [{ poolSize: 0 }, "poolSize"],
    [{ poolSize: -3 }, "poolSize"],
    [{ poolSize: 2.5 }, "poolSize"],
    [{ outputEpsilon: 0 }, "outputEpsilon"],
    [{ inputEpsilon: -1 }, "inputEpsilon"],
    [{ inputEpsilon: Number.NaN }, "inputEpsilon"],
    [{ outputMu: Number.POSITIVE_INFINITY }, "outputMu"],
    [{ inputPatience: -1 }, "inputPatience"],
    [{ hiddenActivation: "linear" }, "hiddenActivation"],
    [{ outputActivation: "gaussian" }, "outputActivation"],
    [{ algorithm: "backprop" }, "algorithm"],
    [{ seed: -1 }, "seed"],
    [{ outLimit: 0 }, "outLimit"],
    [{ scoreThreshold: "0.4" }, "scoreThreshold"],
    [{ upstream: { targetAccuracy: 1.5 } }, "upstream.targetAccuracy"],
    [{ poolSzie: 8 }, "poolSzie"]
  ])("%j → InvalidParameter naming %s", (input, name) => {
    const e = paramError(input)
    expect(e).toBeInstanceOf(InvalidParameter)
    expect(e.parameter).toBe(name)
  })

  it("a non-object is rejected too", () => {
    expect(paramError(42)._tag).toBe("InvalidParameter")
  })
})

describe("datasets", () => {
  const bad = (eff: Effect.Effect<unknown, InvalidDataset>) => Effect.runSync(Effect.flip(eff))

  it("rejects an empty dataset", () => {
    expect(bad(datasetFromRows([], []))).toMatchObject({ _tag: "InvalidDataset", parameter: "inputs" })
    expect(bad(datasetFromArrays({ P: 0, I: 2, O: 1, inputs: [], targets: [] })).parameter).toBe("inputs")
  })
  it("rejects NaN and ±Infinity, naming the cell", () => {
    expect(bad(datasetFromRows([[0, 1], [Number.NaN, 1]], [[0], [1]])).parameter).toBe("inputs[1][0]")
    expect(bad(datasetFromRows([[0, 1], [0, 1]], [[0], [Number.POSITIVE_INFINITY]])).parameter).toBe("targets[1][0]")
    expect(bad(datasetFromRows([[0, 1e39]], [[0]])).parameter).toBe("inputs[0][1]") // overflows float32
  })
  it("rejects mismatched shapes", () => {
    expect(bad(datasetFromRows([[0, 1], [0]], [[0], [1]])).parameter).toBe("inputs[1]")
    expect(bad(datasetFromRows([[0, 1], [0, 1]], [[0]])).parameter).toBe("targets")
    expect(bad(datasetFromRows([[0, 1], [0, 1]], [[0], [1, 1]])).parameter).toBe("targets[1]")
    expect(bad(datasetFromArrays({ P: 2, I: 2, O: 1, inputs: [1, 2, 3], targets: [0, 1] })).parameter).toBe("inputs")
    expect(bad(datasetFromArrays({ P: 2, I: 2, O: 1, inputs: [1, 2, 3, 4], targets: [0] })).parameter).toBe("targets")
  })
  it("accepts a good one as float32", () => {
    const d = Effect.runSync(datasetFromRows([[0.1, 1], [2, 3]], [[0.5], [-0.5]]))
    expect(d).toMatchObject({ P: 2, I: 2, O: 1 })
    expect(d.inputs[0]).toBe(Math.fround(0.1))
  })
})
