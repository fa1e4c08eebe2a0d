/**
 * Cascade-Correlation benchmarks (reference Part E), run as `npm run bench -- cascor <case> [options]`:
 *
 *   B1  two-spirals reference: Fahlman's parameters, pool 8, --seeds runs (default 20)
 *   B2  pool sweep: as B1 with pools 8/16/64/256 (--pools to choose; default 10 seeds each)
 *   B3  one candidate epoch on a fixed synthetic state (µs per epoch; --large adds the 100k×151 shape)
 *
 *   --backend ts|cpu|cuda|all   (default all: ts plus every native backend that loads here)
 *   --seeds N  --pools 8,16  --json (one JSON object per line)
 *
 * Every backend runs the same engine code (`trainSync`, candidate phases inline); only the `Kernels` value changes.
 */
import { Effect } from "effect"
import { cpus } from "node:os"
import type { Kernels } from "../engine/kernel.js"
import { makeParams } from "../engine/params.js"
import { FahlmanTrainer } from "../engine/trainer.js"
import { twoSpirals } from "../engine/datasets.js"
import { tsKernels } from "../engine/ts-kernels.js"
import { Xoshiro128 } from "../engine/rng/prng.js"

// ---------------------------------------------------------------------------------------------------------------
// Backend lookup: the single place that maps a name to `Kernels`. The native registry
// (packages/cascor/src/backend/registry.ts, `selectBackendSync`) is loaded when present; without it only "ts" runs.
// ---------------------------------------------------------------------------------------------------------------

type Lookup = (name: "cpu" | "cuda") => Kernels | string

const loadLookup = async (): Promise<Lookup> => {
  const registryPath = "../backend/registry.js" // a variable: the engine builds without the backend folder
  try {
    const registry = (await import(registryPath)) as {
      selectBackendSync?: (requested: "cpu" | "cuda") => { readonly kernels: Kernels }
    }
    const select = registry.selectBackendSync
    if (!select) return () => "the backend registry has no selectBackendSync"
    return (name) => {
      try {
        return select(name).kernels
      } catch (e) {
        return e instanceof Error ? e.message : String(e)
      }
    }
  } catch (e) {
    const why = `no backend registry (${e instanceof Error ? e.message : String(e)})`
    return () => why
  }
}

