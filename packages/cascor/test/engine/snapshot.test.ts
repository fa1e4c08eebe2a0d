// A restored run continues exactly as the uninterrupted one: snapshot → JSON → restore → continue.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  createRun,
  decodeParamsSync,
  FahlmanTrainer,
  InvalidSnapshot,
  makeParams,
  restoreRun,
  tsKernels,
  twoSpirals,
  xor
} from "@juniper/cascor"
import type { CascorRun } from "@juniper/cascor"

const stepUntil = (run: CascorRun, stop: (run: CascorRun) => boolean) => {
  while (!run.status().done && !stop(run)) Effect.runSync(run.step(tsKernels, { sync: true }))
}
const toEnd = (run: CascorRun) => stepUntil(run, () => false)
const viaJson = (run: CascorRun): unknown => JSON.parse(JSON.stringify(run.snapshot()))

describe("snapshot / restore", () => {
  const data = twoSpirals()
  const params = makeParams("twoSpirals", { seed: 21 })

  for (const [label, stage] of [["before a candidate phase", "candidate"], ["before an output phase", "output"]] as const) {
    it(`continues bit-for-bit when taken ${label}`, () => {
      const reference = createRun(params, data)
      toEnd(reference)

      const first = createRun(params, data)
      stepUntil(first, (r) => r.status().hiddenUnits >= 4 && r.status().stage === stage)
      expect(first.status().stage).toBe(stage)
      const restored = Effect.runSync(restoreRun(viaJson(first), data, tsKernels))
      expect(restored.status()).toEqual(first.status())
      toEnd(restored)

      expect(restored.network()).toEqual(reference.network())
      expect(restored.status()).toEqual(reference.status())
      expect((restored as FahlmanTrainer).historyRecords()).toEqual((reference as FahlmanTrainer).historyRecords())
    })
  }

  it("a snapshot of a fresh run restores to the same start", () => {
    const a = createRun(params, data)
    const b = Effect.runSync(restoreRun(viaJson(a), data, tsKernels))
    toEnd(a)
    toEnd(b)
    expect(b.network()).toEqual(a.network())
  })

  it("the upstream variant restores exactly too", () => {
    const p = decodeParamsSync({ algorithm: "upstream", seed: 5, rounds: 4, upstream: { outputEpochs: 50, candidateEpochs: 40, targetAccuracy: 1 } })
    const reference = createRun(p, twoSpirals())
    toEnd(reference)
    const first = createRun(p, twoSpirals())
    stepUntil(first, (r) => r.status().hiddenUnits >= 2)
    const restored = Effect.runSync(restoreRun(viaJson(first), twoSpirals(), tsKernels))
    toEnd(restored)
    expect(restored.network()).toEqual(reference.network())
    expect(restored.status()).toEqual(reference.status())
  })

  it("refuses another dataset or a corrupt snapshot with InvalidSnapshot", () => {
    const run = createRun(params, data)
    const other = Effect.runSync(Effect.flip(restoreRun(viaJson(run), xor(), tsKernels)))
    expect(other).toBeInstanceOf(InvalidSnapshot)
    const snap = viaJson(run) as Record<string, unknown>
    const corrupt = Effect.runSync(Effect.flip(restoreRun({ ...snap, outputWeights: "%%%" }, data, tsKernels)))
    expect(corrupt._tag).toBe("InvalidSnapshot")
  })
})
