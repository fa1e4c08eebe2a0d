// `npm test`: build everything, run every test, and print `N passed, N failed` last so CI can read it.
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"

const report = ".vitest-report.json"
const step = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1

let status = process.env.JUNIPER_SKIP_BUILD === "1" ? 0 : step("npm", ["run", "build"])
let line = "0 passed, 1 failed (build failed)"
if (status === 0) {
  rmSync(report, { force: true })
  status = step("npx", ["--no-install", "vitest", "run", "--reporter=default", "--reporter=json",
    `--outputFile=${report}`, ...process.argv.slice(2)])
  line = "0 passed, 1 failed (vitest wrote no report)"
  try {
    const r = JSON.parse(readFileSync(report, "utf8"))
    line = `${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""}`
  } catch {}
}
console.log(line)
process.exit(status)
