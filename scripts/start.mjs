// `npm start`: the whole platform on this machine, in service mode.
//
//   1. builds (`npm run build`) when a service entry or the dashboard bundle is missing, or older than the sources;
//   2. starts JuniperData (8100, datasets under ./data), then JuniperCascor (8200, auto-start demo training on a
//      JuniperData two-spiral dataset, snapshots under ./snapshots), then JuniperCanopy (8050, service mode on that
//      JuniperCascor), each once the previous one answers its readiness probe;
//   3. prefixes every line of their logs with the service name, and prints the dashboard's URL;
//   4. on Ctrl-C / SIGTERM stops all three (canopy, cascor, data), and if one of them dies, stops the others.
//
// JUNIPER_START_SKIP_BUILD=1 skips the build check. Ports: JUNIPER_DATA_PORT, JUNIPER_CASCOR_PORT, JUNIPER_CANOPY_SERVER__PORT (defaults 8100, 8200, 8050). Any other
// JUNIPER_* variable set in the environment is passed through. Works after a plain `npm ci` on a fresh machine.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
process.chdir(root)

const env = process.env
const port = { data: Number(env.JUNIPER_DATA_PORT ?? 8100), cascor: Number(env.JUNIPER_CASCOR_PORT ?? 8200), canopy: Number(env.JUNIPER_CANOPY_SERVER__PORT ?? 8050) }
const tty = process.stdout.isTTY && env.NO_COLOR === undefined
const paint = (code, s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s)
const COLORS = { data: 36, cascor: 35, canopy: 32, start: 33 }
const say = (msg) => process.stdout.write(`${paint(COLORS.start, "[start]  ")} ${msg}\n`)

// --- 1. build when needed ------------------------------------------------------------------------------------------

const newest = (dir) => {
  let t = 0
  if (!existsSync(dir)) return t
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0)

const outputs = ["dist/data/index.js", "dist/cascor/index.js", "dist/canopy/index.js", "packages/canopy/dist/web/index.html"]
const built = outputs.map(mtime)
const sources = Math.max(...["core", "data", "cascor", "canopy"].flatMap((p) => [newest(`packages/${p}/src`), mtime(`packages/${p}/package.json`)]), newest("packages/canopy/web"))
if (env.JUNIPER_START_SKIP_BUILD === "1") say("JUNIPER_START_SKIP_BUILD=1: using the existing build")
else if (built.some((t) => t === 0) || Math.min(...built, ...["core", "data", "cascor", "canopy"].map((p) => mtime(`packages/${p}/dist/.tsbuildinfo`) || Infinity)) < sources) {
  say(built.some((t) => t === 0) ? "no build found: running npm run build" : "sources changed since the last build: running npm run build")
  const r = spawnSync("npm", ["run", "build"], { stdio: "inherit", env })
  if (r.status !== 0) {
    if (built.some((t) => t === 0)) {
      say("build failed")
      process.exit(r.status ?? 1)
    }
    say("build failed: starting the previous build")
  }
}

// --- 2. the services -----------------------------------------------------------------------------------------------

const portFree = (p) =>
  new Promise((resolve) => {
    const srv = createServer()
    srv.once("error", () => resolve(false))
    srv.listen(p, "127.0.0.1", () => srv.close(() => resolve(true)))
  })

const children = []
let stopping = false

const prefixLines = (name, stream, out) => {
  let rest = ""
  stream.setEncoding("utf8")
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n")
    rest = lines.pop() ?? ""
    for (const line of lines) out.write(`${paint(COLORS[name], `[${name}]`.padEnd(9))} ${line}\n`)
  })
  stream.on("end", () => rest && out.write(`${paint(COLORS[name], `[${name}]`.padEnd(9))} ${rest}\n`))
}

const startChild = (name, entry, childEnv) => {
  const child = spawn(process.execPath, [entry], { env: { ...env, ...childEnv }, stdio: ["ignore", "pipe", "pipe"] })
  prefixLines(name, child.stdout, process.stdout)
  prefixLines(name, child.stderr, process.stderr)
  const record = { name, child, exited: new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal))) }
  children.push(record)
  record.exited.then((code) => {
    if (stopping) return
    say(`${name} exited (${code}); stopping the others`)
    shutdown(1)
  })
  return record
}

const ready = async (name, url, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (stopping) return false
    try {
      const res = await fetch(`${url}/v1/health/ready`, { signal: AbortSignal.timeout(2000) })
      const body = await res.json().catch(() => ({}))
      if (res.ok && (body.status === "ready" || body.status === "degraded")) return true
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  say(`${name} did not become ready at ${url} within ${timeoutMs / 1000} s`)
  return false
}

const shutdown = async (code = 0) => {
  if (stopping) return
  stopping = true
  say("stopping canopy, cascor and data…")
  for (const c of [...children].reverse()) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) continue
    c.child.kill("SIGTERM")
    const killer = setTimeout(() => c.child.kill("SIGKILL"), 10_000)
    await c.exited
    clearTimeout(killer)
  }
  say("stopped")
  process.exit(code)
}
process.on("SIGINT", () => void shutdown(0))
process.on("SIGTERM", () => void shutdown(0))

