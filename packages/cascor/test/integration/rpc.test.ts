// Effect RPC at /rpc, from a separate Node process (the built client, over WebSocket and over HTTP ndjson): it drives
// a training run and streams its events.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "@juniper/core"
import { built, data, type ServiceProcess, startCascor } from "./helpers.js"

const run = promisify(execFile)
const fixture = join(repoRoot, "packages/cascor/test/integration/fixtures/rpc-client.mjs")

describe.runIf(built)("RPC client in another process", () => {
  let svc: ServiceProcess
  beforeAll(async () => {
    svc = await startCascor()
  })
  afterAll(async () => {
    await svc?.stop()
  })

  for (const protocol of ["websocket", "http"] as const)
    it(`drives a run and streams its frames (${protocol})`, async () => {
      if (protocol === "http") await data(svc, "POST", "/v1/training/reset")
      const url = protocol === "websocket" ? `ws://127.0.0.1:${svc.port}/rpc` : `${svc.baseUrl}/rpc`
      const { stdout } = await run(process.execPath, [fixture, url, protocol], { cwd: repoRoot, timeout: 90_000 })
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!)
      expect(out).toMatchObject({ network: { algorithm: "fahlman", pool: 4 }, notFound: "SessionNotFound", started: "training_started", status: "COMPLETED", conflict: "SessionConflict" })
      expect(out.types.slice(0, 3)).toEqual(["initial_status", "state", "initial_metrics"])
      for (const t of ["metrics", "cascade_add", "topology", "state", "event"]) expect(out.types).toContain(t)
      expect(out.seqs.every((s: number, i: number) => i === 0 || s > out.seqs[i - 1])).toBe(true)
      expect(out.topologyHidden).toBe(out.hidden)
      expect(out.types.filter((t: string) => t === "cascade_add").length).toBe(out.hidden)
    }, 120_000)
})
