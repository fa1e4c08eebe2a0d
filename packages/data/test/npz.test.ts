import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { prepareDataset, runGenerator, TABULAR_KEYS } from "../src/generators/index.js"
import { datasetToNpz, decodeNpy, decodeNpz, decodeTabularNpz, encodeNpy, encodeNpz, npyHeader } from "../src/npz/index.js"
import { hasNumpy, pythonJson, runPython } from "./helpers/python.js"

const spiral = Either.getOrThrow(runGenerator(Either.getOrThrow(prepareDataset("spiral", {}))))

describe("NPY header", () => {
  it.each([
    [[155, 2], "(155, 2)"],
    [[194], "(194,)"],
    [[0, 2], "(0, 2)"],
    [[], "()"]
  ])("shape %j → %s, padded to 64 with a final newline", (shape, repr) => {
    const h = npyHeader("<f4", shape)
    expect(h.length % 64).toBe(0)
    expect(Array.from(h.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
    expect(h[8]! + 256 * h[9]!).toBe(h.length - 10)
    const text = new TextDecoder().decode(h.subarray(10))
    expect(text.endsWith("\n")).toBe(true)
    expect(text.trimEnd()).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': ${repr}, }`)
  })

  it("round-trips through the reader", () => {
    const data = Float32Array.from([1.5, -2, 3.25, 0])
    const back = Either.getOrThrow(decodeNpy(encodeNpy({ descr: "<f4", shape: [2, 2], data })))
    expect(back.shape).toEqual([2, 2])
    expect(Array.from(back.data as Float32Array)).toEqual([1.5, -2, 3.25, 0])
    expect(Either.isLeft(decodeNpy(Uint8Array.from([1, 2, 3])))).toBe(true)
    expect(() => encodeNpy({ descr: "<f4", shape: [3], data })).toThrow(RangeError)
  })
})

describe("NPZ artifact", () => {
  it("has the 8 keys in member order and reads back", () => {
    const npz = Either.getOrThrow(decodeNpz(datasetToNpz(spiral)))
    expect(Object.keys(npz)).toEqual([...TABULAR_KEYS])
    expect(npz["X_val"]!.shape).toEqual([0, 2])
    expect(npz["X_train"]!.shape).toEqual([155, 2])
    expect(Array.from(npz["X_full"]!.data as Float32Array)).toEqual(Array.from(spiral.arrays.X_full.data))
    expect(Either.isLeft(decodeNpz(Uint8Array.from([1, 2, 3, 4])))).toBe(true)
  })

  it("decodeTabularNpz types the members as float32 and rejects other dtypes", () => {
    const z = Either.getOrThrow(decodeTabularNpz(datasetToNpz(spiral)))
    const first: Array<number> = Array.from(z["X_train"]!.data.subarray(0, 2))
    expect(first).toEqual([4.095326900482178, 2.969475269317627])
    const ints = encodeNpz([["i", { descr: "<i4", shape: [1], data: Int32Array.from([1]) }]])
    expect(Either.isLeft(decodeTabularNpz(ints))).toBe(true)
  })

  it("is byte-identical for equal datasets (fixed member timestamps)", () => {
    expect(Buffer.from(datasetToNpz(spiral)).equals(Buffer.from(datasetToNpz(spiral)))).toBe(true)
  })

  it.skipIf(!hasNumpy)("np.load(allow_pickle=False): keys, dtypes, shapes, values", () => {
    const got = pythonJson<{ files: Array<string>; arrays: Record<string, [string, Array<number>, Array<number>]> }>(
      `import io, json, sys, numpy as np
z = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False)
print(json.dumps({"files": z.files, "arrays": {k: [z[k].dtype.str, list(z[k].shape), z[k].ravel().tolist()] for k in z.files}}))`,
      datasetToNpz(spiral)
    )
    expect(got.files).toEqual([...TABULAR_KEYS])
    for (const key of TABULAR_KEYS) {
      const m = spiral.arrays[key]
      const [dtype, shape, values] = got.arrays[key]!
      expect(dtype, key).toBe("<f4")
      expect(shape, key).toEqual([m.rows, m.cols])
      expect(values, key).toEqual(Array.from(m.data))
    }
  })

  it.skipIf(!hasNumpy)("Python's zipfile: every member deflated, CRCs valid, names in order", () => {
    const out = runPython(
      `import io, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
print(z.testzip(), {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}, ",".join(z.namelist()))`,
      datasetToNpz(spiral, { level: 6 })
    ).trim()
    expect(out).toBe(`None True ${TABULAR_KEYS.map((k) => `${k}.npy`).join(",")}`)
  })

  it.skipIf(!hasNumpy)("NumPy reads 1-D and empty arrays we write", () => {
    const bytes = encodeNpz([
      ["one_d", { descr: "<f4", shape: [3], data: Float32Array.from([1, 2, 3]) }],
      ["empty", { descr: "<f4", shape: [0, 2], data: new Float32Array(0) }],
      ["ints", { descr: "<i4", shape: [2, 2], data: Int32Array.from([1, -2, 3, -4]) }]
    ])
    const out = runPython(
      `import io, sys, numpy as np
z = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False)
print(";".join(f"{k}:{z[k].dtype.str}:{z[k].shape}:{z[k].ravel().tolist()}" for k in z.files))`,
      bytes
    ).trim()
    expect(out).toBe("one_d:<f4:(3,):[1.0, 2.0, 3.0];empty:<f4:(0, 2):[];ints:<i4:(2, 2):[1, -2, 3, -4]")
  })

  it.skipIf(!hasNumpy)("our reader reads NumPy's own savez_compressed output", () => {
    const b64 = runPython(`import io, base64, numpy as np
buf = io.BytesIO()
np.savez_compressed(buf, f4=np.arange(6, dtype=np.float32).reshape(2, 3) / 3, f8=np.array([0.1, -2.5]),
    i8=np.array([-(2**40), 7], dtype=np.int64), u1=np.array([0, 255], dtype=np.uint8), b=np.array([True, False]),
    empty=np.zeros((0, 4), np.float32), scalar=np.float64(2.5))
print(base64.b64encode(buf.getvalue()).decode())`).trim()
    const z = Either.getOrThrow(decodeNpz(Uint8Array.from(Buffer.from(b64, "base64"))))
    expect(Array.from(z["f4"]!.data as Float32Array)).toEqual(Array.from(Float32Array.from([0, 1, 2, 3, 4, 5].map((v) => Math.fround(v) / 3))))
    expect(z["f4"]!.shape).toEqual([2, 3])
    expect(Array.from(z["f8"]!.data as Float64Array)).toEqual([0.1, -2.5])
    expect(Array.from(z["i8"]!.data as BigInt64Array)).toEqual([-(2n ** 40n), 7n])
    expect(Array.from(z["u1"]!.data as Uint8Array)).toEqual([0, 255])
    expect(Array.from(z["b"]!.data as Uint8Array)).toEqual([1, 0])
    expect(z["empty"]!.shape).toEqual([0, 4])
    expect(z["scalar"]!.shape).toEqual([])
    expect(Array.from(z["scalar"]!.data as Float64Array)).toEqual([2.5])
  })
})