const main = async () => {
  for (const [name, p] of Object.entries(port))
    if (!(await portFree(p))) {
      say(`port ${p} (${name}) is in use: stop what runs there, or set ${name === "canopy" ? "JUNIPER_CANOPY_SERVER__PORT" : `JUNIPER_${name.toUpperCase()}_PORT`}`)
      process.exit(1)
    }
  mkdirSync("data/datasets", { recursive: true })
  mkdirSync("snapshots", { recursive: true })
  const dataUrl = `http://127.0.0.1:${port.data}`
  const cascorUrl = `http://127.0.0.1:${port.cascor}`
  const canopyUrl = `http://127.0.0.1:${port.canopy}`

  say(`starting JuniperData on ${dataUrl}`)
  startChild("data", "dist/data/index.js", {
    JUNIPER_DATA_HOST: "127.0.0.1",
    JUNIPER_DATA_PORT: String(port.data),
    JUNIPER_DATA_STORAGE_PATH: env.JUNIPER_DATA_STORAGE_PATH ?? "./data/datasets",
    JUNIPER_DATA_LOG_FORMAT: env.JUNIPER_DATA_LOG_FORMAT ?? "text"
  })
  if (!(await ready("data", dataUrl, 60_000))) return shutdown(1)

  say(`starting JuniperCascor on ${cascorUrl} (auto-start: two-spiral demo training)`)
  startChild("cascor", "dist/cascor/index.js", {
    JUNIPER_CASCOR_HOST: "127.0.0.1",
    JUNIPER_CASCOR_PORT: String(port.cascor),
    JUNIPER_CASCOR_AUTO_START: env.JUNIPER_CASCOR_AUTO_START ?? "true",
    // A demo to watch: about a second per grown unit (full speed finishes two spirals in well under a second), and a
    // fresh run 10 s after one completes. JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC=0 trains at full speed.
    JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: env.JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC ?? "1",
    JUNIPER_CASCOR_AUTO_START_LOOP_SEC: env.JUNIPER_CASCOR_AUTO_START_LOOP_SEC ?? "10",
    JUNIPER_DATA_URL: dataUrl,
    JUNIPER_CASCOR_SNAPSHOTS_DIR: env.JUNIPER_CASCOR_SNAPSHOTS_DIR ?? "./snapshots",
    JUNIPER_CASCOR_WS_CONTROL_ALLOWED_ORIGINS:
      env.JUNIPER_CASCOR_WS_CONTROL_ALLOWED_ORIGINS ?? JSON.stringify([`http://localhost:${port.canopy}`, `http://127.0.0.1:${port.canopy}`]),
    // Canopy's relay resumes at once or starts fresh at once; a short resume wait makes a fresh connect quick.
    JUNIPER_CASCOR_WS_RESUME_TIMEOUT_SEC: env.JUNIPER_CASCOR_WS_RESUME_TIMEOUT_SEC ?? "1",
    JUNIPER_CASCOR_LOG_FORMAT: env.JUNIPER_CASCOR_LOG_FORMAT ?? "text"
  })
  if (!(await ready("cascor", cascorUrl, 90_000))) return shutdown(1)

  say(`starting JuniperCanopy on ${canopyUrl} (service mode)`)
  startChild("canopy", "dist/canopy/index.js", {
    JUNIPER_CANOPY_SERVER__HOST: "127.0.0.1",
    JUNIPER_CANOPY_SERVER__PORT: String(port.canopy),
    JUNIPER_CANOPY_CASCOR_SERVICE_URL: cascorUrl,
    JUNIPER_CANOPY_CASCOR_WS_ORIGIN: env.JUNIPER_CANOPY_CASCOR_WS_ORIGIN ?? `http://localhost:${port.canopy}`,
    JUNIPER_DATA_URL: dataUrl,
    JUNIPER_CANOPY_SNAPSHOT_DIR: env.JUNIPER_CANOPY_SNAPSHOT_DIR ?? "./snapshots",
    JUNIPER_CANOPY_LOG_FORMAT: env.JUNIPER_CANOPY_LOG_FORMAT ?? "text"
  })
  if (!(await ready("canopy", canopyUrl, 60_000))) return shutdown(1)

  const url = `http://localhost:${port.canopy}`
  process.stdout.write(`\n  ${paint("1", "Juniper is running.")}  Dashboard: ${paint("4", url)}\n  (JuniperData ${dataUrl}, JuniperCascor ${cascorUrl}; Ctrl-C stops all three)\n\n`)
}

main().catch((e) => {
  say(`failed: ${e instanceof Error ? e.message : String(e)}`)
  void shutdown(1)
})
