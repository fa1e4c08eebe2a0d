/**
 * `npm run bench -- cascor-service [--json] [case…]`: the JuniperCascor service under load, against a real
 * `node dist/cascor` process on 127.0.0.1 (kernels: JUNIPER_CASCOR_BACKEND, default auto).
 *
 *   training-speed   wall time of a fixed training run with 0 vs 50 /ws/training subscribers (goal: < 10 % slower)
 *   frame-latency    engine event → client receipt of broadcast frames, p50/p95, with 1 and 50 subscribers
 *   rest-status      GET /v1/training/status requests per second (autocannon -c 20) while training, vs idle
 *
 * Options: --runs N (training-speed repeats per setting, default 3), --duration S (autocannon seconds, default 5),
 * --points N (points per spiral of the training workload, default 1000: more points, longer phases, same frames).
 * Subscribers are cheap clients: they answer pings and count bytes, they do not parse frames. For training-speed they
 * run in a child process at lower priority (`nice -n 10`): real subscribers are browsers on other machines, and on a
 * 2-vCPU box their own receive work would otherwise compete with the service for the same two cores. `--inproc` runs
 * them in this process at normal priority instead (the harsher setting, also reported in bench/RESULTS.md).
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

interface Row {
  readonly case: string
  readonly metric: string
  readonly value: number
  readonly unit: string
  readonly baseline: number | null
  readonly ratio: number | null
  readonly [k: string]: unknown
}

const row = (c: string, metric: string, value: number, unit: string, baseline: number | null = null, extra: Record<string, unknown> = {}): Row => ({
  case: c,
  metric,
  value,
  unit,
  baseline,
  ratio: baseline ? value / baseline : null,
  ...extra
})

const argv = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback
}
const json = argv.includes("--json")
const runs = flag("--runs", 3)
const duration = flag("--duration", 5)
const points = flag("--points", 1000)
const settleMs = flag("--settle-ms", 300)
const inproc = argv.includes("--inproc")
const only = argv.filter((a, i) => !a.startsWith("--") && !["--runs", "--duration", "--points", "--settle-ms"].includes(argv[i - 1] ?? ""))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const now = () => performance.timeOrigin + performance.now()

const start = () =>
  startService(join(repoRoot, "dist/cascor/index.js"), {
    JUNIPER_CASCOR_PORT: "0",
    JUNIPER_CASCOR_SNAPSHOTS_DIR: mkdtempSync(join(tmpdir(), "cascor-bench-")),
    JUNIPER_DATA_URL: "http://127.0.0.1:9",
    JUNIPER_CASCOR_WS_MAX_CONNECTIONS_PER_IP: "200",
    JUNIPER_CASCOR_WS_MAX_CONNECTIONS: "200",
    JUNIPER_WS_RESUME_TIMEOUT_SEC: "0.1",
    JUNIPER_CASCOR_BACKEND: process.env["JUNIPER_CASCOR_BACKEND"] ?? "auto"
  })

const call = async (svc: ServiceProcess, method: string, path: string, body?: unknown): Promise<any> => {
  const res = await fetch(`${svc.baseUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {})
  })
  const j = (await res.json()) as { data?: unknown }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j).slice(0, 300)}`)
  return j.data
}

/** A subscriber that answers pings and records (receipt time, emit time) of broadcast frames. */
class Subscriber {
  readonly ws: WebSocket
  readonly ready: Promise<void>
  bytes = 0
  frames = 0
  readonly latencies: Array<number> = []
  constructor(svc: ServiceProcess, readonly measure: boolean) {
    // As cheap as a client can be (they share the 2 cores with the service): no UTF-8 validation, no decoding of
    // frames that are not measured.
    this.ws = new WebSocket(`ws://127.0.0.1:${svc.port}/ws/training`, { skipUTF8Validation: true })
    this.ready = new Promise((resolve, reject) => {
      this.ws.once("error", reject)
      this.ws.on("message", (d: Buffer) => {
        const got = now()
        this.frames++
        this.bytes += d.length
        // {"type":"p… (ping) and {"type":"i… (initial_*) are told apart by the byte after '{"type":"'.
        const tag = d[9]
        if (tag === 0x70 && d.toString("latin1", 0, 16) === '{"type":"ping"') return this.ws.send('{"type":"pong"}')
        if (tag === 0x69 && d.toString("latin1", 0, 25) === '{"type":"initial_metrics"') return resolve()
        if (!this.measure) return
        const text = d.toString()
        if (text.includes('"seq":')) {
          const ts = /"timestamp":([0-9.]+)/.exec(text)
          if (ts) this.latencies.push(got - Number(ts[1]) * 1000)
        }
      })
      this.ws.once("open", () => this.ws.send('{"type":"pong"}'))
    })
  }
  close() {
    this.ws.close()
  }
}

