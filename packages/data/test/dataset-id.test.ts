import { describe, expect, it } from "vitest"
import {
  canonicalString,
  computeDatasetId,
  pyFloat,
  pythonFloatRepr,
  pythonJsonDumps,
  randomNonce
} from "../src/dataset-id/index.js"
import { hasNumpy, pythonJson, runPython } from "./helpers/python.js"

const tricky = [
  0, -0, 1, 3, -3, 0.1, 0.25, 1e-5, 1e-4, 0.0001234, 1.5e16, 1e16, 9999999999999998, 1e15, 123456789012345.6,
  5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1 / 3, 2 / 3, 100, 1e22, 1e21, -1e-7, 0.30000000000000004,
  123.456, 6.02214076e23, 2 ** 53, 2 ** 53 + 2, 2 ** 60, 4.35, 0.5, 1e-4 * 3, NaN, Infinity, -Infinity
]

describe("Python float repr", () => {
  it("documented cases", () => {
    expect(pythonFloatRepr(3)).toBe("3.0")
    expect(pythonFloatRepr(1e-5)).toBe("1e-05")
    expect(pythonFloatRepr(1.5e16)).toBe("1.5e+16")
    expect(pythonFloatRepr(0.1)).toBe("0.1")
    expect(pythonFloatRepr(1e16)).toBe("1e+16")
    expect(pythonFloatRepr(-0)).toBe("-0.0")
  })

  it.skipIf(!hasNumpy)("matches json.dumps for tricky and random doubles", () => {
    // Random bit patterns cover every exponent; hex transport keeps the exact double.
    const buf = new Float64Array(3000)
    const words = new Uint32Array(buf.buffer)
    for (let i = 0; i < words.length; i++) words[i] = (Math.random() * 2 ** 32) >>> 0
    const values = [...tricky, ...Array.from(buf).filter((v) => Number.isFinite(v))]
    // Also values near 10^k boundaries, where fixed/scientific switches.
    for (let k = -8; k <= 20; k++) values.push(10 ** k, 10 ** k * 1.5, 10 ** k - 10 ** (k - 3))
    const hex = values.map((v) => {
      const b = new DataView(new ArrayBuffer(8))
      b.setFloat64(0, v)
      return b.getBigUint64(0).toString(16).padStart(16, "0")
    })
    const py = pythonJson<Array<string>>(
      `import json, struct, sys
hx = json.load(sys.stdin)
print(json.dumps([json.dumps(struct.unpack(">d", bytes.fromhex(h))[0]) for h in hx]))`,
      JSON.stringify(hex)
    )
    expect(values.map(pythonFloatRepr)).toEqual(py)
  })
})

describe("canonical JSON", () => {
  it.skipIf(!hasNumpy)("matches json.dumps(sort_keys, compact, ensure_ascii) on strings, ints and nesting", () => {
    const strings = [
      "plain",
      'quote " and \\ backslash',
      "ctl \n\r\t\b\f \u0000 \u0001 \u001f \u007f",
      "é ü ß 中文",
      "emoji 😀 𝄞",
      "lone \ud800 surrogate",
      "\u2028\u2029",
      "/slash"
    ]
    const ints = [0n, -1n, 2n ** 53n + 1n, 10n ** 30n, -(10n ** 25n)]
    const obj = {
      b: strings,
      a: ints.map(String),
      "😀": 1,
      "\uffff": 2,
      é: { z: [1, 2, { y: null, x: true, w: false }], A: "k" },
      B: 3,
      _nonce: "0a1b2c3d"
    }
    const want = runPython(
      `import json, sys
o = json.load(sys.stdin)
o["a"] = [int(s) for s in o["a"]]
sys.stdout.write(json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=True))`,
      JSON.stringify(obj)
    )
    expect(pythonJsonDumps({ ...obj, a: ints })).toBe(want)
  })

  it("float-typed fields print as floats, int-typed as ints", () => {
    expect(pythonJsonDumps({ noise: pyFloat(1), n: 3, origin: [pyFloat(0), pyFloat(0)], big: 1e21 })).toBe(
      '{"big":1000000000000000000000,"n":3,"noise":1.0,"origin":[0.0,0.0]}'
    )
  })

  it("the contract's spiral example → spiral-1.0.0-20b8434af6769210", () => {
    const params = {
      algorithm: "modern",
      clockwise: true,
      n_points_per_spiral: 97,
      n_rotations: pyFloat(3),
      n_spirals: 2,
      noise: pyFloat(0.25),
      origin: [pyFloat(0), pyFloat(0)],
      radius: pyFloat(10),
      seed: 42,
      shuffle: true,
      test_ratio: pyFloat(0.2),
      train_ratio: pyFloat(0.8)
    }
    expect(canonicalString("spiral", "1.0.0", params)).toBe(
      '{"generator":"spiral","params":{"algorithm":"modern","clockwise":true,"n_points_per_spiral":97,"n_rotations":3.0,"n_spirals":2,"noise":0.25,"origin":[0.0,0.0],"radius":10.0,"seed":42,"shuffle":true,"test_ratio":0.2,"train_ratio":0.8},"version":"1.0.0"}'
    )
    expect(computeDatasetId("spiral", "1.0.0", params)).toBe("spiral-1.0.0-20b8434af6769210")
  })

  it("a nonce changes the id and is 8 hex characters", () => {
    const n = randomNonce()
    expect(n).toMatch(/^[0-9a-f]{8}$/)
    expect(computeDatasetId("moon", "1.0.0", { seed: null }, n)).not.toBe(computeDatasetId("moon", "1.0.0", { seed: null }))
    expect(canonicalString("moon", "1.0.0", { seed: null }, "deadbeef")).toBe(
      '{"_nonce":"deadbeef","generator":"moon","params":{"seed":null},"version":"1.0.0"}'
    )
  })
})
