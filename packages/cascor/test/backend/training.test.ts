/**
 * Whole training runs (engine/trainer.ts on top of the kernels): native cpu against ts.
 *
 * - Short runs (one unit grown: output phase, candidate phase of 6 epochs, install, output phase of 20) stay close:
 *   same phases and epoch counts, the installed unit's weights within 1e-4, candidate best scores within 1e-4 and
 *   output trueError within 1e-3 relative, error bits within 10 (of 194: many outputs sit near ScoreThreshold early on). (Rounds beyond the first drift apart: near-tied
 *   candidates — round 1 pools hold symmetric optima — can win on either backend, as they do for TS under a 1-ulp
 *   perturbation; from an identical post-install state the output phases agree to ≈3e-7.)
 * - Full two-spirals runs (B1) are chaotic over ~1600 epochs (a 1-ulp change of any weight ends in a different
 *   network), so they are compared as the reference compares runs (C.3): every seed solved, and mean epochs and
 *   hidden units of the native runs within 15 % of the TS runs' means on the same seeds.
 */
import { describe, expect, it } from "vitest"
import { makeParams, trainSync, twoSpirals, tsKernels, xor } from "../../src/engine/index.js"
import type { FahlmanTrainer } from "../../src/engine/index.js"
import { makeNativeKernels } from "../../src/backend/native-kernels.js"
import { built, native, relErr } from "./helpers.js"

describe.runIf(built)("training runs: native cpu = ts", () => {
  const cpu = () => makeNativeKernels(native(), "cpu")

  it("short two-spirals runs (one unit grown) end within tolerance", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const params = makeParams("twoSpirals", { seed, rounds: 1, inLimit: 6, outLimit: 20 })
      const a = trainSync(tsKernels, params, twoSpirals()).run as FahlmanTrainer
      const b = trainSync(cpu(), params, twoSpirals()).run as FahlmanTrainer
      const ha = a.historyRecords()
      const hb = b.historyRecords()
      expect(hb.map((r) => r.phase)).toEqual(ha.map((r) => r.phase))
      expect(hb.map((r) => r.epochs)).toEqual(ha.map((r) => r.epochs))
      ha.forEach((r, i) => {
        const q = hb[i]!
        if (r.trueError !== undefined) expect(Math.abs(q.trueError! - r.trueError)).toBeLessThan(1e-3 * r.trueError)
        if (r.bestScore !== undefined) expect(Math.abs(q.bestScore! - r.bestScore)).toBeLessThan(1e-4 * r.bestScore)
      })
      const sa = a.status()
      const sb = b.status()
      expect(sb.epoch).toBe(sa.epoch)
      expect(sb.hiddenUnits).toBe(sa.hiddenUnits)
      expect(Math.abs(sb.errorBits - sa.errorBits)).toBeLessThanOrEqual(10) // outputs near the threshold
      expect(relErr(b.network().hidden[0]!.weights, a.network().hidden[0]!.weights)).toBeLessThan(1e-4)
    }
  })

  it("xor is solved identically", () => {
    const params = makeParams("fahlman", { seed: 4, outputEpsilon: 1, inputEpsilon: 1 })
    const a = trainSync(tsKernels, params, xor()).run
    const b = trainSync(cpu(), params, xor()).run
    expect(b.status().outcome).toBe("win")
    expect(b.status().hiddenUnits).toBe(a.status().hiddenUnits)
  })

  it("full two-spirals runs (B1): all solved, same statistics", () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8]
    const stats = (k: Parameters<typeof trainSync>[0]) =>
      seeds.map((seed) => trainSync(k, makeParams("twoSpirals", { seed }), twoSpirals()).run.status())
    const ts = stats(tsKernels)
    const nat = stats(cpu())
    for (const s of nat) expect(s.outcome).toBe("win")
    const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
    const epochs = [mean(ts.map((s) => s.epoch)), mean(nat.map((s) => s.epoch))] as const
    const hidden = [mean(ts.map((s) => s.hiddenUnits)), mean(nat.map((s) => s.hiddenUnits))] as const
    expect(Math.abs(epochs[1] / epochs[0] - 1)).toBeLessThan(0.15)
    expect(Math.abs(hidden[1] / hidden[0] - 1)).toBeLessThan(0.15)
  })
})
