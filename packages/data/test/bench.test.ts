import { describe, expect, it } from "vitest"
import { type BenchCase, emitRows, parseBenchArgs, row, runBench } from "../src/bench/report.js"

describe("bench reporter", () => {
  it("row computes ratio = value / baseline and keeps extras", () => {
    const r = row({ case: "c", metric: "throughput", value: 30, unit: "x/s", baseline: 20 }, { ts_ms: 5 })
    expect(r).toEqual({ case: "c", metric: "throughput", value: 30, unit: "x/s", baseline: 20, ratio: 1.5, ts_ms: 5 })
    expect(row({ case: "c", metric: "m", value: 1, unit: "u", baseline: null }).ratio).toBeNull()
  })

  it("--json prints one object per line with the required keys; the table aligns columns", () => {
    const lines: Array<string> = []
    const rows = [row({ case: "a", metric: "m", value: 1234567, unit: "p/s", baseline: 1000000 })]
    emitRows(rows, true, (l) => lines.push(l))
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(expect.arrayContaining(["case", "metric", "value", "unit", "baseline", "ratio"]))
    const table: Array<string> = []
    emitRows(rows, false, (l) => table.push(l))
    expect(table[0]).toMatch(/^case\s+metric\s+value\s+unit\s+baseline\s+ratio$/)
    expect(table[1]).toContain("1,234,567")
    expect(table[1]).toMatch(/1\.23$/)
  })

  it("runs selected cases only and rejects unknown ones", async () => {
    expect(parseBenchArgs(["--json", "x"])).toEqual({ json: true, only: ["x"] })
    const ran: Array<string> = []
    const mk = (name: string): BenchCase => ({ name, description: name, run: async () => (ran.push(name), []) })
    expect(await runBench([mk("a"), mk("b")], ["b", "--json"])).toBe(0)
    expect(ran).toEqual(["b"])
    const err = console.error
    console.error = () => {}
    try {
      expect(await runBench([mk("a")], ["zzz"])).toBe(2)
    } finally {
      console.error = err
    }
  })
})
