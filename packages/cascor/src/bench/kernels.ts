/**
 * Kernel benchmarks (shared/reference/cascade-correlation.md E):
 *
 *   npm run bench -- kernels [--backend ts|cpu|cuda] [--json] [--quick] [--case <substring>] [--reps N] [--b4 units]
 *
 * - B3: one candidate epoch at the reference shapes, per backend; time per training epoch is
 *   (t(phase of N training epochs) − t(bootstrap-only phase)) / N, patience off, so call and setup costs cancel.
 *   GFLOP/s counts the model's 4·P·C·(K+O) per epoch; `peak_fraction` is against this machine's FMA peak measured
 *   in the same run (native microbenchmark, all threads; the 1-thread figure is reported too).
 * - OUT: one output epoch (A.5) at the B1 and the large shape (same difference method).
 * - B4 (only with --b4 <units>, native backends): the large end-to-end run truncated to <units> units: P = 100 000,
 *   I = 100, O = 10 targets of a seeded random teacher net, C = 256, fixed 50 output + 50 candidate epochs per unit,
 *   patience off; per unit: output phase, candidate phase, install (fillColumn).
 * - B6: the Node boundary: a sync call without arguments, a sync call with a Float32Array, an async round trip
 *   (napi async work + promise), and an async vs sync B1-sized candidate phase.
 *
 * Without --backend, ts and cpu (and cuda when a GPU is usable) run in the same process and each native row carries
 * its speed-up over ts. --json prints one JSON object per line: case, backend, gflops, peak_fraction, ms_median,
 * ms_min (per epoch for B3/OUT, per call for B6) and more.
 */
import { execSync } from "node:child_process"
import type { CandidatePhaseInput, Kernels, OutputPhaseInput } from "../engine/kernel.js"
import { Xoshiro128 } from "../engine/rng/prng.js"
import { tsKernels } from "../engine/ts-kernels.js"
import { loadNativeAddon } from "../backend/native-loader.js"
import type { NativeAddon } from "../backend/native-loader.js"
import { makeNativeKernels } from "../backend/native-kernels.js"

type Backend = "ts" | "cpu" | "cuda"

interface Args {
  readonly b4Units: number
  readonly backends: ReadonlyArray<Backend>
  readonly json: boolean
  readonly quick: boolean
  readonly filter: string | undefined
  readonly reps: number
}

const parseArgs = (argv: ReadonlyArray<string>, native: NativeAddon | undefined): Args => {
  const get = (flag: string) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const requested = get("--backend")
  let backends: Array<Backend>
  if (requested) {
    if (requested !== "ts" && requested !== "cpu" && requested !== "cuda") throw new Error(`--backend ts|cpu|cuda, got ${requested}`)
    backends = [requested]
  } else {
    backends = ["ts"]
    if (native) backends.push("cpu")
    if (native && native.info().backend === "cuda") backends.push("cuda")
  }
  if (backends.some((b) => b !== "ts") && !native) throw new Error("the native addon is not built (npm run build:native)")
  return {
    b4Units: Number(get("--b4") ?? 0),
    backends,
    json: argv.includes("--json"),
    quick: argv.includes("--quick"),
    filter: get("--case"),
    reps: Number(get("--reps") ?? 5)
  }
}

// ---- states ------------------------------------------------------------------------------------------------------

const rng = (seed: number) => {
  const r = Xoshiro128.fromSeed(seed)
  return () => r.nextU32() / 2 ** 32
}

interface Shape {
  readonly P: number
  readonly I: number
  readonly H: number
  readonly O: number
  readonly C: number
}

