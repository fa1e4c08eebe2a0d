// Real processes for the integration tests: `node dist/data` and `node dist/cascor` on 127.0.0.1 (random ports), a
// small WebSocket client that records frames, and REST helpers that unwrap the envelope.
import { afterAll, expect } from "vitest"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

export const dataEntry = join(repoRoot, "dist/data/index.js")
export const cascorEntry = join(repoRoot, "dist/cascor/index.js")
export const built = existsSync(dataEntry) && existsSync(cascorEntry) && existsSync(join(repoRoot, "packages/cascor/dist/main.js"))

const created: Array<string> = []
// Removed after the test file (the helper is imported once per file).
afterAll(() => {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A temp directory, removed after the test file. */
export const tempDir = (prefix = "cascor-it-") => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  created.push(d)
  return d
}

export const startData = () =>
  startService(dataEntry, {
    JUNIPER_DATA_PORT: "0",
    JUNIPER_DATA_STORAGE_PATH: tempDir("cascor-it-data-"),
    JUNIPER_DATA_RATE_LIMIT_ENABLED: "false"
  })

export const startCascor = (env: Record<string, string> = {}) =>
  startService(cascorEntry, {
    JUNIPER_CASCOR_PORT: "0",
    JUNIPER_CASCOR_SNAPSHOTS_DIR: tempDir("cascor-it-snap-"),
    JUNIPER_DATA_URL: "http://127.0.0.1:9",
    JUNIPER_WS_RESUME_TIMEOUT_SEC: "0.3",
    JUNIPER_CASCOR_WS_MAX_CONNECTIONS_PER_IP: "100",
    JUNIPER_CASCOR_BACKEND: "ts",
    ...env
  })

export interface Reply {
  readonly status: number
  readonly body: any
}

export const call = async (svc: ServiceProcess | string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
  const base = typeof svc === "string" ? svc : svc.baseUrl
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {})
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed }
}

/** The `data` of a 200 envelope (throws with the body otherwise). */
export const data = async (svc: ServiceProcess | string, method: string, path: string, body?: unknown): Promise<any> => {
  const r = await call(svc, method, path, body)
  if (r.status !== 200 || r.body?.status !== "success") throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`)
  return r.body.data
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const until = async <A>(f: () => Promise<A | undefined | false> | A | undefined | false, timeoutMs = 30_000, label = "condition"): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await sleep(25)
  }
}

export const status = (svc: ServiceProcess) => data(svc, "GET", "/v1/training/status")

/** A recording WebSocket client. */
export class WsClient {
  readonly frames: Array<any> = []
  readonly ws: WebSocket
  readonly opened: Promise<void>
  readonly closed: Promise<{ code: number; reason: string }>
  private waiters: Array<() => void> = []

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers })
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve())
      this.ws.once("error", reject)
    })
    this.closed = new Promise((resolve) => this.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })))
    this.ws.on("message", (d) => {
      let f: unknown
      try {
        f = JSON.parse(d.toString())
      } catch {
        f = { type: "<unparsable>", raw: d.toString() }
      }
      this.frames.push(f)
      for (const w of this.waiters.splice(0)) w()
    })
    this.ws.on("error", () => undefined)
  }

  static training(svc: ServiceProcess, headers: Record<string, string> = {}) {
    return new WsClient(`ws://127.0.0.1:${svc.port}/ws/training`, headers)
  }

  static control(svc: ServiceProcess, headers: Record<string, string> = { origin: "http://localhost:8050" }) {
    return new WsClient(`ws://127.0.0.1:${svc.port}/ws/control`, headers)
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg))
  }

  of(type: string): Array<any> {
    return this.frames.filter((f) => f.type === type)
  }

  get broadcasts(): Array<any> {
    return this.frames.filter((f) => typeof f.seq === "number")
  }

  get lastSeq(): number {
    const b = this.broadcasts
    return b.length === 0 ? 0 : b[b.length - 1].seq
  }

  /** Waits until a frame satisfies `pred` (searching all frames so far). */
  async waitFor(pred: (f: any) => boolean, timeoutMs = 30_000, label = "frame"): Promise<any> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.frames.find(pred)
      if (hit) return hit
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${label}; got ${this.frames.map((f) => f.type).join(",")}`)
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 250))
        this.waiters.push(() => (clearTimeout(t), r()))
      })
    }
  }

  /** The command_response for `id`. */
  response(id: string, timeoutMs = 15_000) {
    return this.waitFor((f) => f.type === "command_response" && f.data?.command_id === id, timeoutMs, `response ${id}`)
  }

  close(): void {
    this.ws.close()
  }
}

/** Topology → the engine's Network (exact: float32 values round-trip through JSON). */
export const networkOfTopology = (t: any) => {
  const I = t.input_size
  const O = t.output_size
  const H = t.hidden_units.length
  const K = 1 + I + H
  const act: Record<string, string> = { SymmetricSigmoid: "symmetricSigmoid", Sigmoid: "sigmoid", Tanh: "tanh", Gaussian: "gaussian", Linear: "linear" }
  const outputWeights = new Float32Array(O * K)
  for (let o = 0; o < O; o++) {
    outputWeights[o * K] = t.output_bias[o]
    for (let r = 0; r < I + H; r++) outputWeights[o * K + 1 + r] = t.output_weights[r][o]
  }
  return {
    inputs: I,
    outputs: O,
    hiddenActivation: (act[t.hidden_units[0]?.activation ?? "SymmetricSigmoid"] ?? "symmetricSigmoid") as never,
    outputActivation: (act[t.output_activation] ?? "symmetricSigmoid") as never,
    hidden: t.hidden_units.map((h: any) => ({ fanIn: 1 + h.weights.length, weights: Float32Array.from([h.bias, ...h.weights]) })),
    outputWeights
  }
}

/** A structured error: the envelope, the code, and FastAPI's issue list on a 422. */
export const expectEnvelope = (r: { status: number; body: any }, status: number, code: string) => {
  expect(r.status).toBe(status)
  expect(r.body).toMatchObject({ status: "error", error: { code, message: expect.any(String) }, meta: { timestamp: expect.any(Number), version: "0.4.0" } })
  if (status === 422) {
    expect(Array.isArray(r.body.detail)).toBe(true)
    for (const i of r.body.detail) expect(i).toMatchObject({ type: expect.any(String), loc: expect.any(Array), msg: expect.any(String) })
  } else expect(r.body.detail).toBe(r.body.error.message)
}

/** Points with pseudo-random labels: nothing to learn quickly, so training goes on. */
export const inline = (n = 40) => {
  const train_x: Array<Array<number>> = []
  const train_y: Array<Array<number>> = []
  let h = 12345
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0
    train_x.push([Math.sin(i * 1.7) * 3, Math.cos(i * 2.3) * 3])
    train_y.push(h & 0x10000 ? [1, 0] : [0, 1])
  }
  return { train_x, train_y }
}

export type { ServiceProcess }
