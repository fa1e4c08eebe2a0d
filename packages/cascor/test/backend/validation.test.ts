/**
 * Bad calls into the addon throw JS TypeError/RangeError naming the parameter; the process stays alive.
 * Also: the vectorised activations against float64 (accuracy, clamp, NaN), and the B6 probes.
 */
import { describe, expect, it } from "vitest"
import { Activation } from "../../src/engine/kernel.js"
import type { ActivationCode, CandidatePhaseInput } from "../../src/engine/kernel.js"
import { activate } from "../../src/engine/math/activation.js"
import { built, candidateState, forEachIsa, native, outputState } from "./helpers.js"

describe.runIf(built)("argument validation", () => {
  const good = () => candidateState({ P: 20, I: 2, H: 1, O: 1, C: 4 }, 1, { maxEpochs: 2 })
  const bad = (patch: Record<string, unknown>) => ({ ...good(), ...patch }) as unknown as CandidatePhaseInput

  const cases: ReadonlyArray<[string, Record<string, unknown>, ErrorConstructor, RegExp]> = [
    ["X not a typed array", { X: [1, 2, 3] }, TypeError, /X must be a Float32Array/],
    ["X a Float64Array", { X: new Float64Array(100) }, TypeError, /X must be a Float32Array/],
    ["X too short for P, ldx, K", { X: new Float32Array(10) }, RangeError, /X\.length is 10/],
    ["E too short", { E: new Float32Array(3) }, RangeError, /E\.length/],
    ["errMean missing", { errMean: undefined }, TypeError, /errMean must be a Float32Array/],
    ["weights too short for C·K", { weights: new Float32Array(5) }, RangeError, /weights\.length/],
    ["P = 0", { P: 0 }, RangeError, /P must be in/],
    ["C = 0 (empty pool)", { C: 0 }, RangeError, /C \(pool size\) must be in/],
    ["K fractional", { K: 2.5 }, TypeError, /K must be an integer/],
    ["O a string", { O: "1" }, TypeError, /O must be a number/],
    ["ldx < K", { ldx: 2 }, RangeError, /ldx \(2\) must be >= K/],
    ["sse = 0", { sse: 0 }, RangeError, /sse must be > 0/],
    ["sse NaN", { sse: Number.NaN }, RangeError, /sse must be finite/],
    ["activation 9", { activation: 9 }, RangeError, /activation must be in \[0, 4\]/],
    ["settings missing", { settings: undefined }, TypeError, /settings must be an object/],
    ["maxEpochs negative", { settings: { ...good().settings, maxEpochs: -1 } }, RangeError, /settings\.maxEpochs/],
    ["epsilon infinite", { settings: { ...good().settings, epsilon: Infinity } }, RangeError, /settings\.epsilon/],
    ["threads negative", { threads: -2 }, RangeError, /threads must be in/],
    ["meanCorrection unknown", { meanCorrection: "both" }, RangeError, /meanCorrection/],
    ["scoreTrace too short", { scoreTrace: new Float32Array(3) }, RangeError, /scoreTrace\.length/]
  ]
  for (const [label, patch, type, message] of cases) {
    it(`candidatePhase: ${label}`, () => {
      let thrown: unknown
      try {
        native().candidatePhase(bad(patch), "cpu")
      } catch (e) {
        thrown = e
      }
      expect(thrown).toBeInstanceOf(type)
      expect(String((thrown as Error).message)).toMatch(message)
      expect(String((thrown as Error).message)).toMatch(/^candidatePhase: /)
    })
  }

  it("non-finite data is rejected with its index", () => {
    const X = good().X.slice()
    X[2 * good().ldx + 1] = Number.NaN
    expect(() => native().candidatePhase(bad({ X }), "cpu")).toThrow(/X\[\d+\] \(row 2, column 1\) is not finite/)
    const E = good().E.slice()
    E[3] = Number.POSITIVE_INFINITY
    expect(() => native().candidatePhase(bad({ E }), "cpu")).toThrow(/E\[3\] is not finite/)
  })

  it("input not an object, bad device", () => {
    expect(() => native().candidatePhase(42 as unknown as CandidatePhaseInput)).toThrow(TypeError)
    expect(() => native().candidatePhase(good(), "tpu" as "cpu")).toThrow(/device must be "cpu", "cuda" or "auto"/)
  })

  it("async: bad arguments reject (through the Kernels wrapper) or throw synchronously (raw)", async () => {
    const { makeNativeKernels } = await import("../../src/backend/native-kernels.js")
    const k = makeNativeKernels(native(), "cpu")
    await expect(k.candidatePhaseAsync(bad({ X: new Float32Array(1) }))).rejects.toThrow(RangeError)
    expect(() => native().candidatePhaseAsync(bad({ C: -1 }), "cpu")).toThrow(RangeError)
    expect(() => native().candidatePhaseAsync(good(), "cpu", 5 as unknown as () => void)).toThrow(/progress must be a function/)
  })

  it("a throwing progress listener does not take the process down", async () => {
    const r = await native().candidatePhaseAsync(good(), "cpu", () => {
      throw new Error("listener failure")
    }, 0)
    expect(r.epochs).toBe(3)
    await new Promise((res) => setTimeout(res, 10))
  })

  it("outputPhase and fillColumn validate too", () => {
    const o = outputState({ P: 10, I: 2, H: 0, O: 1 }, 1)
    expect(() => native().outputPhase({ ...o, targets: new Float32Array(2) }, "cpu")).toThrow(/outputPhase: targets\.length/)
    expect(() => native().outputPhase({ ...o, history: new Float32Array(3) }, "cpu")).toThrow(/history\.length/)
    expect(() => native().outputPhase({ ...o, weights: new Int32Array(3) as unknown as Float32Array }, "cpu")).toThrow(TypeError)
    expect(() => native().outputPhase({ ...o, scoreThreshold: Number.NaN }, "cpu")).toThrow(/scoreThreshold must be finite/)
    const X = new Float32Array(30)
    expect(() => native().fillColumn(X, 10, 3, 3, new Float32Array(3), 0)).toThrow(/ldx \(3\) must exceed K \(3\)/)
    expect(() => native().fillColumn(X, 10, 2, 3, new Float32Array(1), 0)).toThrow(/w\.length/)
    expect(() => native().fillColumn(X, 11, 2, 3, new Float32Array(2), 0)).toThrow(/X\.length/)
  })

  it("setIsa rejects unknown kernel sets", () => {
    expect(() => native().setIsa("sse9")).toThrow(RangeError)
    expect(native().setIsa(null)).toBe(native().info().isa)
  })

  it("the process is still alive and the addon still works", () => {
    const r = native().candidatePhase(good(), "cpu")
    expect(r.epochs).toBe(3)
  })
})