/** Synthetic seeded state (X with bias, inputs in ±1, hidden values in ±0.5; E output-prime-scaled errors). */
const candidateInput = (s: Shape, maxEpochs: number): CandidatePhaseInput => {
  const r = rng(s.P * 131 + s.C * 7 + s.H)
  const K = 1 + s.I + s.H
  const ldx = K
  const X = new Float32Array(s.P * ldx)
  for (let p = 0; p < s.P; p++) {
    X[p * ldx] = 1
    for (let i = 1; i <= s.I; i++) X[p * ldx + i] = r() * 2 - 1
    for (let h = 0; h < s.H; h++) X[p * ldx + 1 + s.I + h] = r() - 0.5
  }
  const E = new Float32Array(s.P * s.O).map(() => (r() - 0.5) * 0.35)
  const errMean = new Float32Array(s.O)
  let sse = 0
  for (let o = 0; o < s.O; o++) {
    let sum = 0
    for (let p = 0; p < s.P; p++) {
      sum += E[p * s.O + o]!
      sse += E[p * s.O + o]! ** 2
    }
    errMean[o] = sum / s.P
  }
  return {
    P: s.P, K, O: s.O, C: s.C, ldx, X, E, errMean, sse,
    weights: new Float32Array(s.C * K).map(() => r() * 2 - 1),
    activation: 0,
    settings: { epsilon: 100, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs },
    threads: 0
  }
}

const outputInput = (s: Omit<Shape, "C">, maxEpochs: number): OutputPhaseInput => {
  const c = candidateInput({ ...s, C: 1 }, 0)
  const r = rng(s.P + 17)
  return {
    P: s.P, K: c.K, O: s.O, ldx: c.ldx, X: c.X,
    targets: new Float32Array(s.P * s.O).map(() => (r() < 0.5 ? -0.5 : 0.5)),
    weights: new Float32Array(s.O * c.K).map(() => r() * 2 - 1),
    deltas: new Float32Array(s.O * c.K),
    prevSlopes: new Float32Array(s.O * c.K),
    errors: new Float32Array(s.P * s.O),
    errSums: new Float32Array(s.O),
    activation: 0, sigmoidPrimeOffset: 0.1,
    scoreThreshold: 0.001, // nothing wins: every epoch updates
    settings: { epsilon: 1, mu: 2, decay: 1e-4, patience: 0, changeThreshold: 0.01, maxEpochs },
    history: new Float32Array(2 * (maxEpochs + 1))
  }
}

// ---- timing ------------------------------------------------------------------------------------------------------

const now = () => performance.now()
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = () => (globalThis as { gc?: () => void }).gc?.()

interface Timing {
  readonly perEpochMs: ReadonlyArray<number>
  readonly epochs: number
}

/**
 * Per-epoch times by the difference method. `run(n)` runs a phase of n training epochs. Warm-up: `warm` runs of
 * each; then `reps` pairs. Epochs per rep: enough for ≈`targetMs`, at least 1.
 */
const timeEpochs = (
  run: (n: number) => void,
  opts: { reps: number; warm: number; targetMs: number; maxEpochs?: number },
  prepare: (n: number) => void = () => {}
): Timing => {
  prepare(0)
  // Calibrate on the fastest of three bootstrap-only and three 16-epoch phases (robust on a loaded machine).
  const probe = Math.min(16, opts.maxEpochs ?? 16)
  prepare(probe)
  let t0 = Number.POSITIVE_INFINITY
  let t1 = Number.POSITIVE_INFINITY
  let t = 0
  for (let i = 0; i < (opts.targetMs > 0 ? 3 : 1); i++) {
    t = now()
    run(0)
    t0 = Math.min(t0, now() - t)
    t = now()
    run(probe)
    t1 = Math.min(t1, now() - t)
  }
  const estimate = Math.max(1e-4, (t1 - t0) / probe, t1 / (probe * 4))
  const n = Math.max(1, Math.min(opts.maxEpochs ?? 5000, Math.round(opts.targetMs / estimate)))
  prepare(n)
  for (let w = 0; w < opts.warm; w++) {
    run(0)
    run(n)
  }
  const base: Array<number> = []
  const full: Array<number> = []
  for (let r = 0; r < opts.reps; r++) {
    gc()
    t = now()
    run(0)
    base.push(now() - t)
    t = now()
    run(n)
    full.push(now() - t)
  }
  // The fastest bootstrap-only phase is the least disturbed estimate of the fixed cost.
  const b = Math.min(...base)
  return { perEpochMs: full.map((f) => Math.max(0, f - b) / n), epochs: n }
}