const subscribe = async (svc: ServiceProcess, n: number, measure: boolean) => {
  const subs = Array.from({ length: n }, () => new Subscriber(svc, measure))
  await Promise.all(subs.map((s) => s.ready))
  return subs
}

/** N subscribers in a niced child process (this file with --subscriber-child), driven over IPC. */
interface SubscriberGroup {
  readonly frames: () => Promise<number>
  readonly close: () => Promise<void>
}
const subscribeElsewhere = (svc: ServiceProcess, n: number): Promise<SubscriberGroup> =>
  new Promise((resolve, reject) => {
    const child = spawn("nice", ["-n", "10", process.execPath, fileURLToPath(import.meta.url), "--subscriber-child", String(svc.port), String(n)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const exited = new Promise<void>((r) => child.once("exit", () => r()))
    const ask = (what: string) =>
      new Promise<number>((r) => {
        child.once("message", (m: { frames?: number }) => r(m.frames ?? 0))
        child.send(what)
      })
    child.once("error", reject)
    child.once("message", (m: { ready?: boolean; error?: string }) => {
      if (!m.ready) return reject(new Error(`subscriber child: ${m.error}`))
      resolve({
        frames: () => ask("count"),
        close: async () => {
          child.send("close")
          await exited
        }
      })
    })
  })

const subscriberChild = async (port: number, n: number) => {
  const subs = await subscribe({ port } as ServiceProcess, n, false).catch((e: Error) => {
    process.send!({ error: e.message })
    process.exit(1)
  })
  process.on("message", (m: string) => {
    if (m === "count") process.send!({ frames: subs.reduce((s, x) => s + x.frames, 0) })
    if (m === "close") {
      subs.forEach((s) => s.close())
      setTimeout(() => process.exit(0), 100)
    }
  })
  process.send!({ ready: true })
}

const percentile = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const median = (xs: ReadonlyArray<number>) => percentile(xs, 50)

/**
 * The fixed workload: Fahlman's engine, pool 32, a noisy built-in spiral (1,600 training points by default), 15 hidden units:
 * phases of tens of milliseconds on the native CPU backend, as in a real (small) run.
 */
const WORKLOAD = {
  network: { candidate_pool_size: 32, max_hidden_units: 15, candidate_epochs: 200, output_epochs: 200, patience: 200, candidate_patience: 200, random_seed: 7 },
  dataset: { generator: "spiral", params: { n_points_per_spiral: points, noise: 0.5, seed: 1 } }
}

/** CPU time (user + system, ms) the service process has used so far (Linux /proc; NaN elsewhere). */
const cpuMs = (pid: number | undefined): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return Number.NaN
  }
}

/** Trains the workload from scratch; wall time from start to COMPLETED (status polled every 25 ms). */
const timedRun = async (svc: ServiceProcess) => {
  await call(svc, "POST", "/v1/network", WORKLOAD.network)
  const c0 = cpuMs(svc.child.pid)
  const t0 = now()
  await call(svc, "POST", "/v1/training/start", { dataset: WORKLOAD.dataset, start_fresh: true })
  for (;;) {
    const s = await call(svc, "GET", "/v1/training/status")
    if (s.state_machine.status === "COMPLETED")
      return { ms: now() - t0, cpu: cpuMs(svc.child.pid) - c0, hidden: s.monitor.current_hidden_units as number, backend: s.backend as string }
    if (s.state_machine.status === "FAILED") throw new Error(`training failed: ${s.error}`)
    await sleep(25)
  }
}

const trainingSpeed = async (): Promise<Array<Row>> => {
  const svc = await start()
  try {
    await timedRun(svc) // warm-up (JIT, native pool)
    const base: Array<number> = []
    const loaded: Array<number> = []
    const cpu0: Array<number> = []
    const cpu50: Array<number> = []
    let info = { hidden: 0, backend: "?" }
    let frames = 0
    for (let r = 0; r < runs; r++) {
      const a = await timedRun(svc)
      base.push(a.ms)
      cpu0.push(a.cpu)
      info = a
      const group: SubscriberGroup = inproc
        ? await subscribe(svc, 50, false).then((subs) => ({
            frames: () => Promise.resolve(subs.reduce((s, x) => s + x.frames, 0)),
            close: () => Promise.resolve(subs.forEach((s) => s.close()))
          }))
        : await subscribeElsewhere(svc, 50)
      // Let the 50 handshakes and their greeting frames settle: the measure is training with subscribers attached.
      await sleep(settleMs)
      const before = await group.frames()
      const l = await timedRun(svc)
      loaded.push(l.ms)
      cpu50.push(l.cpu)
      frames = (await group.frames()) - before
      await group.close()
      await sleep(200)
    }
    const b = median(base)
    const l = median(loaded)
    const extra = {
      backend: info.backend,
      hidden_units: info.hidden,
      runs,
      points_per_spiral: points,
      samples_0: base.map(Math.round),
      samples_50: loaded.map(Math.round),
      cpu_samples_0: cpu0,
      cpu_samples_50: cpu50,
      frames_delivered_50: frames,
      subscribers: inproc ? "in the bench process" : "child process, nice 10"
    }
    // On a shared machine the minimum is the least disturbed run; medians are reported too.
    return [
      row("training-speed", "wall_ms_min_0_subscribers", Math.min(...base), "ms", null, extra),
      row("training-speed", "wall_ms_min_50_subscribers", Math.min(...loaded), "ms", Math.min(...base), extra),
      row("training-speed", "wall_ms_median_0_subscribers", b, "ms"),
      row("training-speed", "wall_ms_median_50_subscribers", l, "ms", b),
      row("training-speed", "service_cpu_ms_min_0_subscribers", Math.min(...cpu0), "ms"),
      row("training-speed", "service_cpu_ms_min_50_subscribers", Math.min(...cpu50), "ms", Math.min(...cpu0))
    ]
  } finally {
    await svc.stop()
  }
}

