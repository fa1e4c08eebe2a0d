// Large TypeScript candidate phases on a worker thread (src/backend/ts-offload.ts): the same results as inline, the
// score trace written back, the event loop free meanwhile, failures as rejections, and the pool still working after.
import { describe, expect, it } from "vitest"
import type { CandidatePhaseInput } from "../../src/engine/kernel.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { offloadTsKernels, phaseWork, tsPhaseWorkerEntry } from "../../src/backend/ts-offload.js"
import { candidateState } from "./helpers.js"
import { realStates } from "./states.js"

const clone = (i: CandidatePhaseInput): CandidatePhaseInput => ({
  ...i,
  X: i.X.slice(),
  E: i.E.slice(),
  errMean: i.errMean.slice(),
  weights: i.weights.slice(),
  ...(i.scoreTrace ? { scoreTrace: i.scoreTrace.slice() } : {})
})

describe.runIf(tsPhaseWorkerEntry() !== undefined)("TypeScript candidate phases on a worker thread", () => {
  const offloaded = offloadTsKernels(tsKernels, { minWork: 0, threads: 2 })

  it("returns exactly the inline results, the score trace included", async () => {
    for (const state of realStates().slice(0, 4)) {
      const trace = () => new Float32Array(state.C * (state.settings.maxEpochs + 1)).fill(-1)
      const a = { ...clone(state), scoreTrace: trace() }
      const b = { ...clone(state), scoreTrace: trace() }
      const inline = tsKernels.candidatePhase(a)
      const worker = await offloaded.candidatePhaseAsync(b)
      expect(worker).toEqual(inline)
      expect(b.scoreTrace).toEqual(a.scoreTrace)
      expect(Array.from(b.scoreTrace.slice(0, state.C)).some((x) => x !== -1)).toBe(true)
    }
  })

  it("keeps the event loop turning during a large phase (inline, it does not)", async () => {
    const big = candidateState({ P: 6000, I: 10, H: 20, O: 4, C: 32 }, 3, { maxEpochs: 40, patience: 1000 })
    expect(phaseWork(big)).toBeGreaterThan(2e6)
    const ticksDuring = async (run: () => Promise<unknown>) => {
      let ticks = 0
      const timer = setInterval(() => ticks++, 1)
      await run()
      clearInterval(timer)
      return ticks
    }
    const service = offloadTsKernels(tsKernels) // the default threshold: this phase is offloaded
    const off = await ticksDuring(() => service.candidatePhaseAsync(clone(big)))
    const inline = await ticksDuring(() => tsKernels.candidatePhaseAsync(clone(big)))
    expect(off).toBeGreaterThan(5)
    expect(inline).toBeLessThanOrEqual(2)
  })

  it("rejects a phase that fails in the thread, and the next phase still runs", async () => {
    const one = offloadTsKernels(tsKernels, { minWork: 0, threads: 1 })
    const state = candidateState({ P: 200, I: 2, H: 1, O: 1, C: 4 }, 5)
    const broken = { ...clone(state), settings: null as never } // the kernel throws reading its settings
    await expect(one.candidatePhaseAsync(broken)).rejects.toThrow()
    const ok = await one.candidatePhaseAsync(clone(state))
    expect(ok).toEqual(tsKernels.candidatePhase(clone(state)))
  })

  it("runs phases below the threshold inline, above it on the thread; other backends are left alone", async () => {
    let inline = 0
    const counted = { ...tsKernels, candidatePhaseAsync: (i: CandidatePhaseInput) => (inline++, tsKernels.candidatePhaseAsync(i)) }
    const k = offloadTsKernels(counted, { minWork: 10_000, threads: 1 })
    const small = candidateState({ P: 50, I: 2, H: 1, O: 1, C: 4 }, 7)
    const large = candidateState({ P: 400, I: 2, H: 1, O: 1, C: 8 }, 7)
    expect(phaseWork(small)).toBeLessThan(10_000)
    expect(phaseWork(large)).toBeGreaterThanOrEqual(10_000)
    expect(await k.candidatePhaseAsync(clone(small))).toEqual(tsKernels.candidatePhase(clone(small)))
    expect(inline).toBe(1)
    expect(await k.candidatePhaseAsync(clone(large))).toEqual(tsKernels.candidatePhase(clone(large)))
    expect(inline).toBe(1)
    const fake = { ...tsKernels, backend: "cpu" as const }
    expect(offloadTsKernels(fake)).toBe(fake)
  })
})