describe.runIf(built)("vectorised activations (the kernels' own exp)", () => {
  // Dense grid over the sigmoid's working range, the clamp boundaries, and far-out values.
  const xs = (() => {
    const v: Array<number> = []
    for (let x = -20; x <= 20; x += 1 / 256) v.push(x)
    v.push(-15, 15, Math.fround(-15.000001), Math.fround(15.000001), 1e-30, -1e-30, 88, -88, 1e6, -1e6)
    return Float32Array.from(v)
  })()

  for (const act of [Activation.symmetricSigmoid, Activation.sigmoid, Activation.tanh, Activation.gaussian]) {
    it(`activation ${act}: |v − f(x)| ≤ 2e-7 (relative 1e-6 where |v| > 0.1), f′ consistent`, () => {
      forEachIsa((isa) => {
        const { v, fp } = native().activate(xs, act as ActivationCode)
        for (let i = 0; i < xs.length; i++) {
          const exact = activate(act as ActivationCode, xs[i]!)
          const err = Math.abs(v[i]! - exact)
          expect(err, `${isa} x=${xs[i]}`).toBeLessThanOrEqual(2e-7 + (Math.abs(exact) > 0.1 ? 1e-6 * Math.abs(exact) : 0))
          const fpExact =
            act === Activation.symmetricSigmoid ? 0.25 - v[i]! ** 2
            : act === Activation.sigmoid ? v[i]! * (1 - v[i]!)
            : act === Activation.tanh ? 1 - v[i]! ** 2
            : -xs[i]! * v[i]!
          expect(Math.abs(fp[i]! - fpExact), `${isa} f′ x=${xs[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fpExact)))
        }
      })
    })
  }

  it("the ±15 clamp is exact and NaN propagates", () => {
    forEachIsa((isa) => {
      const x = Float32Array.from([-15.5, 15.5, -Infinity, Infinity, Number.NaN, -15, 15])
      const s = native().activate(x, 0)
      expect(Array.from(s.v.subarray(0, 4)), isa).toEqual([-0.5, 0.5, -0.5, 0.5])
      expect(Number.isNaN(s.v[4]), isa).toBe(true)
      expect(Math.abs(s.v[5]! - activate(0, -15)), isa).toBeLessThan(1e-7) // −15 itself is not clamped
      const a = native().activate(x, 1)
      expect(Array.from(a.v.subarray(0, 4)), isa).toEqual([0, 1, 0, 1])
      expect(Number.isNaN(a.v[4]), isa).toBe(true)
      const g = native().activate(Float32Array.from([13, -13, 12]), 4) // −x²/2 < −75 → 0
      expect(g.v[0]).toBe(0)
      expect(g.v[1]).toBe(0)
      expect(g.v[2]).toBeGreaterThan(0)
    })
  })
})

describe.runIf(built)("vectorised Quickprop", () => {
  it("is bit-identical to engine/math/quickprop.ts in every mode (d < 0, d = 0, d > 0, shrink test, p = s, NaN)", async () => {
    const { quickpropUpdate } = await import("../../src/engine/math/quickprop.js")
    const n = 1037 // not a multiple of any vector width
    const r = (() => {
      let x = 12345
      return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1
    })()
    const w = new Float32Array(n).map(() => r())
    const d = new Float32Array(n).map((_, i) => (i % 3 === 0 ? 0 : r() * 0.1))
    const p = new Float32Array(n).map(() => r())
    const s = new Float64Array(n).map(() => r())
    // Edge cases: secant denominator 0, slope exactly at the shrink boundary, NaN/Infinity state.
    s[1] = p[1]!
    s[2] = (2 / 3) * p[2]!
    d[4] = Number.NaN
    s[5] = Number.POSITIVE_INFINITY
    for (const [eps, decay, mu] of [[0.5, 0, 2], [1e-3, 1e-4, 1.75]] as const) {
      forEachIsa((isa) => {
        const a = [w.slice(), d.slice(), p.slice(), s.slice()] as const
        const b = [w.slice(), d.slice(), p.slice(), s.slice()] as const
        quickpropUpdate(a[0], a[1], a[2], a[3], 0, n, eps, decay, mu)
        native().quickprop(b[0], b[1], b[2], b[3], eps, decay, mu)
        for (let k = 0; k < 4; k++) {
          const x: ArrayLike<number> = b[k]!
          const y: ArrayLike<number> = a[k]!
          for (let i = 0; i < n; i++) expect(Object.is(x[i], y[i]), `${isa} array ${k} index ${i}`).toBe(true)
        }
      })
    }
  })
})

describe.runIf(built)("B6 probes and the FMA peak", () => {
  it("noop entry points", async () => {
    expect(native().noop()).toBeUndefined()
    expect(native().noopArray(Float32Array.of(3))).toBe(3)
    expect(() => native().noopArray([1] as unknown as Float32Array)).toThrow(TypeError)
    await expect(native().noopAsync()).resolves.toBeUndefined()
  })

  it("peakFma measures a positive throughput", () => {
    expect(native().peakFma(1, 0.02)).toBeGreaterThan(1)
    expect(() => native().peakFma(1, 0)).toThrow(RangeError)
  })
})
