// Real service processes for the browser tests: `node dist/canopy` (demo or service mode), `node dist/data`,
// `node dist/cascor`, on 127.0.0.1. Canopy gets a pre-picked free port so its WebSocket Origin allowlist can name
// the page's own origin.
import { existsSync, mkdtempSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core/testing/service-process"

export const canopyEntry = join(repoRoot, "dist/canopy/index.js")
export const dataEntry = join(repoRoot, "dist/data/index.js")
export const cascorEntry = join(repoRoot, "dist/cascor/index.js")
export const canopyBuilt = existsSync(canopyEntry) && existsSync(join(repoRoot, "packages/canopy/dist/web/index.html"))
export const stackBuilt = canopyBuilt && existsSync(dataEntry) && existsSync(cascorEntry)

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

const origins = (port: number) => JSON.stringify([`http://127.0.0.1:${port}`, `http://localhost:${port}`])

export const startCanopy = async (env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> => {
  const port = await freePort()
  return startService(
    canopyEntry,
    {
      JUNIPER_CANOPY_SERVER__HOST: "127.0.0.1",
      JUNIPER_CANOPY_SERVER__PORT: String(port),
      JUNIPER_CANOPY_WEBSOCKET__ALLOWED_ORIGINS: origins(port),
      JUNIPER_CANOPY_CASCOR_DISCOVERY__ENABLED: "false",
      JUNIPER_CANOPY_SNAPSHOT_DIR: tempDir("canopy-snap-"),
      JUNIPER_CANOPY_AUDIT_LOG_ENABLED: "false",
      JUNIPER_CANOPY_RATE_LIMIT_ENABLED: "false",
      ...env
    },
    { timeoutMs: 60_000 }
  )
}

/** Demo mode: the real engine in-process; JuniperData unreachable on purpose (the local generator is the fallback). */
export const startCanopyDemo = (env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> =>
  startCanopy({
    JUNIPER_CANOPY_BACKEND: "demo",
    JUNIPER_DATA_URL: "http://127.0.0.1:9",
    // Fast enough to grow a network in seconds, slow enough that a run (≈20 units) outlasts a control sequence.
    JUNIPER_CANOPY_DEMO_UPDATE_INTERVAL: "0.4",
    JUNIPER_CANOPY_DEMO_RESTART_DELAY: "2",
    ...env
  })

export const startData = (): Promise<ServiceProcess> =>
  startService(dataEntry, { JUNIPER_DATA_PORT: "0", JUNIPER_DATA_STORAGE_PATH: tempDir("canopy-it-data-"), JUNIPER_DATA_RATE_LIMIT_ENABLED: "false" })

export const startCascor = (dataUrl: string, port: number, env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> =>
  startService(
    cascorEntry,
    {
      JUNIPER_CASCOR_PORT: String(port),
      JUNIPER_CASCOR_SNAPSHOTS_DIR: tempDir("canopy-it-cascor-"),
      JUNIPER_DATA_URL: dataUrl,
      JUNIPER_CASCOR_BACKEND: "ts",
      JUNIPER_CASCOR_WS_MAX_CONNECTIONS_PER_IP: "50",
      ...env
    },
    { timeoutMs: 60_000 }
  )

export const getJson = async <T = any>(base: string, path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${base}${path}`)
  const t = await res.text()
  let body: unknown = t
  try {
    body = JSON.parse(t)
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as T }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const until = async <A>(f: () => Promise<A | undefined | false | null> | A | undefined | false | null, timeoutMs = 30_000, label = "condition"): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined && v !== false && v !== null) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await sleep(100)
  }
}

export type { ServiceProcess }
