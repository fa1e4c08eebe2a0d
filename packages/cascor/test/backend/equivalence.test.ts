/**
 * The native CPU kernels against the TypeScript reference kernels (engine/ts-kernels.ts) on seeded random states,
 * for every CPU kernel set this machine runs (AVX-512, AVX2, portable).
 *
 * Tolerances (the native epoch sums in float32 within a tile and float64 across tiles, with a vectorised exp;
 * the TS kernels sum in float64 with Math.exp — the reference says both have the same statistics):
 * - correlations and scores of one pass: max |Δ| ≤ 1e-5 × max |value|            (observed ≈ 5e-7)
 * - slopes of one epoch (read as the first Quickprop step w1 − w0 = −ε·slope): ≤ 1e-4 × max |step|
 * - candidate trajectories over 8 training epochs: weights and scores ≤ 1e-4 relative; identical winner whenever the
 *   TS top-2 score gap exceeds 1e-4 × best score (here and everywhere)
 * - whole candidate phases: see the comment above those tests (the dynamics are chaotic; short phases must agree,
 *   long ones statistically)
 * - output phase: identical epochs, end and errorBits history; weights/deltas/errors ≤ 1e-4 relative (≤ 5 epochs) or
 *   2e-3 (25 epochs: Quickprop's secant steps amplify rounding here too), trueError and SSE ≤ a tenth of that
 * - fillColumn: ≤ 1 float32 ulp (both compute in float64 and round once)
 */
import { describe, expect, it } from "vitest"
import { Activation } from "../../src/engine/kernel.js"
import type { ActivationCode, CandidatePhaseInput } from "../../src/engine/kernel.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { realStates } from "./states.js"
import {
  built,
  candidateState,
  cloneOutput,
  forEachIsa,
  native,
  outputState,
  relErr,
  relErrFloor,
  top2Gap
} from "./helpers.js"
import type { Shape } from "./helpers.js"

const shapes: ReadonlyArray<Shape> = [
  { P: 194, I: 2, H: 0, O: 1, C: 8 }, //    two-spirals, first unit
  { P: 194, I: 2, H: 10, O: 1, C: 8 }, //   two-spirals, later (8 lanes on AVX-512 machines)
  { P: 194, I: 2, H: 20, O: 1, C: 32 },
  { P: 300, I: 5, H: 7, O: 3, C: 20 }, //   pool not a multiple of the vector width
  { P: 500, I: 4, H: 3, O: 11, C: 40 }, //  more outputs than one epilogue pass holds
  { P: 2000, I: 20, H: 20, O: 3, C: 64 }, // threaded
  // Small pools: patterns across the lanes (C ≤ 8 AVX-512, ≤ 4 AVX2, ≤ 2 portable).
  { P: 999, I: 3, H: 2, O: 6, C: 7 }, //   tail of 7 patterns, candidate-block remainder, padded outputs
  { P: 60_000, I: 10, H: 11, O: 2, C: 4 }, // threaded (P·C·(K+O) ≥ 5e6)
  { P: 301, I: 2, H: 4, O: 1, C: 2 }
]

const name = (s: Shape) => `P=${s.P} I=${s.I} H=${s.H} O=${s.O} C=${s.C}`

