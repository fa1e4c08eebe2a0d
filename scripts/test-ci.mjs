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
    // Name every failure again just above the count: CI logs are often read from the end.
    for (const file of r.testResults) {
      for (const t of file.assertionResults) {
        if (t.status === "passed" && t.failureMessages?.length) {
          const why = t.failureMessages[0].split("\n").slice(0, 2).join(" ⏎ ").slice(0, 400)
          console.log(`FLAKY: ${file.name.replace(process.cwd() + "/", "")} > ${t.fullName} passed on its retry; first attempt: ${why}`)
        }
        if (t.status !== "failed") continue
        const why = (t.failureMessages?.[0] ?? "").split("\n").slice(0, 3).join(" ⏎ ").slice(0, 600)
        console.log(`FAILED: ${file.name.replace(process.cwd() + "/", "")} > ${t.fullName} (${Math.round(t.duration ?? 0)} ms): ${why}`)
      }
      if (file.status === "failed" && file.assertionResults.length === 0) {
        console.log(`FAILED: ${file.name.replace(process.cwd() + "/", "")} (file): ${(file.message ?? "").slice(0, 600)}`)
      }
    }
  } catch {}
}
console.log(line)
process.exit(status)
