// `npm run bench -- <suite> [args]`: builds, then runs the suite's compiled entry `packages/*/dist/bench/<suite>.js`.
// Suites print a table by default and one JSON object per line with --json.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"

const [suite, ...args] = process.argv.slice(2)
const suites = () => readdirSync("packages").flatMap((pkg) => {
  const dir = `packages/${pkg}/dist/bench`
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)) : []
})
if (process.env.JUNIPER_BENCH_NO_BUILD !== "1") {
  const built = spawnSync("npx", ["--no-install", "tsc", "-b"], { stdio: "inherit" }).status
  if (built !== 0) process.exit(built ?? 1)
}
const entry = readdirSync("packages").map((pkg) => `packages/${pkg}/dist/bench/${suite}.js`).find(existsSync)
if (!suite || !entry) {
  console.error(`usage: npm run bench -- <suite> [args]; suites: ${suites().join(", ") || "(none built)"}`)
  process.exit(2)
}
process.exit(spawnSync(process.execPath, ["--expose-gc", entry, ...args], { stdio: "inherit" }).status ?? 1)
