// Helpers for the process-level tests: real `node dist/canopy` (and dist/data, dist/cascor) processes on 127.0.0.1,
// real HTTP, and a small WebSocket client that records frames.
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

export const canopyEntry = join(repoRoot, "dist/canopy/index.js")
export const dataEntry = join(repoRoot, "dist/data/index.js")
export const cascorEntry = join(repoRoot, "dist/cascor/index.js")
export const canopyBuilt = existsSync(canopyEntry)
export const stackBuilt = canopyBuilt && existsSync(dataEntry) && existsSync(cascorEntry)

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

/** Canopy on a random port, discovery off, JuniperData unreachable unless given. */
export const startCanopy = (env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> =>
  startService(
    canopyEntry,
    {
      JUNIPER_CANOPY_SERVER__HOST: "127.0.0.1",
      JUNIPER_CANOPY_SERVER__PORT: "0",
      JUNIPER_CANOPY_CASCOR_DISCOVERY__ENABLED: "false",
      JUNIPER_DATA_URL: "http://127.0.0.1:9",
      JUNIPER_CANOPY_SNAPSHOT_DIR: tempDir("canopy-test-snap-"),
      JUNIPER_CANOPY_DEMO_UPDATE_INTERVAL: "0.3",
      JUNIPER_CANOPY_DEMO_RESTART_DELAY: "0.5",
      ...env
    },
    { timeoutMs: 90_000 }
  )

export const startData = (): Promise<ServiceProcess> =>
  startService(dataEntry, { JUNIPER_DATA_PORT: "0", JUNIPER_DATA_STORAGE_PATH: tempDir("canopy-test-data-"), JUNIPER_DATA_RATE_LIMIT_ENABLED: "false" }, { timeoutMs: 60_000 })

export const startCascor = (port: number, dataUrl: string, env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> =>
  startService(
    cascorEntry,
    {
      JUNIPER_CASCOR_PORT: String(port),
      JUNIPER_CASCOR_SNAPSHOTS_DIR: tempDir("canopy-test-cascor-"),
      JUNIPER_DATA_URL: dataUrl,
      JUNIPER_CASCOR_BACKEND: "ts",
      ...env
    },
    { timeoutMs: 90_000 }
  )

export interface JsonResponse<T = any> {
  readonly status: number
  readonly headers: Headers
  readonly body: T
}

export const request = async <T = any>(base: string, path: string, init: RequestInit = {}): Promise<JsonResponse<T>> => {
  const res = await fetch(`${base}${path}`, { redirect: "manual", ...init })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: body as T }
}

export const get = <T = any>(base: string, path: string, headers: Record<string, string> = {}) => request<T>(base, path, { headers })
export const post = <T = any>(base: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  request<T>(base, path, {
    method: "POST",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const until = async <A>(f: () => Promise<A | undefined | null | false> | A | undefined | null | false, timeoutMs = 30_000, label = "condition"): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined && v !== null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await sleep(100)
  }
}

/** A WebSocket client that keeps every frame it receives. */
export class WsClient {
  readonly frames: Array<any> = []
  readonly closed: Promise<{ code: number; reason: string }>
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      try {
        this.frames.push(JSON.parse(d.toString()))
      } catch {
        this.frames.push({ type: "<unparsable>", raw: d.toString() })
      }
    })
    this.closed = new Promise((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })))
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(url, { headers })
    const client = new WsClient(ws)
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client))
      ws.once("error", reject)
    })
  }

  send(value: unknown): void {
    this.ws.send(typeof value === "string" ? value : JSON.stringify(value))
  }

  types(): Array<string> {
    return this.frames.map((f) => f.type)
  }

  /** Waits for a frame (from index `from`) matching `pred`. */
  async next(pred: (f: any) => boolean, timeoutMs = 20_000, from = 0): Promise<any> {
    return until(() => this.frames.slice(from).find(pred), timeoutMs, "a matching frame")
  }

  close(): void {
    this.ws.close()
  }
}

export const wsUrl = (base: string, path: string) => base.replace(/^http/, "ws") + path

export type { ServiceProcess }
