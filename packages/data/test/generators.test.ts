import { Either } from "effect"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  GENERATOR_NAMES,
  GENERATORS,
  listGeneratorInfo,
  prepareDataset,
  type PreparedDataset,
  roundHalfEven,
  runGenerator,
  splitCounts,
  TABULAR_KEYS
} from "../src/generators/index.js"
import { hasNumpy, pythonJson } from "./helpers/python.js"

const prep = (g: string, p: unknown, defaultSeed?: number): PreparedDataset =>
  Either.getOrThrow(prepareDataset(g, p, defaultSeed === undefined ? {} : { defaultSeed }))
const gen = (g: string, p: unknown) => Either.getOrThrow(runGenerator(prep(g, p)))
const row = (m: { data: Float32Array; cols: number }, r = 0) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols))

describe("reference vectors (§5.8)", () => {
  const cases: Array<[string, object, string, [number, number]]> = [
    ["spiral", {}, "spiral-1.0.0-20b8434af6769210", [0.07617927342653275, -0.24931170046329498]],
    ["spiral", { algorithm: "legacy_cascor" }, "spiral-1.0.0-bfcc817877961b00", [-7.1006550788879395, 5.202102184295654]],
    [
      "spiral",
      { n_points_per_spiral: 100, noise: 0.1, seed: 42, algorithm: "modern", train_ratio: 0.8 },
      "spiral-1.0.0-7188c37ef7f777a4",
      [0.03047170862555504, -0.037816256284713745]
    ],
    ["xor", { seed: 42 }, "xor-1.0.0-dcbc70e45f7b3611", [0.7965604662895203, 0.2799173891544342]],
    ["gaussian", { seed: 42 }, "gaussian-1.0.0-74fc6a39233439b8", [3.3047170639038086, -1.039984107017517]],
    ["circles", { seed: 42, noise: 0.05 }, "circles-1.0.0-50a2371de63f4a6c", [0.1699412763118744, -1.033967137336731]],
    ["checkerboard", { seed: 42 }, "checkerboard-1.0.0-96d59953bc545906", [0.7739560604095459, 0.7774048447608948]]
  ]
  it.each(cases)("%s %j → %s", (g, p, id, first) => {
    expect(prep(g, p).datasetId).toBe(id)
    expect(row(gen(g, p).arrays.X_full)).toEqual(first)
  })

  it("spiral defaults: X_train[0], y_train[0] and the 155/0/39 split", () => {
    const d = gen("spiral", {})
    expect(row(d.arrays.X_train)).toEqual([4.095326900482178, 2.969475269317627])
    expect(row(d.arrays.y_train)).toEqual([0, 1])
    expect([d.nTrain, d.nVal, d.nTest]).toEqual([155, 0, 39])
    expect([d.arrays.X_train.rows, d.arrays.X_test.rows, d.arrays.X_full.rows, d.arrays.X_val.rows]).toEqual([155, 39, 194, 0])
    expect(d.classDistribution).toEqual({ "0": 97, "1": 97 })
  })

  it("the client convenience call gives 160/40/200", () => {
    const d = gen("spiral", { n_points_per_spiral: 100, noise: 0.1, seed: 42, algorithm: "modern", train_ratio: 0.8 })
    expect([d.nTrain, d.nTest, d.arrays.X_full.rows]).toEqual([160, 40, 200])
  })
})

/** Every element equal as float32, or within 1 float32 ulp (V8 vs libm cos/sin/exp may differ by 1 ulp). */
const expectF32Close = (label: string, got: Float32Array, want: ReadonlyArray<number>) => {
  expect(got.length, label).toBe(want.length)
  const g = new Int32Array(got.buffer, got.byteOffset, got.length)
  const w = new Int32Array(Float32Array.from(want).buffer)
  let inexact = 0
  for (let i = 0; i < g.length; i++) {
    if (g[i] === w[i]) continue
    if (Math.abs(g[i]! - w[i]!) > 1) expect.fail(`${label}[${i}]: ${got[i]} != ${want[i]}`)
    inexact++
  }
  expect(inexact, `${label}: elements off by one ulp`).toBeLessThanOrEqual(Math.max(2, got.length / 1000))
}