const resolveBackends = async (requested: string): Promise<Array<Kernels>> => {
  const lookup = await loadLookup()
  const names = requested === "all" ? ["ts", "cpu", "cuda"] : requested.split(",")
  const out: Array<Kernels> = []
  for (const name of names) {
    if (name === "ts") {
      out.push(tsKernels)
      continue
    }
    if (name !== "cpu" && name !== "cuda") throw new Error(`unknown backend ${name}`)
    const k = lookup(name)
    if (typeof k === "string") {
      if (requested !== "all") throw new Error(`backend ${name} unavailable: ${k}`)
      console.error(`# skipping backend ${name}: ${k}`)
    } else out.push(k)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------------------------

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const round = (x: number, digits = 3) => Number(x.toFixed(digits))

interface RunStats {
  readonly win: boolean
  readonly epochs: number
  readonly hidden: number
  readonly crossings: number
  readonly ms: number
  readonly candidateMs: number
  readonly candidateEpochs: number
  readonly outputMs: number
  readonly outputEpochs: number
}

/** One full B1 run: train(100, 100, 25) on two-spirals, phase by phase so the time split is measured. */
const twoSpiralsRun = (kernels: Kernels, seed: number, poolSize: number): RunStats => {
  const t = FahlmanTrainer.create(makeParams("twoSpirals", { seed, poolSize }), twoSpirals())
  let candidateMs = 0
  let candidateEpochs = 0
  let outputMs = 0
  let outputEpochs = 0
  const t0 = performance.now()
  while (!t.done) {
    const r = Effect.runSync(t.step(kernels, { sync: true }))
    if (r?.kind === "candidate") (candidateMs += r.ms), (candidateEpochs += r.epochs)
    else if (r?.kind === "output") (outputMs += r.ms), (outputEpochs += r.epochsRun)
  }
  const ms = performance.now() - t0
  const s = t.status()
  return {
    win: s.outcome === "win", epochs: s.epoch, hidden: s.hiddenUnits, crossings: s.crossings, ms,
    candidateMs, candidateEpochs, outputMs, outputEpochs
  }
}

const twoSpiralsCase = (name: string, kernels: Kernels, poolSize: number, seeds: number) => {
  twoSpiralsRun(kernels, 1_000_001, poolSize) // warm-up (JIT, addon threads), not counted
  const runs = Array.from({ length: seeds }, (_, i) => twoSpiralsRun(kernels, i + 1, poolSize))
  const epochs = runs.map((r) => r.epochs)
  const hidden = runs.map((r) => r.hidden)
  const ms = runs.map((r) => r.ms)
  return {
    case: name,
    backend: kernels.backend,
    pool: poolSize,
    seeds,
    success_rate: round(runs.filter((r) => r.win).length / seeds, 4),
    epochs_mean: round(mean(epochs), 1),
    epochs_min: Math.min(...epochs),
    epochs_max: Math.max(...epochs),
    hidden_mean: round(mean(hidden), 2),
    hidden_min: Math.min(...hidden),
    hidden_max: Math.max(...hidden),
    crossings_mean_m: round(mean(runs.map((r) => r.crossings)) / 1e6, 2),
    ms_median: round(median(ms), 2),
    ms_min: round(Math.min(...ms), 2),
    ms_mean: round(mean(ms), 2),
    candidate_epochs_mean: round(mean(runs.map((r) => r.candidateEpochs)), 1),
    output_epochs_mean: round(mean(runs.map((r) => r.outputEpochs)), 1),
    us_per_candidate_epoch: round((1000 * mean(runs.map((r) => r.candidateMs))) / mean(runs.map((r) => r.candidateEpochs)), 2),
    us_per_output_epoch: round((1000 * mean(runs.map((r) => r.outputMs))) / mean(runs.map((r) => r.outputEpochs)), 2),
    candidate_share: round(mean(runs.map((r) => r.candidateMs / r.ms)), 3),
    warm: true
  }
}

// ---------------------------------------------------------------------------------------------------------------
// B3: one candidate epoch on a fixed, seeded state
// ---------------------------------------------------------------------------------------------------------------

const candidateEpochCase = (kernels: Kernels, P: number, I: number, H: number, O: number, C: number) => {
  const K = 1 + I + H
  const r = Xoshiro128.fromSeed(P * 31 + K * 7 + C)
  const X = new Float32Array(P * K)
  for (let p = 0; p < P; p++) {
    X[p * K] = 1
    for (let i = 1; i < K; i++) X[p * K + i] = r.uniform(1)
  }
  const E = new Float32Array(P * O).map(() => r.uniform(0.3))
  const errMean = new Float32Array(O)
  let sse = 0
  for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) (errMean[o]! += E[p * O + o]! / P), (sse += E[p * O + o]! ** 2)
  const weights = new Float32Array(C * K).map(() => r.uniform(1))
  const input = (maxEpochs: number) => ({
    P, K, O, C, ldx: K, X, E, errMean, sse, weights, activation: 0 as const,
    settings: { epsilon: 100, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs }
  })
  // Size a rep to ≈ 100 ms from one probe, at least 1 epoch.
  const probe = performance.now()
  kernels.candidatePhase(input(1))
  const perEpoch = Math.max(1e-3, (performance.now() - probe) / 2)
  const epochs = Math.max(1, Math.min(1000, Math.round(100 / perEpoch)))
  for (let w = 0; w < 2; w++) kernels.candidatePhase(input(epochs))
  const us: Array<number> = []
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now()
    const out = kernels.candidatePhase(input(epochs))
    us.push(((performance.now() - t0) * 1000) / out.epochs)
  }
  const flop = 4 * P * C * (K + O)
  return {
    case: "B3", backend: kernels.backend, P, I, H, O, C, K, epochs_per_rep: epochs, reps: 5,
    us_median: round(median(us), 2), us_min: round(Math.min(...us), 2),
    gflops_best: round(flop / (Math.min(...us) * 1000), 3), ns_per_cand_pattern: round((Math.min(...us) * 1000) / (P * C), 2)
  }
}

const b3Shapes = (large: boolean): Array<[number, number, number, number, number]> => {
  const shapes: Array<[number, number, number, number, number]> = []
  for (const H of [0, 10, 20]) for (const C of [8, 32, 256]) shapes.push([194, 2, H, 1, C])
  shapes.push([400, 2, 20, 1, 256], [10_000, 20, 20, 3, 64])
  if (large) shapes.push([100_000, 100, 50, 10, 256])
  return shapes
}

// ---------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const caseName = (args.find((a) => !a.startsWith("--") && !args[args.indexOf(a) - 1]?.startsWith("--")) ?? "B1").toUpperCase()
const json = flag("json")

const print = (row: Record<string, unknown>) => {
  if (json) console.log(JSON.stringify(row))
  else console.log(Object.entries(row).map(([k, v]) => `${k}=${v}`).join("  "))
}

const main = async () => {
  const backends = await resolveBackends(option("backend") ?? "all")
  if (!json) console.log(`# cascor ${caseName} on ${cpus()[0]?.model ?? "?"} (${cpus().length} CPUs), node ${process.version}`)
  for (const kernels of backends) {
    switch (caseName) {
      case "B1":
        print(twoSpiralsCase("B1", kernels, 8, Number(option("seeds") ?? 20)))
        break
      case "B2":
        for (const C of (option("pools") ?? "8,16,64,256").split(",").map(Number))
          print(twoSpiralsCase("B2", kernels, C, Number(option("seeds") ?? 10)))
        break
      case "B3":
        for (const [P, I, H, O, C] of b3Shapes(flag("large"))) print(candidateEpochCase(kernels, P, I, H, O, C))
        break
      default:
        console.error(`unknown case ${caseName}; cases: B1, B2, B3`)
        process.exit(2)
    }
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