describe.runIf(built)("candidate phase: native cpu = ts", () => {
  for (const shape of shapes) {
    it(`one pass (bootstrap): correlations and scores, ${name(shape)}`, () => {
      const input = candidateState(shape, shape.P + shape.C, { maxEpochs: 0 })
      const ts = tsKernels.candidatePhase(input)
      forEachIsa((isa) => {
        const cpu = native().candidatePhase(input, "cpu")
        expect(relErr(cpu.correlations, ts.correlations), isa).toBeLessThan(1e-5)
        expect(relErr(cpu.scores, ts.scores), isa).toBeLessThan(1e-5)
        expect(cpu.epochs).toBe(1)
        if (top2Gap(ts.scores) > 1e-4 * ts.bestScore) expect(cpu.best, isa).toBe(ts.best)
        expect(cpu.weights).toEqual(input.weights) // no update in the bootstrap epoch
      })
    })

    it(`one training epoch: slopes (first Quickprop step), correlations, ${name(shape)}`, () => {
      // ε large enough that the step dwarfs the weight it is added to: w1 − w0 then carries the slope to ≈1e-7.
    const input = candidateState(shape, 7 * shape.P + shape.C, { maxEpochs: 1, epsilon: 1e6 })
      const ts = tsKernels.candidatePhase(input)
      const tsStep = ts.weights.map((w, i) => w - input.weights[i]!)
      forEachIsa((isa) => {
        const cpu = native().candidatePhase(input, "cpu")
        const step = cpu.weights.map((w, i) => w - input.weights[i]!)
        expect(relErr(step, tsStep), isa).toBeLessThan(1e-4)
        expect(relErr(cpu.correlations, ts.correlations), isa).toBeLessThan(1e-5)
        expect(relErr(cpu.scores, ts.scores), isa).toBeLessThan(1e-5)
        expect(cpu.epochs).toBe(2)
      })
    })
  }

  for (const shape of shapes.slice(0, 4)) {
    it(`8 training epochs: the whole trajectory agrees, ${name(shape)}`, () => {
      for (const seed of [1, 2, 3]) {
        const input = candidateState(shape, seed * 1000 + shape.C, { maxEpochs: 8, patience: 0 })
        const ts = tsKernels.candidatePhase(input)
        const cpu = native().candidatePhase(input, "cpu")
        expect(cpu.epochs).toBe(ts.epochs)
        if (top2Gap(ts.scores) > 1e-4 * ts.bestScore) expect(cpu.best).toBe(ts.best)
        expect(relErr(cpu.weights, ts.weights)).toBeLessThan(1e-4)
        expect(relErr(cpu.scores, ts.scores)).toBeLessThan(1e-4)
      }
    })
  }

  // Whole phases on real two-spirals states (a TS trainer stopped before candidate phases), bootstrap to patience
  // stop. Quickprop on the candidate objective is chaotic at these settings: the TS kernels themselves, started
  // from weights perturbed by 1 ulp, end 100-epoch phases with weights O(1) apart and best scores 1–20 % apart. So:
  // - phases that stop early (patience 2, change threshold 0.3) end identically: epochs, end, winner, weights ≤ 1e-3;
  // - full phases (100 epochs, patience 8): the native best scores are no further from the TS ones than the TS
  //   kernels are from themselves under a 1-ulp perturbation of the initial weights (mean |log ratio|, ×2 + 0.05).
  const states = (() => {
    let cache: Array<CandidatePhaseInput> | undefined
    return () => (cache ??= realStates())
  })()

  it("whole phases that stop early (patience 2) end identically", () => {
    let compared = 0
    for (const base of states()) {
      const input = { ...base, settings: { ...base.settings, patience: 2, changeThreshold: 0.3 } }
      const ts = tsKernels.candidatePhase(input)
      if (ts.epochs > 10) continue
      compared++
      const cpu = native().candidatePhase(input, "cpu")
      expect(cpu.epochs).toBe(ts.epochs)
      expect(cpu.end).toBe(ts.end)
      expect(cpu.end).toBe(1) // stagnant: the patience rule ended it
      if (top2Gap(ts.scores) > 1e-4 * ts.bestScore) expect(cpu.best).toBe(ts.best)
      expect(relErr(cpu.weights, ts.weights)).toBeLessThan(1e-3)
      expect(Math.abs(cpu.bestScore - ts.bestScore)).toBeLessThan(1e-4 * ts.bestScore)
    }
    expect(compared).toBeGreaterThanOrEqual(5)
  })

  it("full phases (100 epochs, patience 8) agree as closely as TS agrees with itself", () => {
    let native_ = 0
    let self = 0
    for (const input of states()) {
      const ts = tsKernels.candidatePhase(input)
      const cpu = native().candidatePhase(input, "cpu")
      expect(cpu.epochs).toBeGreaterThan(1)
      expect(cpu.epochs).toBeLessThanOrEqual(101)
      native_ += Math.abs(Math.log(cpu.bestScore / ts.bestScore))
      for (const sign of [1, -1]) {
        const w = input.weights.map((x, i) => x * (1 + (i % 2 ? sign : -sign) * 2 ** -23))
        self += Math.abs(Math.log(tsKernels.candidatePhase({ ...input, weights: w }).bestScore / ts.bestScore)) / 2
      }
    }
    const n = states().length
    expect(native_ / n).toBeLessThan((2 * self) / n + 0.05)
  })

  it("every activation: sigmoid, tanh, linear, gaussian candidates", () => {
    const shape = { P: 194, I: 2, H: 6, O: 2, C: 24 }
    for (const act of [Activation.symmetricSigmoid, Activation.sigmoid, Activation.tanh, Activation.linear, Activation.gaussian]) {
      const input = candidateState(shape, 40 + act, { maxEpochs: 3, patience: 0 }, act as ActivationCode)
      const ts = tsKernels.candidatePhase(input)
      forEachIsa((isa) => {
        const cpu = native().candidatePhase(input, "cpu")
        expect(relErr(cpu.correlations, ts.correlations), `${isa} act ${act}`).toBeLessThan(1e-4)
        expect(relErr(cpu.weights, ts.weights), `${isa} act ${act}`).toBeLessThan(1e-4)
      })
    }
  })

  it("textbook mean correction and the per-epoch score trace", () => {
    const shape = { P: 300, I: 3, H: 4, O: 2, C: 16 }
    const input: CandidatePhaseInput = { ...candidateState(shape, 77, { maxEpochs: 6, patience: 0 }), meanCorrection: "textbook" }
    const traceTs = new Float32Array(16 * 7)
    const traceCpu = new Float32Array(16 * 7).fill(-1)
    const ts = tsKernels.candidatePhase({ ...input, scoreTrace: traceTs })
    const cpu = native().candidatePhase({ ...input, scoreTrace: traceCpu }, "cpu")
    expect(relErr(cpu.correlations, ts.correlations)).toBeLessThan(1e-5)
    expect(relErr(traceCpu, traceTs)).toBeLessThan(1e-5)
    // The faithful form differs (so the flag is honoured).
    const faithful = native().candidatePhase({ ...input, meanCorrection: "fahlman" }, "cpu")
    expect(relErr(faithful.correlations, cpu.correlations)).toBeGreaterThan(1e-3)
  })

  it("thread counts: 1 and all cores give the TS result; a fixed count is deterministic", () => {
    const input = candidateState({ P: 4000, I: 10, H: 10, O: 2, C: 64 }, 5, { maxEpochs: 3, patience: 0 })
    const ts = tsKernels.candidatePhase(input)
    const one = native().candidatePhase({ ...input, threads: 1 }, "cpu")
    const all = native().candidatePhase({ ...input, threads: 0 }, "cpu")
    const again = native().candidatePhase({ ...input, threads: 0 }, "cpu")
    expect(relErr(one.weights, ts.weights)).toBeLessThan(1e-4)
    expect(relErr(all.weights, ts.weights)).toBeLessThan(1e-4)
    expect(again.weights).toEqual(all.weights)
    expect(again.scores).toEqual(all.scores)
  })

  it("the caller's arrays are not modified", () => {
    const input = candidateState({ P: 194, I: 2, H: 3, O: 1, C: 8 }, 3, { maxEpochs: 5 })
    const before = [input.X.slice(), input.E.slice(), input.weights.slice(), input.errMean.slice()]
    native().candidatePhase(input, "cpu")
    expect([input.X, input.E, input.weights, input.errMean]).toEqual(before)
  })

  it("async = sync, and progress reports (epoch, bestScore)", async () => {
    const input = candidateState({ P: 194, I: 2, H: 10, O: 1, C: 8 }, 11)
    const sync = native().candidatePhase(input, "cpu")
    const events: Array<[number, number]> = []
    const async = await native().candidatePhaseAsync(input, "cpu", (e, s) => events.push([e, s]), 0)
    expect(async.weights).toEqual(sync.weights)
    expect(async.best).toBe(sync.best)
    expect(async.epochs).toBe(sync.epochs)
    // Reports arrive on the event loop; give the queue a turn.
    await new Promise((r) => setTimeout(r, 20))
    expect(events.length).toBeGreaterThan(0)
    const last = events[events.length - 1]!
    expect(last[0]).toBe(sync.epochs)
    expect(last[1]).toBeCloseTo(sync.bestScore, 6)
    for (let i = 1; i < events.length; i++) expect(events[i]![0]).toBeGreaterThanOrEqual(events[i - 1]![0])
  })

  it("async phases leave the event loop free", async () => {
    const input = candidateState({ P: 20000, I: 20, H: 20, O: 3, C: 64 }, 13, { maxEpochs: 20, patience: 0 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const t0 = performance.now()
    await native().candidatePhaseAsync(input, "cpu")
    const ms = performance.now() - t0
    clearInterval(timer)
    // The phase takes tens of ms; the loop kept ticking meanwhile.
    expect(ms).toBeGreaterThan(5)
    expect(ticks).toBeGreaterThan(1)
  })
})

describe.runIf(built)("output phase: native cpu = ts", () => {
  const outShapes = [
    { P: 194, I: 2, H: 0, O: 1 },
    { P: 194, I: 2, H: 14, O: 1 },
    { P: 777, I: 6, H: 9, O: 3 },
    { P: 3000, I: 20, H: 20, O: 10 },
    { P: 257, I: 3, H: 2, O: 37 }, // more outputs than one kernel call handles
    { P: 20_000, I: 30, H: 10, O: 8 } // threaded (P·K·O ≥ 5e6)
  ]
  for (const shape of outShapes) {
    it(`P=${shape.P} I=${shape.I} H=${shape.H} O=${shape.O}: weights, Quickprop state, errors, history`, () => {
      for (const maxEpochs of shape.P > 10_000 ? [1, 5] : [1, 5, 25]) {
        const base = outputState(shape, shape.P * 3 + shape.O + maxEpochs, { maxEpochs })
        const a = cloneOutput(base)
        const ts = tsKernels.outputPhase(a)
        forEachIsa((isa) => {
          const b = cloneOutput(base)
          const cpu = native().outputPhase(b, "cpu")
          const tag = `${isa} maxEpochs ${maxEpochs}`
          const tol = maxEpochs <= 5 ? 1e-4 : 2e-3
          expect(cpu.epochs, tag).toBe(ts.epochs)
          expect(cpu.epochsRun, tag).toBe(ts.epochsRun)
          expect(cpu.end, tag).toBe(ts.end)
          expect(cpu.errorBits, tag).toBe(ts.errorBits)
          expect(Math.abs(cpu.trueError - ts.trueError), tag).toBeLessThanOrEqual((tol / 10) * ts.trueError)
          expect(Math.abs(cpu.sse - ts.sse), tag).toBeLessThanOrEqual((tol / 10) * ts.sse)
          expect(relErr(b.weights, a.weights), `${tag} weights`).toBeLessThan(tol)
          // Steps, slopes and error sums go to 0 as the phase converges: relative to their scale or to 0.1, 1, 1.
          expect(relErrFloor(b.deltas, a.deltas, 0.1), `${tag} deltas`).toBeLessThan(tol)
          expect(relErrFloor(b.prevSlopes, a.prevSlopes, 1), `${tag} prevSlopes`).toBeLessThan(tol)
          expect(relErr(b.errors, a.errors), `${tag} errors`).toBeLessThan(tol)
          expect(relErrFloor(b.errSums, a.errSums, 1), `${tag} errSums`).toBeLessThan(tol)
          const bits = (h: Float32Array) => Array.from({ length: ts.epochsRun }, (_, i) => h[2 * i + 1])
          if (maxEpochs <= 5) expect(bits(b.history), tag).toEqual(bits(a.history))
          else {
            // A pattern whose |dif| sits within rounding of ScoreThreshold may count on one side only.
            const hb = bits(b.history)
            bits(a.history).forEach((n, i) => expect(Math.abs(hb[i]! - n!), tag).toBeLessThanOrEqual(1e-3 * shape.P * shape.O))
          }
          const errs = (h: Float32Array) => Float32Array.from({ length: ts.epochsRun }, (_, i) => h[2 * i]!)
          expect(relErr(errs(b.history), errs(a.history)), tag).toBeLessThan(tol / 10)
        })
      }
    })
  }

  it("every output activation, and a victory (no update in the winning epoch)", () => {
    for (const act of [Activation.symmetricSigmoid, Activation.sigmoid, Activation.tanh, Activation.linear]) {
      const base = outputState({ P: 200, I: 3, H: 2, O: 2 }, 90 + act, { maxEpochs: 5 }, act as ActivationCode)
      const a = cloneOutput(base)
      const b = cloneOutput(base)
      const ts = tsKernels.outputPhase(a)
      const cpu = native().outputPhase(b, "cpu")
      expect(cpu.epochs).toBe(ts.epochs)
      expect(relErr(b.weights, a.weights), `act ${act}`).toBeLessThan(1e-4)
      expect(relErr(b.errors, a.errors), `act ${act}`).toBeLessThan(1e-4)
    }
    // A threshold no error reaches: the first epoch is a win and nothing moves.
    const win = { ...outputState({ P: 50, I: 2, H: 0, O: 1 }, 5), scoreThreshold: 10 }
    const w0 = win.weights.slice()
    const r = native().outputPhase(win, "cpu")
    expect(r).toMatchObject({ end: 0, epochs: 0, epochsRun: 1, errorBits: 0 })
    expect(win.weights).toEqual(w0)
  })
})

describe.runIf(built)("fillColumn: native cpu = ts", () => {
  it("appends the same column", () => {
    for (const act of [Activation.symmetricSigmoid, Activation.sigmoid, Activation.tanh, Activation.gaussian]) {
      const base = candidateState({ P: 333, I: 4, H: 5, O: 1, C: 1 }, 50 + act)
      const Xa = base.X.slice()
      const Xb = base.X.slice()
      const w = base.weights.slice(0, base.K)
      tsKernels.fillColumn(Xa, base.P, base.K, base.ldx, w, act as ActivationCode)
      native().fillColumn(Xb, base.P, base.K, base.ldx, w, act as ActivationCode, "cpu")
      for (let p = 0; p < base.P; p++) {
        const a = Xa[p * base.ldx + base.K]!
        const b = Xb[p * base.ldx + base.K]!
        expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(a) * 2 ** -23)
      }
      // Only column K changed.
      for (let j = 0; j < Xa.length; j++) if (j % base.ldx !== base.K) expect(Object.is(Xb[j], base.X[j])).toBe(true)
    }
  })
})