describe.skipIf(!hasNumpy)("all eight arrays against a NumPy reference run on this machine", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["spiral", {}],
    ["spiral", { algorithm: "legacy_cascor", clockwise: false, origin: [1.5, -2], radius: 3.3, noise: 0.7, n_spirals: 3, n_points: 500 }],
    ["spiral", { n_spirals: 5, n_rotations: 0.75, seed: 2 ** 40 + 3, val_ratio: 0.1, test_ratio: 0.15, train_ratio: 0.7 }],
    ["spiral", { shuffle: false, noise_level: 1.5, clockwise: false, n_points_per_spiral: 1000 }],
    ["xor", {}],
    ["xor", { noise: 0.3, margin: 0, x_range: 2.5, n_points_per_quadrant: 77, seed: 7, test_ratio: 0.5, train_ratio: 0.5 }],
    ["gaussian", {}],
    ["gaussian", { n_classes: 4, n_features: 3, class_std: [0.5, 1.5], noise: 0.2, seed: 11 }],
    ["gaussian", { n_classes: 2, n_features: 1, centers: [[-1.25], [2.5]], class_std: 0.3 }],
    ["gaussian", { n_classes: 3, n_features: 1, n_samples_per_class: 33 }],
    ["circles", { seed: 42, noise: 0.05 }],
    ["circles", { n_samples: 101, inner_ratio: 0.3, factor: 0.8, outer_radius: 2, seed: 5, val_ratio: 0.25, test_ratio: 0.25, train_ratio: 0.5 }],
    ["moon", {}],
    ["moon", { n_samples: 7, noise: 0, seed: 1 }],
    ["checkerboard", {}],
    ["checkerboard", { n_squares: 5, x_range: [-1, 2], y_range: [3, 4.5], noise: 0.05, n_samples: 333, seed: 9 }]
  ]

  it("value for value", () => {
    const prepared = cases.map(([g, p]) => prep(g, p))
    const want = pythonJson<Array<Record<string, [Array<number>, Array<number>]>>>(
      readFileSync(new URL("./helpers/numpy-generators.py", import.meta.url), "utf8"),
      JSON.stringify(prepared.map((pr) => [pr.generator.name, pr.params]))
    )
    prepared.forEach((pr, c) => {
      const got = Either.getOrThrow(runGenerator(pr))
      for (const key of TABULAR_KEYS) {
        const [shape, values] = want[c]![key]!
        const m = got.arrays[key]
        const label = `${pr.generator.name} case ${c} ${key}`
        expect([m.rows, m.cols], label).toEqual(shape)
        expectF32Close(label, m.data, values)
      }
    })
  })
})

