/**
 * B1 for the GPU script when the engine's bench cannot be used (bundled by native/gpu/prepare.mjs): two-spirals
 * with Fahlman's parameters, one run per seed through `trainSync` on the chosen backend.
 *
 *   node b1.mjs --backend cpu|cuda|ts --seeds 5 [--json]
 */
import { makeParams, trainSync, twoSpirals } from "../../packages/cascor/src/engine/index.js"
import { selectBackendSync } from "../../packages/cascor/src/backend/registry.js"
import type { BackendChoice } from "../../packages/cascor/src/backend/registry.js"

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1]! : dflt
}
const backend = arg("--backend", "cpu") as BackendChoice
const seeds = Number(arg("--seeds", "5"))
const json = process.argv.includes("--json")
const kernels = selectBackendSync(backend).kernels
const runs: Array<{ ms: number; epochs: number; hidden: number; win: boolean }> = []
for (let seed = 1; seed <= seeds; seed++) {
  const { run, ms } = trainSync(kernels, makeParams("twoSpirals", { seed }), twoSpirals())
  const s = run.status()
  runs.push({ ms, epochs: s.epoch, hidden: s.hiddenUnits, win: s.outcome === "win" })
  if (json) console.log(JSON.stringify({ case: "b1-run", backend, seed, ms, epochs: s.epoch, hidden: s.hiddenUnits, outcome: s.outcome }))
}
const sorted = runs.map((r) => r.ms).sort((a, b) => a - b)
const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length
const summary = {
  case: "b1", backend, seeds, ms_median: sorted[sorted.length >> 1]!, ms_min: sorted[0]!,
  solved: runs.filter((r) => r.win).length, mean_epochs: mean((r) => r.epochs), mean_hidden: mean((r) => r.hidden)
}
console.log(json ? JSON.stringify(summary) : summary)