const frameLatency = async (): Promise<Array<Row>> => {
  const svc = await start()
  const out: Array<Row> = []
  try {
    for (const n of [1, 50]) {
      const subs = await subscribe(svc, n, true)
      await timedRun(svc)
      await sleep(300)
      const all = subs.flatMap((s) => s.latencies)
      subs.forEach((s) => s.close())
      await sleep(200)
      const extra = { subscribers: n, frames: all.length }
      out.push(row("frame-latency", `p50_ms_${n}_subscribers`, percentile(all, 50), "ms", null, extra))
      out.push(row("frame-latency", `p95_ms_${n}_subscribers`, percentile(all, 95), "ms", null, extra))
    }
    return out
  } finally {
    await svc.stop()
  }
}

type Autocannon = (o: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon

const restStatus = async (): Promise<Array<Row>> => {
  const svc = await start()
  try {
    const url = `${svc.baseUrl}/v1/training/status`
    await call(svc, "POST", "/v1/network", { ...WORKLOAD.network, max_hidden_units: 200 })
    const idle = await autocannon({ url, connections: 20, duration })
    // A long run (noisy spiral, up to 200 units) so that training lasts the whole measurement.
    await call(svc, "POST", "/v1/training/start", { dataset: { generator: "spiral", params: { n_points_per_spiral: 1500, noise: 3, seed: 2 } } })
    const before = (await call(svc, "GET", "/v1/training/status")).training_state.current_step as number
    const busy = await autocannon({ url, connections: 20, duration })
    const s = await call(svc, "GET", "/v1/training/status")
    await call(svc, "POST", "/v1/training/stop")
    const extra = {
      connections: 20,
      duration_s: duration,
      non2xx: busy.non2xx,
      errors: busy.errors,
      p50_ms: busy.latency.p50,
      p99_ms: busy.latency.p99,
      still_training: s.state_machine.status === "STARTED",
      engine_epochs_during: (s.training_state.current_step as number) - before,
      backend: s.backend
    }
    return [row("rest-status", "status_rps_idle", idle.requests.average, "req/s"), row("rest-status", "status_rps_training", busy.requests.average, "req/s", idle.requests.average, extra)]
  } finally {
    await svc.stop()
  }
}

const CASES: Record<string, () => Promise<Array<Row>>> = {
  "training-speed": trainingSpeed,
  "frame-latency": frameLatency,
  "rest-status": restStatus
}

const fmt = (v: number | null) => (v === null ? "-" : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3))

const main = async () => {
  const unknown = only.filter((n) => !(n in CASES))
  if (unknown.length > 0) {
    console.error(`unknown case(s): ${unknown.join(", ")}; cases: ${Object.keys(CASES).join(", ")}`)
    return 2
  }
  const rows: Array<Row> = []
  for (const [name, run] of Object.entries(CASES)) {
    if (only.length > 0 && !only.includes(name)) continue
    const got = await run()
    rows.push(...got)
    if (json) for (const r of got) console.log(JSON.stringify(r))
  }
  if (!json) {
    const table = [["case", "metric", "value", "unit", "baseline", "ratio"], ...rows.map((r) => [r.case, r.metric, fmt(r.value), r.unit, fmt(r.baseline), r.ratio === null ? "-" : r.ratio.toFixed(3)])]
    const widths = table[0]!.map((_, c) => Math.max(...table.map((t) => t[c]!.length)))
    for (const t of table) console.log(t.map((cell, c) => (c >= 2 && c !== 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  "))
  }
  return 0
}

if (argv[0] === "--subscriber-child") await subscriberChild(Number(argv[1]), Number(argv[2]))
else process.exitCode = await main()