describe("validation", () => {
  const invalid = (g: string, p: unknown) => {
    const r = prepareDataset(g, p)
    if (Either.isRight(r)) throw new Error("expected a failure")
    return r.left
  }

  it("unknown generator names the available ones in Python list form", () => {
    const e = invalid("nope", {})
    expect(e._tag).toBe("UnknownGenerator")
    expect((e as { detail: string }).detail).toBe(
      "Unknown generator 'nope'. Available: ['spiral', 'xor', 'gaussian', 'circles', 'moon', 'checkerboard']"
    )
  })

  it("registry order and one JSON schema per generator", () => {
    expect(GENERATOR_NAMES).toEqual(["spiral", "xor", "gaussian", "circles", "moon", "checkerboard"])
    const info = listGeneratorInfo()
    expect(info.map((i) => i.name)).toEqual(GENERATOR_NAMES)
    const spiral = info[0]!.schema as { title: string; type: string; properties: Record<string, Record<string, unknown>> }
    expect(spiral.title).toBe("SpiralParams")
    expect(spiral.type).toBe("object")
    expect(spiral.properties["n_points_per_spiral"]).toMatchObject({
      title: "N Points Per Spiral",
      type: "integer",
      default: 97,
      minimum: 10,
      maximum: 10000
    })
    expect(spiral.properties["seed"]).toMatchObject({ anyOf: [{ type: "integer" }, { type: "null" }], default: 42 })
    expect(spiral.properties["radius"]).toMatchObject({ type: "number", exclusiveMinimum: 0, maximum: 100 })
    expect(spiral.properties["algorithm"]).toMatchObject({ enum: ["modern", "legacy_cascor"], default: "modern" })
    expect(spiral.properties["origin"]).toMatchObject({
      type: "array",
      prefixItems: [{ type: "number" }, { type: "number" }],
      minItems: 2,
      maxItems: 2,
      default: [0, 0]
    })
    const xorSeed = (info[1]!.schema as { properties: Record<string, unknown> }).properties["seed"]
    expect(xorSeed).toMatchObject({ anyOf: [{ type: "integer", minimum: 0 }, { type: "null" }] })
    expect((listGeneratorInfo(7)[0]!.schema as { properties: { seed: { default: number } } }).properties.seed.default).toBe(7)
  })

  it("aliases resolve, unknown keys are dropped, defaults are filled", () => {
    const a = prep("spiral", { n_points: 120, noise_level: 0.5, bogus: 1 })
    const b = prep("spiral", { n_points_per_spiral: 120, noise: 0.5 })
    expect(a.datasetId).toBe(b.datasetId)
    expect(a.params).toMatchObject({ n_points_per_spiral: 120, noise: 0.5, radius: 10, seed: 42, shuffle: true })
    expect("bogus" in a.params || "n_points" in a.params).toBe(false)
    // circles ignores the client-side n_points.
    expect(prep("circles", { n_points: 50 }).datasetId).toBe(prep("circles", {}).datasetId)
  })

  it("float-typed fields are floats in the id whatever the JSON spelling; ints stay ints", () => {
    expect(prep("spiral", { noise: 1 }).canonical).toContain('"noise":1.0')
    expect(prep("spiral", { n_rotations: 2 }).canonical).toContain('"n_rotations":2.0')
    expect(prep("spiral", { origin: [1, 2] }).canonical).toContain('"origin":[1.0,2.0]')
    expect(prep("spiral", { n_spirals: 3 }).canonical).toContain('"n_spirals":3,')
    expect(prep("gaussian", { class_std: [1, 2] }).canonical).toContain('"class_std":[1.0,2.0]')
  })

  it("val_ratio enters the id (and meta params) only when not 0", () => {
    expect(prep("spiral", { val_ratio: 0 }).datasetId).toBe("spiral-1.0.0-20b8434af6769210")
    const v = prep("spiral", { val_ratio: 0.1, test_ratio: 0.1 })
    expect(v.canonical).toContain('"val_ratio":0.1')
    expect(v.metaParams).toMatchObject({ val_ratio: 0.1 })
    expect("val_ratio" in prep("spiral", {}).metaParams).toBe(false)
  })

  it("seed: default override, explicit null gets a nonce", () => {
    expect(prep("spiral", {}, 42).datasetId).toBe("spiral-1.0.0-20b8434af6769210")
    const seven = prep("spiral", {}, 7)
    expect(seven.params.seed).toBe(7)
    expect(seven.datasetId).toBe(prep("spiral", { seed: 7 }).datasetId)
    // An explicit seed wins over the configured default.
    expect(prep("spiral", { seed: 42 }, 7).datasetId).toBe("spiral-1.0.0-20b8434af6769210")
    const a = prep("moon", { seed: null })
    const b = prep("moon", { seed: null })
    expect(a.nonce).toMatch(/^[0-9a-f]{8}$/)
    expect(a.canonical).toContain(`"_nonce":"${a.nonce}"`)
    expect(a.canonical).toContain('"seed":null')
    expect(a.datasetId).not.toBe(b.datasetId)
    // Seedless data differs between runs.
    expect(row(Either.getOrThrow(runGenerator(a)).arrays.X_full)).not.toEqual(row(Either.getOrThrow(runGenerator(b)).arrays.X_full))
  })

  it("bounds and types fail with the field named", () => {
    const e = invalid("spiral", { n_spirals: 11, noise: "x", radius: 0, algorithm: "new", origin: [1], clockwise: 3 })
    expect(e._tag).toBe("InvalidParameters")
    const issues = Object.fromEntries((e as { issues: ReadonlyArray<{ field: string; message: string }> }).issues.map((i) => [i.field.split(".")[0], i.message]))
    expect(issues).toMatchObject({
      n_spirals: "Input should be less than or equal to 10",
      noise: "Input should be a valid number",
      radius: "Input should be greater than 0",
      algorithm: "Input should be 'modern' or 'legacy_cascor'",
      origin: "Input should be a list of 2 numbers",
      clockwise: "Input should be a valid boolean"
    })
    expect((e as { detail: string }).detail).toMatch(/^Invalid parameters: n_spirals: Input should be less than or equal to 10; /)
    expect(invalid("spiral", { n_points_per_spiral: 20.5 })).toMatchObject({ issues: [{ field: "n_points_per_spiral", message: "Input should be a valid integer" }] })
    expect(invalid("xor", { seed: -1 })).toMatchObject({ issues: [{ field: "seed" }] })
    expect(invalid("gaussian", { class_std: [1, -1] })).toMatchObject({ issues: [{ field: "class_std" }] })
    expect(invalid("circles", { factor: 1 })).toMatchObject({ issues: [{ field: "factor", message: "Input should be less than 1" }] })
    expect(invalid("spiral", "not an object")._tag).toBe("InvalidParameters")
  })

  it("a ratio sum above 1 is rejected; exactly 1 is fine", () => {
    expect(invalid("spiral", { train_ratio: 0.9, test_ratio: 0.2 })._tag).toBe("InvalidParameters")
    expect(invalid("spiral", { val_ratio: 0.1 })._tag).toBe("InvalidParameters")
    expect(Either.isRight(prepareDataset("spiral", { train_ratio: 0.7, val_ratio: 0.1, test_ratio: 0.2 }))).toBe(true)
  })

  it("semantic failures surface as GenerationFailed", () => {
    const run = (g: string, p: unknown) => runGenerator(prep(g, p))
    expect(Either.getLeft(run("gaussian", { centers: [[0, 0]] })).pipe((o) => o._tag === "Some" && o.value._tag)).toBe("GenerationFailed")
    expect(Either.isLeft(run("gaussian", { class_std: [] }))).toBe(true)
    expect(Either.isLeft(run("spiral", { seed: -5 }))).toBe(true)
    expect(Either.isLeft(run("checkerboard", { x_range: [1, 1] }))).toBe(true)
  })

  it("every generator produces one-hot labels and a consistent split with defaults", () => {
    for (const g of GENERATORS) {
      const d = gen(g.name, {})
      const N = d.arrays.X_full.rows
      expect(d.nTrain + d.nVal + d.nTest).toBeLessThanOrEqual(N)
      for (const key of ["y_train", "y_test", "y_full"] as const) {
        const y = d.arrays[key]
        for (let r = 0; r < y.rows; r++) expect(row(y, r).reduce((s, v) => s + v, 0)).toBe(1)
      }
      expect(Object.values(d.classDistribution).reduce((s, v) => s + v, 0)).toBe(N)
    }
  })
})

