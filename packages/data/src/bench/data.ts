// `npm run bench -- data [--json] [case…]`: JuniperData benchmarks. Add cases to CASES (e.g. the HTTP
// service's `/v1/health` rps vs bare node:http, dataset creations/s) and they run and print the same way.
import { pathToFileURL } from "node:url"
import { type BenchCase, runBench } from "./report.js"
import { createCase, healthCase } from "./http-cases.js"
import { spiralCase } from "./spiral-case.js"

export const CASES: Array<BenchCase> = [spiralCase, healthCase, createCase]

// Run only as the entry point, so other bench files can import CASES.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runBench(CASES, process.argv.slice(2))
}
