/**
 * The CUDA backend against the TS kernels (and the CPU path). Runs only where a GPU is usable (native/gpu/
 * run-gpu-checks.sh runs it with JUNIPER_NATIVE_REQUIRED=1 on an H100); skipped elsewhere.
 *
 * JUNIPER_CUDA_MIN_WORK=0 / JUNIPER_CUDA_MIN_OUTPUT_WORK=0 force even tiny shapes onto the GPU so that every kernel
 * path is compared; without them tiny pools run on the CPU by design (checked too). Tolerances as in
 * equivalence.test.ts (the GPU sums in float32 within a block and float64 across blocks; expf on the device).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CandidatePhaseInput } from "../../src/engine/kernel.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { makeParams, trainSync, twoSpirals } from "../../src/engine/index.js"
import { makeNativeKernels } from "../../src/backend/native-kernels.js"
import { addon, candidateState, cloneOutput, native, outputState, relErr, relErrFloor, top2Gap } from "./helpers.js"
import type { Shape } from "./helpers.js"
import { realStates } from "./states.js"

const cuda = addon !== undefined && addon.info().backend === "cuda"

const forced = <T>(f: () => T): T => {
  const saved = [process.env["JUNIPER_CUDA_MIN_WORK"], process.env["JUNIPER_CUDA_MIN_OUTPUT_WORK"]]
  process.env["JUNIPER_CUDA_MIN_WORK"] = "0"
  process.env["JUNIPER_CUDA_MIN_OUTPUT_WORK"] = "0"
  try {
    return f()
  } finally {
    if (saved[0] === undefined) delete process.env["JUNIPER_CUDA_MIN_WORK"]
    else process.env["JUNIPER_CUDA_MIN_WORK"] = saved[0]
    if (saved[1] === undefined) delete process.env["JUNIPER_CUDA_MIN_OUTPUT_WORK"]
    else process.env["JUNIPER_CUDA_MIN_OUTPUT_WORK"] = saved[1]
  }
}

const shapes: ReadonlyArray<Shape> = [
  { P: 194, I: 2, H: 10, O: 1, C: 8 },
  { P: 300, I: 5, H: 7, O: 3, C: 20 },
  { P: 500, I: 4, H: 3, O: 11, C: 40 },
  { P: 2000, I: 20, H: 20, O: 3, C: 64 },
  { P: 20_000, I: 20, H: 20, O: 3, C: 256 },
  { P: 1000, I: 100, H: 90, O: 10, C: 130 } // K = 191: several K tiles, a partial C tile
]

describe.runIf(cuda)("CUDA backend = ts", () => {
  beforeAll(() => native().setIsa(null))
  afterAll(() => native().setIsa(null))

  for (const shape of shapes) {
    const tag = `P=${shape.P} I=${shape.I} H=${shape.H} O=${shape.O} C=${shape.C}`
    it(`bootstrap, one epoch and 8 epochs, ${tag}`, () => {
      for (const maxEpochs of [0, 1, 8]) {
        const input = candidateState(shape, shape.P + shape.C + maxEpochs, { maxEpochs, patience: 0, epsilon: maxEpochs === 1 ? 1e6 : 100 })
        const ts = tsKernels.candidatePhase(input)
        const gpu = forced(() => native().candidatePhase(input, "cuda"))
        expect(gpu.device, gpu.fallback).toBe("cuda")
        expect(gpu.epochs).toBe(ts.epochs)
        expect(relErr(gpu.correlations, ts.correlations)).toBeLessThan(maxEpochs === 8 ? 1e-4 : 1e-5)
        expect(relErr(gpu.scores, ts.scores)).toBeLessThan(maxEpochs === 8 ? 1e-4 : 1e-5)
        if (maxEpochs === 1) {
          const step = (w: Float32Array) => w.map((x, i) => x - input.weights[i]!)
          expect(relErr(step(gpu.weights), step(ts.weights))).toBeLessThan(1e-4)
        } else expect(relErr(gpu.weights, ts.weights)).toBeLessThan(1e-4)
        if (top2Gap(ts.scores) > 1e-4 * ts.bestScore) expect(gpu.best).toBe(ts.best)
      }
    })
  }

  it("every activation, textbook centring, the score trace", () => {
    for (const act of [0, 1, 2, 3, 4] as const) {
      const base = candidateState({ P: 700, I: 3, H: 5, O: 2, C: 48 }, 60 + act, { maxEpochs: 4, patience: 0 }, act)
      const input: CandidatePhaseInput = { ...base, meanCorrection: act === 2 ? "textbook" : "fahlman" }
      const tTs = new Float32Array(48 * 5)
      const tGpu = new Float32Array(48 * 5).fill(-1)
      const ts = tsKernels.candidatePhase({ ...input, scoreTrace: tTs })
      const gpu = forced(() => native().candidatePhase({ ...input, scoreTrace: tGpu }, "cuda"))
      expect(gpu.device).toBe("cuda")
      expect(relErr(gpu.correlations, ts.correlations), `act ${act}`).toBeLessThan(1e-4)
      expect(relErr(tGpu, tTs), `act ${act}`).toBeLessThan(1e-4)
    }
  })

  it("whole phases that stop early (patience 2) end identically; device-side patience", () => {
    let compared = 0
    for (const base of realStates()) {
      const input = { ...base, settings: { ...base.settings, patience: 2, changeThreshold: 0.3 } }
      const ts = tsKernels.candidatePhase(input)
      if (ts.epochs > 10) continue
      compared++
      const gpu = forced(() => native().candidatePhase(input, "cuda"))
      expect(gpu.device).toBe("cuda")
      expect(gpu.epochs).toBe(ts.epochs)
      expect(gpu.end).toBe(ts.end)
      if (top2Gap(ts.scores) > 1e-4 * ts.bestScore) expect(gpu.best).toBe(ts.best)
      expect(relErr(gpu.weights, ts.weights)).toBeLessThan(1e-3)
    }
    expect(compared).toBeGreaterThanOrEqual(5)
  })

  it("output phase: weights, Quickprop state, errors, history (≤ 5 epochs: 1e-4), victory", () => {
    for (const shape of [{ P: 194, I: 2, H: 14, O: 1 }, { P: 3000, I: 20, H: 20, O: 10 }, { P: 50_000, I: 30, H: 30, O: 4 }]) {
      for (const maxEpochs of [1, 5]) {
        const base = outputState(shape, shape.P + maxEpochs, { maxEpochs })
        const a = cloneOutput(base)
        const b = cloneOutput(base)
        const ts = tsKernels.outputPhase(a)
        const gpu = forced(() => native().outputPhase(b, "cuda"))
        const tag = `P=${shape.P} maxEpochs ${maxEpochs}`
        expect(gpu.device, gpu.fallback).toBe("cuda")
        expect(gpu.epochs, tag).toBe(ts.epochs)
        expect(gpu.epochsRun, tag).toBe(ts.epochsRun)
        expect(gpu.end, tag).toBe(ts.end)
        expect(gpu.errorBits, tag).toBe(ts.errorBits)
        expect(Math.abs(gpu.trueError - ts.trueError), tag).toBeLessThanOrEqual(1e-5 * ts.trueError)
        expect(relErr(b.weights, a.weights), tag).toBeLessThan(1e-4)
        expect(relErrFloor(b.deltas, a.deltas, 0.1), tag).toBeLessThan(1e-4)
        expect(relErr(b.errors, a.errors), tag).toBeLessThan(1e-4)
        expect(relErrFloor(b.errSums, a.errSums, 1), tag).toBeLessThan(1e-4)
        for (let i = 0; i < ts.epochsRun; i++) expect(b.history[2 * i + 1], tag).toBe(a.history[2 * i + 1])
      }
    }
    const win = { ...outputState({ P: 50, I: 2, H: 0, O: 1 }, 5), scoreThreshold: 10 }
    const w0 = win.weights.slice()
    const r = forced(() => native().outputPhase(win, "cuda"))
    expect(r).toMatchObject({ end: 0, epochs: 0, epochsRun: 1, errorBits: 0, device: "cuda" })
    expect(win.weights).toEqual(w0)
  })

  it("tiny pools (two-spirals, C ≤ 32) are dispatched to the CPU; large ones stay on the GPU", () => {
    const tiny = candidateState({ P: 194, I: 2, H: 10, O: 1, C: 8 }, 1, { maxEpochs: 3 })
    expect(native().candidatePhase(tiny, "cuda").device).toBe("cpu")
    const big = candidateState({ P: 20_000, I: 20, H: 20, O: 3, C: 64 }, 2, { maxEpochs: 2 })
    expect(native().candidatePhase(big, "cuda").device).toBe("cuda")
  })

  it("async phases on the GPU resolve to the sync result", async () => {
    const input = candidateState({ P: 20_000, I: 20, H: 20, O: 3, C: 64 }, 3, { maxEpochs: 5, patience: 0 })
    const sync = native().candidatePhase(input, "cuda")
    const async = await native().candidatePhaseAsync(input, "cuda")
    expect(async.device).toBe("cuda")
    expect(async.weights).toEqual(sync.weights)
  })

  it("B1 through the cuda backend: all solved (phases run where the addon decides)", () => {
    const k = makeNativeKernels(native(), "cuda")
    for (const seed of [1, 2, 3]) expect(trainSync(k, makeParams("twoSpirals", { seed }), twoSpirals()).run.status().outcome).toBe("win")
  })
})