describe("split counts", () => {
  it("round half to even, like Python's round()", () => {
    expect([0.5, 1.5, 2.5, 3.5, 155.2, 38.8, -0.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 155, 39, 0])
  })

  it("trims test first, then val", () => {
    expect(splitCounts(194, { train_ratio: 0.8, val_ratio: 0, test_ratio: 0.2 })).toEqual({ nTrain: 155, nVal: 0, nTest: 39 })
    expect(splitCounts(5, { train_ratio: 0.5, val_ratio: 0, test_ratio: 0.5 })).toEqual({ nTrain: 2, nVal: 0, nTest: 2 })
    expect(splitCounts(3, { train_ratio: 0.5, val_ratio: 0.5, test_ratio: 0 })).toEqual({ nTrain: 2, nVal: 1, nTest: 0 })
    expect(splitCounts(7, { train_ratio: 0.5, val_ratio: 0.25, test_ratio: 0.25 })).toEqual({ nTrain: 4, nVal: 2, nTest: 1 })
    expect(splitCounts(10, { train_ratio: 0.45, val_ratio: 0.25, test_ratio: 0.3 })).toEqual({ nTrain: 4, nVal: 2, nTest: 3 })
    expect(splitCounts(2, { train_ratio: 0.75, val_ratio: 0.25, test_ratio: 0 })).toEqual({ nTrain: 2, nVal: 0, nTest: 0 })
  })
})
