// HTTP cases of `npm run bench -- data`: `/v1/health` requests per second against a bare node:http server doing the
// same, and dataset creations per second — real `node dist/data` processes, loopback load from autocannon.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { repoRoot, startService } from "@juniper/core"
import { type BenchCase, row } from "./report.js"

interface AutocannonResult {
  readonly requests: { readonly average: number }
  readonly non2xx: number
  readonly errors: number
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon

const load = async (url: string, seconds: number, extra: Record<string, unknown> = {}) => {
  const r = await autocannon({ url, connections: 20, duration: seconds, ...extra })
  return { rps: r.requests.average, bad: r.non2xx + r.errors }
}

/** A bare node:http server answering the same JSON body, in its own process (as the service is). */
const startBare = (body: string) =>
  new Promise<{ url: string; stop: () => void }>((resolve, reject) => {
    const code = `const b=Buffer.from(${JSON.stringify(body)});require("node:http").createServer((q,s)=>{s.writeHead(200,{"content-type":"application/json","content-length":b.length});s.end(b)}).listen(0,"127.0.0.1",function(){console.log(this.address().port)})`
    const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout.once("data", (d: Buffer) => resolve({ url: `http://127.0.0.1:${String(d).trim()}/v1/health`, stop: () => child.kill("SIGTERM") }))
    child.once("error", reject)
  })

const startData = () => {
  const storage = mkdtempSync(join(tmpdir(), "juniper-bench-data-"))
  return startService(join(repoRoot, "dist/data/index.js"), {
    JUNIPER_DATA_PORT: "0",
    JUNIPER_DATA_STORAGE_PATH: storage,
    JUNIPER_DATA_RATE_LIMIT_ENABLED: "false"
  }).then((svc) => ({ svc, storage }))
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export const healthCase: BenchCase = {
  name: "health-rps",
  description: "GET /v1/health requests/s: JuniperData vs a bare node:http server (autocannon -c 20, alternating rounds)",
  run: async () => {
    const { svc, storage } = await startData()
    const body = await (await fetch(`${svc.baseUrl}/v1/health`)).text()
    const bare = await startBare(body)
    try {
      const ours: Array<number> = []
      const base: Array<number> = []
      let bad = 0
      await load(`${svc.baseUrl}/v1/health`, 1) // warm-up
      await load(bare.url, 1)
      for (let round = 0; round < 3; round++) {
        const a = await load(`${svc.baseUrl}/v1/health`, 3)
        const b = await load(bare.url, 3)
        ours.push(a.rps)
        base.push(b.rps)
        bad += a.bad
      }
      const ready: Array<number> = []
      for (let round = 0; round < 2; round++) ready.push((await load(`${svc.baseUrl}/v1/health/ready`, 3)).rps)
      return [
        row({ case: "health-rps", metric: "GET /v1/health", value: median(ours), unit: "req/s", baseline: median(base) }, { rounds: ours, baseline_rounds: base, errors: bad }),
        row({ case: "health-rps", metric: "GET /v1/health/ready (full Effect stack)", value: median(ready), unit: "req/s", baseline: median(base) })
      ]
    } finally {
      bare.stop()
      await svc.stop()
      rmSync(storage, { recursive: true, force: true })
    }
  }
}

export const createCase: BenchCase = {
  name: "create-rps",
  description: "POST /v1/datasets per second: new seeded spirals (generate + NPZ + atomic write) and cache hits",
  run: async () => {
    const { svc, storage } = await startData()
    try {
      let seed = 0
      const fresh = await autocannon({
        url: `${svc.baseUrl}/v1/datasets`,
        connections: 4,
        duration: 5,
        method: "POST",
        headers: { "content-type": "application/json" },
        // Each request a new seed: a new id, so a real generation and write every time.
        setupClient: (client: { setBody: (b: string) => void; on: (ev: string, f: () => void) => void }) => {
          const next = () => client.setBody(JSON.stringify({ generator: "spiral", params: { seed: seed++ } }))
          next()
          client.on("response", next)
        }
      })
      const hits = await autocannon({
        url: `${svc.baseUrl}/v1/datasets`,
        connections: 4,
        duration: 3,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ generator: "spiral", params: { seed: 1 } })
      })
      return [
        row({ case: "create-rps", metric: "create spiral (194 points), new ids", value: fresh.requests.average, unit: "datasets/s", baseline: null }, { errors: fresh.errors + fresh.non2xx }),
        row({ case: "create-rps", metric: "create, cache hit", value: hits.requests.average, unit: "req/s", baseline: null }, { errors: hits.errors + hits.non2xx })
      ]
    } finally {
      await svc.stop()
      rmSync(storage, { recursive: true, force: true })
    }
  }
}