// ---- output ------------------------------------------------------------------------------------------------------

type Row = Record<string, string | number | boolean | undefined>

const cpuModel = (): string => {
  try {
    const line = execSync("lscpu", { encoding: "utf8" }).split("\n").find((l) => l.startsWith("Model name"))
    return line ? line.split(":")[1]!.trim() : "unknown"
  } catch {
    return "unknown"
  }
}

const fmtMs = (ms: number) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(2)} µs`)

// ---- main --------------------------------------------------------------------------------------------------------

const B3: ReadonlyArray<Shape & { readonly id: string }> = [
  ...[0, 10, 20].flatMap((H) => [8, 32, 256].map((C) => ({ id: `b3-spirals-h${H}-c${C}`, P: 194, I: 2, H, O: 1, C }))),
  { id: "b3-400-c256", P: 400, I: 2, H: 20, O: 1, C: 256 },
  { id: "b3-medium", P: 10_000, I: 20, H: 20, O: 3, C: 64 },
  { id: "b3-large", P: 100_000, I: 100, H: 50, O: 10, C: 256 }
]
const OUT: ReadonlyArray<Omit<Shape, "C"> & { readonly id: string }> = [
  { id: "out-spirals-h14", P: 194, I: 2, H: 14, O: 1 },
  { id: "out-large", P: 100_000, I: 100, H: 50, O: 10 }
]

/** B4 truncated: grows `units` units on the large synthetic problem with fixed phase lengths. */
const b4 = (k: Kernels, backend: Backend, units: number, emit: (r: Row) => void, json: boolean) => {
  const P = 100_000, I = 100, O = 10, C = 256, Hmax = 50, ldx = 1 + I + Hmax, epochs = 50
  const r = rng(4242)
  const X = new Float32Array(P * ldx)
  // Teacher: 20 tanh hidden units on the inputs, O sign outputs → targets ±0.5.
  const A = Float64Array.from({ length: 20 * I }, () => (r() * 2 - 1) / Math.sqrt(I))
  const B = Float64Array.from({ length: O * 20 }, () => r() * 2 - 1)
  const targets = new Float32Array(P * O)
  const h = new Float64Array(20)
  for (let p = 0; p < P; p++) {
    X[p * ldx] = 1
    for (let i = 0; i < I; i++) X[p * ldx + 1 + i] = r() * 2 - 1
    for (let j = 0; j < 20; j++) {
      let z = 0
      for (let i = 0; i < I; i++) z += A[j * I + i]! * X[p * ldx + 1 + i]!
      h[j] = Math.tanh(z)
    }
    for (let o = 0; o < O; o++) {
      let z = 0
      for (let j = 0; j < 20; j++) z += B[o * 20 + j]! * h[j]!
      targets[p * O + o] = z > 0 ? 0.5 : -0.5
    }
  }
  const Kmax = ldx
  const Wm = new Float32Array(O * Kmax), Dm = new Float32Array(O * Kmax), Sm = new Float32Array(O * Kmax)
  for (let o = 0; o < O; o++) for (let i = 0; i <= I; i++) Wm[o * Kmax + i] = r() * 2 - 1
  const errors = new Float32Array(P * O), errSums = new Float32Array(O), history = new Float32Array(2 * (epochs + 1))
  const total = { out: 0, cand: 0, fill: 0, flop: 0 }
  for (let u = 0; u < units; u++) {
    const K = 1 + I + u
    const pack = (src: Float32Array) => {
      const a = new Float32Array(O * K)
      for (let o = 0; o < O; o++) a.set(src.subarray(o * Kmax, o * Kmax + K), o * K)
      return a
    }
    const unpack = (a: Float32Array, dst: Float32Array) => {
      for (let o = 0; o < O; o++) dst.set(a.subarray(o * K, o * K + K), o * Kmax)
    }
    const weights = pack(Wm), deltas = pack(Dm), prevSlopes = pack(Sm)
    let t = now()
    const out = k.outputPhase({
      P, K, O, ldx, X, targets, weights, deltas, prevSlopes, errors, errSums, activation: 0, sigmoidPrimeOffset: 0.1,
      scoreThreshold: 0.4, history, settings: { epsilon: 0.35, mu: 2, decay: 1e-4, patience: 0, changeThreshold: 0.01, maxEpochs: epochs }
    })
    const tOut = now() - t
    unpack(weights, Wm)
    unpack(deltas, Dm)
    unpack(prevSlopes, Sm)
    const errMean = Float32Array.from(errSums, (s) => s / P)
    t = now()
    const cand = k.candidatePhase({
      P, K, O, C, ldx, X, E: errors, errMean, sse: out.sse, activation: 0, threads: 0,
      weights: Float32Array.from({ length: C * K }, () => r() * 2 - 1),
      settings: { epsilon: 1, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs: epochs }
    })
    const tCand = now() - t
    t = now()
    k.fillColumn(X, P, K, ldx, cand.weights.subarray(cand.best * K, (cand.best + 1) * K), 0)
    const tFill = now() - t
    for (let o = 0; o < O; o++) Wm[o * Kmax + K] = -cand.correlations[cand.best * O + o]!
    const flopCand = (epochs + 0.5) * 4 * P * C * (K + O)
    const flopOut = epochs * 4 * P * K * O
    total.out += tOut
    total.cand += tCand
    total.fill += tFill
    total.flop += flopCand + flopOut
    const row: Row = {
      case: "b4-unit", backend, unit: u + 1, K, ms_output_phase: tOut, ms_candidate_phase: tCand, ms_fill: tFill,
      ms_median: tCand / (epochs + 0.5), ms_min: tCand / (epochs + 0.5), gflops: flopCand / (tCand * 1e6),
      trueError: out.trueError, errorBits: out.errorBits, bestScore: cand.bestScore
    }
    emit(row)
    if (!json)
      console.log(
        `b4 ${backend} unit ${u + 1}: output ${fmtMs(tOut)}, candidates ${fmtMs(tCand)} (${fmtMs(tCand / (epochs + 0.5))}/epoch, ${(row["gflops"] as number).toFixed(1)} GF/s), fill ${fmtMs(tFill)}, bits ${out.errorBits}, best ${cand.bestScore.toFixed(4)}`
      )
  }
  const ms = total.out + total.cand + total.fill
  emit({ case: "b4-total", backend, units, ms_total: ms, ms_per_unit: ms / units, ms_output: total.out, ms_candidates: total.cand, ms_fill: total.fill, gflops: total.flop / (ms * 1e6), ms_median: ms / units, ms_min: ms / units })
  if (!json) console.log(`b4 ${backend}: ${units} units in ${fmtMs(ms)} (${fmtMs(ms / units)} per unit; output ${fmtMs(total.out)}, candidates ${fmtMs(total.cand)}, fill ${fmtMs(total.fill)})`)
}

const main = async () => {
  const load = loadNativeAddon()
  const native = load.loaded ? load.addon : undefined
  const args = parseArgs(process.argv.slice(2), native)
  const rows: Array<Row> = []
  const emit = (row: Row) => {
    rows.push(row)
    if (args.json) console.log(JSON.stringify(row))
  }
  const kernels = (b: Backend): Kernels => (b === "ts" ? tsKernels : makeNativeKernels(native!, b))
  const want = (id: string) => args.filter === undefined || id.includes(args.filter)

  const info = native?.info()
  const env = {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    node: process.version,
    isa: info?.isa ?? "none",
    threads: info?.threads ?? 1,
    gpu: info?.deviceName ?? "none",
    load: (await import("node:os")).loadavg()[0]!.toFixed(2)
  }
  if (!args.json) console.log(`kernels bench ${env.date} · ${env.cpu} · ${env.isa} · ${env.threads} threads · load ${env.load} · gpu ${env.gpu}`)
  else console.log(JSON.stringify({ case: "env", ...env }))

  // Measured FMA peak (the reference for peak_fraction): the best of several short windows, so that a loaded
  // machine's momentary contention does not lower the reference.
  let peakAll = Number.NaN
  const peakOf = (threads: number) => {
    let best = 0
    for (let i = 0; i < (args.quick ? 3 : 8); i++) best = Math.max(best, native!.peakFma(threads, 0.06))
    return best
  }
  if (native) {
    const p1 = peakOf(1)
    peakAll = peakOf(0)
    emit({ case: "peak-fma", backend: "native", threads: 1, gflops: p1, isa: env.isa })
    emit({ case: "peak-fma", backend: "native", threads: info!.threads, gflops: peakAll, isa: env.isa })
    if (!args.json) console.log(`FMA peak: ${p1.toFixed(1)} GFLOP/s (1 thread), ${peakAll.toFixed(1)} GFLOP/s (${info!.threads} threads)`)
  }

  // B3 and OUT.
  const tsMs = new Map<string, number>()
  const line = (id: string, b: Backend, t: Timing, flop: number, extra: Row = {}) => {
    const med = median(t.perEpochMs)
    const min = Math.min(...t.perEpochMs)
    const gflops = flop / (med * 1e6)
    if (b === "ts") tsMs.set(id, med)
    const ts = tsMs.get(id)
    const row: Row = {
      case: id, backend: b, ...extra, epochs: t.epochs, reps: t.perEpochMs.length, flop,
      gflops, gflops_best: flop / (min * 1e6), peak_fraction: Number.isFinite(peakAll) ? gflops / peakAll : undefined,
      ms_median: med, ms_min: min, ...(b !== "ts" && ts !== undefined ? { speedup_vs_ts: ts / med } : {})
    }
    emit(row)
    if (!args.json)
      console.log(
        `${id.padEnd(22)} ${b.padEnd(5)} ${fmtMs(med).padStart(10)} median ${fmtMs(min).padStart(10)} min  ${gflops
          .toFixed(2)
          .padStart(7)} GF/s  ${Number.isFinite(peakAll) ? `${((100 * gflops) / peakAll).toFixed(1).padStart(5)} % peak` : ""}${
          row["speedup_vs_ts"] !== undefined ? `  ×${(row["speedup_vs_ts"] as number).toFixed(1)} vs ts` : ""
        }`
      )
  }

  for (const s of B3) {
    if (!want(s.id)) continue
    const K = 1 + s.I + s.H
    const flop = 4 * s.P * s.C * (K + s.O)
    for (const b of args.backends) {
      const big = s.P * s.C * K > 1e8
      if (b === "ts" && big && args.quick) continue
      const k = kernels(b)
      const inputs = new Map<number, CandidatePhaseInput>()
      const prepare = (n: number) => {
        if (!inputs.has(n)) inputs.set(n, candidateInput(s, n))
      }
      const run = (n: number) => {
        prepare(n)
        k.candidatePhase(inputs.get(n)!)
      }
      // ts on the large shape: one rep of one epoch (≈15 s); everything else ≥ 2 warm-ups and ≥ 5 reps.
      const opts =
        b === "ts" && big ? { reps: 1, warm: 0, targetMs: 0, maxEpochs: 1 }
        : b === "ts" ? { reps: Math.max(3, Math.min(args.reps, 5)), warm: 1, targetMs: args.quick ? 100 : 400 }
        : { reps: args.reps, warm: 2, targetMs: args.quick ? 150 : 600 }
      line(s.id, b, timeEpochs(run, opts, prepare), flop, { P: s.P, I: s.I, H: s.H, O: s.O, C: s.C, K })
    }
  }

  for (const s of OUT) {
    if (!want(s.id)) continue
    const K = 1 + s.I + s.H
    const flop = 4 * s.P * K * s.O
    for (const b of args.backends) {
      const k = kernels(b)
      const big = s.P * K > 1e6
      const inputs = new Map<number, OutputPhaseInput>()
      // n + 1 epochs: a phase of 0 epochs returns before its per-phase setup (the transposed cache), so the base of
      // the difference is a 1-epoch phase.
      const prepare = (n: number) => {
        if (!inputs.has(n)) inputs.set(n, outputInput(s, n + 1))
      }
      const run = (n: number) => {
        prepare(n)
        k.outputPhase(inputs.get(n)!) // updates its weights in place: later reps start further along, same work
      }
      const opts = b === "ts" && big ? { reps: 2, warm: 0, targetMs: 0, maxEpochs: 2 } : { reps: args.reps, warm: 2, targetMs: args.quick ? 100 : 300 }
      line(s.id, b, timeEpochs(run, opts, prepare), flop, { P: s.P, I: s.I, H: s.H, O: s.O, K })
    }
  }

  // B4, truncated.
  if (args.b4Units > 0) {
    for (const b of args.backends) {
      if (b === "ts") continue // ≈15 s per candidate epoch: not meaningful here
      b4(kernels(b), b, args.b4Units, emit, args.json)
    }
  }

  // B6: the boundary.
  if (native && want("b6")) {
    const boundary = (id: string, calls: number, f: () => void) => {
      for (let i = 0; i < Math.min(calls, 10_000); i++) f()
      const per: Array<number> = []
      for (let r = 0; r < args.reps; r++) {
        const t = now()
        for (let i = 0; i < calls; i++) f()
        per.push((now() - t) / calls)
      }
      const med = median(per)
      emit({ case: id, backend: "cpu", calls, ms_median: med, ms_min: Math.min(...per), ns_median: med * 1e6 })
      if (!args.json) console.log(`${id.padEnd(22)} ${(med * 1e6).toFixed(1).padStart(10)} ns/call median (${calls} calls × ${args.reps})`)
    }
    const x = new Float32Array(16)
    const n = args.quick ? 200_000 : 1_000_000
    let sink = 0
    boundary("b6-js-noop", n, () => {
      sink += x.length
    })
    boundary("b6-sync-noarg", n, () => native.noop())
    boundary("b6-sync-f32", n, () => {
      sink += native.noopArray(x)
    })
    const asyncRound = async (id: string, calls: number, f: () => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await f()
      const per: Array<number> = []
      for (let r = 0; r < args.reps; r++) {
        const t = now()
        for (let i = 0; i < calls; i++) await f()
        per.push((now() - t) / calls)
      }
      const med = median(per)
      emit({ case: id, backend: "cpu", calls, ms_median: med, ms_min: Math.min(...per), ns_median: med * 1e6 })
      if (!args.json) console.log(`${id.padEnd(22)} ${(med * 1e3).toFixed(2).padStart(10)} µs/call median (${calls} calls × ${args.reps})`)
    }
    await asyncRound("b6-async-noop", args.quick ? 2000 : 20_000, () => native.noopAsync())
    const tiny = candidateInput({ P: 194, I: 2, H: 10, O: 1, C: 8 }, 0)
    boundary("b6-sync-phase-b1", args.quick ? 2000 : 20_000, () => native.candidatePhase(tiny, "cpu"))
    await asyncRound("b6-async-phase-b1", args.quick ? 2000 : 10_000, () => native.candidatePhaseAsync(tiny, "cpu"))
    if (sink < 0) console.log(sink)
  }

  if (!args.json && args.backends.includes("ts") && args.backends.length > 1) {
    console.log("\nspeed-up vs ts (median per epoch):")
    for (const r of rows) if (r["speedup_vs_ts"] !== undefined) console.log(`  ${String(r["case"]).padEnd(22)} ${r["backend"]}  ×${(r["speedup_vs_ts"] as number).toFixed(1)}`)
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
