import { describe, expect, it } from "vitest"
import type { Kernels } from "../../src/engine/kernel.js"
import { pacedKernels } from "../../src/session/pacing.js"

const recording = () => {
  const calls: Array<{ at: number; args: ReadonlyArray<unknown> }> = []
  const kernels = {
    backend: "ts",
    addon: {},
    candidatePhaseAsync: (...args: ReadonlyArray<unknown>) => {
      calls.push({ at: Date.now(), args })
      return Promise.resolve({ done: calls.length })
    }
  } as unknown as Kernels
  return { calls, kernels }
}

describe("demo pacing (JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC)", () => {
  it("leaves the kernels untouched at 0", () => {
    const { kernels } = recording()
    expect(pacedKernels(kernels, 0)).toBe(kernels)
  })

  it("spaces candidate phases by the interval and passes every argument (the native progress callback) through", async () => {
    const { calls, kernels } = recording()
    const paced = pacedKernels(kernels, 0.15)
    expect((paced as unknown as { addon: unknown }).addon).toBeDefined()
    const progress = () => {}
    const call = paced.candidatePhaseAsync as unknown as (...a: ReadonlyArray<unknown>) => Promise<unknown>
    expect(await call("input-1", progress)).toEqual({ done: 1 })
    await call("input-2", progress)
    await call("input-3")
    expect(calls.map((c) => c.args)).toEqual([["input-1", progress], ["input-2", progress], ["input-3"]])
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(140)
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(140)
  })
})
