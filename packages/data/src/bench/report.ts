// A tiny benchmark harness shared by the cases of `npm run bench -- data [--json] [case…]`.
// The HTTP cases (health rps, dataset creations/s) plug in as more BenchCase values in data.ts.

/** The required columns. `baseline` is the same metric for the reference implementation. */
export interface BenchRowCore {
  readonly case: string
  readonly metric: string
  readonly value: number
  readonly unit: string
  readonly baseline: number | null
}

/** One result line: the core columns, ratio = value / baseline, plus free-form extras (--json only). */
export type BenchRow = BenchRowCore & { readonly ratio: number | null } & Readonly<Record<string, unknown>>

export interface BenchCase {
  readonly name: string
  readonly description: string
  readonly run: () => Promise<ReadonlyArray<BenchRow>>
}

export interface BenchArgs {
  readonly json: boolean
  /** Case names to run (all when empty). */
  readonly only: ReadonlyArray<string>
}

export const parseBenchArgs = (argv: ReadonlyArray<string>): BenchArgs => ({
  json: argv.includes("--json"),
  only: argv.filter((a) => !a.startsWith("--"))
})

export const row = (core: BenchRowCore, extras: Readonly<Record<string, unknown>> = {}): BenchRow => ({
  ...core,
  ratio: core.baseline ? core.value / core.baseline : null,
  ...extras
})

/** Median wall time (ms) of `repeats` runs after `warmup` runs; collects garbage first when --expose-gc. */
export const timeMs = (fn: () => unknown, { warmup = 1, repeats = 5 } = {}): { median: number; samples: Array<number> } => {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < warmup; i++) fn()
  const samples: Array<number> = []
  for (let i = 0; i < repeats; i++) {
    gc?.()
    const t0 = performance.now()
    fn()
    samples.push(performance.now() - t0)
  }
  const sorted = [...samples].sort((a, b) => a - b)
  return { median: sorted[Math.floor(sorted.length / 2)]!, samples }
}

const fmt = (v: number | null): string =>
  v === null ? "-" : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3)

/** Print rows: one JSON object per line with --json, else an aligned table. */
export const emitRows = (rows: ReadonlyArray<BenchRow>, json: boolean, out: (line: string) => void = console.log): void => {
  if (json) {
    for (const r of rows) out(JSON.stringify(r))
    return
  }
  const table = [["case", "metric", "value", "unit", "baseline", "ratio"], ...rows.map((r) => [r.case, r.metric, fmt(r.value), r.unit, fmt(r.baseline), r.ratio === null ? "-" : r.ratio.toFixed(2)])]
  const widths = table[0]!.map((_, c) => Math.max(...table.map((t) => t[c]!.length)))
  for (const t of table) out(t.map((cell, c) => (c >= 2 && c !== 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  "))
}

/** Run the selected cases in order and print their rows. Returns a process exit code. */
export const runBench = async (cases: ReadonlyArray<BenchCase>, argv: ReadonlyArray<string>): Promise<number> => {
  const args = parseBenchArgs(argv)
  const unknown = args.only.filter((n) => !cases.some((c) => c.name === n))
  if (unknown.length > 0) {
    console.error(`unknown case(s): ${unknown.join(", ")}; cases: ${cases.map((c) => c.name).join(", ")}`)
    return 2
  }
  const rows: Array<BenchRow> = []
  for (const c of cases) {
    if (args.only.length > 0 && !args.only.includes(c.name)) continue
    const got = await c.run()
    rows.push(...got)
    if (args.json) emitRows(got, true)
  }
  if (!args.json) emitRows(rows, false)
  return 0
}
