// `npm start` (scripts/start.mjs) for real: the three services on free ports, demo training paced and looping on
// JuniperCascor, the dashboard served by canopy in service mode; Ctrl-C (SIGTERM here) stops all three.
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { repoRoot } from "@juniper/core"
import { get, stackBuilt, tempDir, until } from "./helpers.js"

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })

describe.runIf(stackBuilt)("npm start (scripts/start.mjs)", () => {
  let child: ChildProcess | null = null
  let out = ""
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL")
  })

  it("starts data, cascor (paced, looping demo training) and canopy in service mode, prints the URL, and stops all three", async () => {
    const port = { data: await freePort(), cascor: await freePort(), canopy: await freePort() }
    child = spawn(process.execPath, [join(repoRoot, "scripts/start.mjs")], {
      env: {
        ...process.env,
        NO_COLOR: "1",
        JUNIPER_START_SKIP_BUILD: "1",
        JUNIPER_DATA_PORT: String(port.data),
        JUNIPER_CASCOR_PORT: String(port.cascor),
        JUNIPER_CANOPY_SERVER__PORT: String(port.canopy),
        JUNIPER_DATA_STORAGE_PATH: tempDir("npm-start-data-"),
        JUNIPER_CASCOR_SNAPSHOTS_DIR: tempDir("npm-start-snap-"),
        JUNIPER_CANOPY_SNAPSHOT_DIR: tempDir("npm-start-canopy-"),
        JUNIPER_CANOPY_CASCOR_DISCOVERY__ENABLED: "false",
        // A faster loop than the default, the default pacing (1 s per unit).
        JUNIPER_CASCOR_AUTO_START_LOOP_SEC: "1"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    child.stdout!.on("data", (b) => (out += String(b)))
    child.stderr!.on("data", (b) => (out += String(b)))
    const exited = new Promise<number | null>((r) => child!.once("exit", (code) => r(code)))

    await until(() => (out.includes("Juniper is running") ? true : undefined), 150_000, `the start banner; output so far:\n${out.slice(-3000)}`)
    expect(out).toContain(`Dashboard: http://localhost:${port.canopy}`)
    for (const name of ["[data]", "[cascor]", "[canopy]"]) expect(out).toContain(name)

    const canopy = `http://127.0.0.1:${port.canopy}`
    const cascor = `http://127.0.0.1:${port.cascor}`
    const page = await fetch(`${canopy}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/<html/i)
    // The banner comes once canopy answers its readiness probe (ready or degraded); on a loaded machine a dependency
    // probe may still time out once, so wait for "ready".
    const ready = await until(async () => {
      const r = (await get(canopy, "/v1/health/ready")).body
      return r.status === "ready" ? r : undefined
    }, 30_000, "canopy ready")
    expect(JSON.stringify(ready)).toContain("service")

    // Demo training is running on JuniperCascor, paced: hidden units grow one by one, seen through canopy.
    await until(async () => {
      const s = (await get(cascor, "/v1/training/status")).body.data
      return s.state_machine.status === "STARTED" ? s : undefined
    }, 60_000, "cascor training")
    const units = new Set<number>()
    await until(async () => {
      const s = (await get(canopy, "/api/status")).body
      units.add(s.hidden_units)
      return units.size >= 3 ? true : undefined
    }, 60_000, "units growing on the dashboard's status")
    // …and the run loops: a completed run is followed by a fresh one.
    await until(() => (/auto-start loop: the demo run completed/.test(out) ? true : undefined), 120_000, "a looped run")

    child.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(out).toContain("stopped")
    for (const p of Object.values(port)) await expect(fetch(`http://127.0.0.1:${p}/v1/health`)).rejects.toThrow()
  }, 360_000)
})
