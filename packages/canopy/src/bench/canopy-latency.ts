/**
 * `npm run bench -- canopy-latency [--json] [--cascades N] [--seconds S] [--interval S]`
 *
 * End-to-end latency of the dashboard in a real headless Chromium against `node dist/canopy` in demo mode (the real
 * engine in-process):
 *  - cascade → page: from the engine's `cascade_add` (the frame's `timestamp`, stamped by the engine when the unit
 *    was installed, server wall clock) to the paint that shows the new unit in the page's topology graph
 *    (`performance.timeOrigin + performance.now()` in the page's Cytoscape `render` callback). Same machine, same
 *    clock. Also the transport share (frame arrival in the page).
 *  - metrics rate: `metrics` frames the server sent (counted by a plain WebSocket client beside the page) against the
 *    points the Training Metrics charts drew (page counters), over the same window.
 * One page, two phases, each with the panel it measures visible (as a user sees one tab at a time): first the
 * Training Metrics tab for --rate-seconds, then the Network Topology tab until --cascades units have been painted.
 * Prints a table, or one JSON object per line with --json: {case, metric, value, unit}.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { chromium, type Page } from "playwright-core"
import WebSocket from "ws"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core/testing/service-process"

interface Args {
  readonly json: boolean
  readonly cascades: number
  readonly seconds: number
  readonly rateSeconds: number
  readonly interval: number
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const val = (name: string, dflt: number) => {
    const i = argv.indexOf(name)
    const v = i >= 0 ? Number(argv[i + 1]) : NaN
    return Number.isFinite(v) ? v : dflt
  }
  return { json: argv.includes("--json"), cascades: val("--cascades", 40), seconds: val("--seconds", 180), rateSeconds: val("--rate-seconds", 15), interval: val("--interval", 0) }
}

interface CascadeTiming {
  readonly unit: number
  readonly serverMs: number | null
  readonly receivedMs: number
  readonly appliedMs: number | null
  readonly shownMs: number | null
}
interface PagePerf {
  readonly metricsFrames: number
  readonly metricsPointsDrawn: number
  readonly metricsRenders: number
  readonly cascades: ReadonlyArray<CascadeTiming>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address()
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0))
    })
  })

const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const perfOf = (page: Page): Promise<PagePerf> =>
  page.evaluate("({ ...window.__canopyPerf, cascades: window.__canopyPerf.cascades.map((c) => ({ ...c })) })") as Promise<PagePerf>

const openTab = async (page: Page, base: string, tab: string): Promise<void> => {
  await page.addInitScript(`localStorage.setItem("juniper_canopy_welcomed", "true"); localStorage.setItem("juniper_canopy_tab", ${JSON.stringify(tab)})`)
  await page.goto(`${base}/dashboard/`)
  await page.waitForSelector(`[data-testid=panel-${tab}]:not([hidden])`)
}

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  const port = await freePort()
  const snapDir = mkdtempSync(join(tmpdir(), "canopy-bench-snap-"))
  const profile = mkdtempSync(join(tmpdir(), "canopy-bench-chromium-"))
  let svc: ServiceProcess | null = null
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.JUNIPER_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1440, height: 1000 }
  })
  try {
    svc = await startService(
      join(repoRoot, "dist/canopy/index.js"),
      {
        JUNIPER_CANOPY_BACKEND: "demo",
        JUNIPER_CANOPY_SERVER__HOST: "127.0.0.1",
        JUNIPER_CANOPY_SERVER__PORT: String(port),
        JUNIPER_CANOPY_WEBSOCKET__ALLOWED_ORIGINS: JSON.stringify([`http://127.0.0.1:${port}`]),
        JUNIPER_CANOPY_CASCOR_DISCOVERY__ENABLED: "false",
        JUNIPER_CANOPY_DEMO_UPDATE_INTERVAL: String(args.interval),
        JUNIPER_CANOPY_DEMO_RESTART_DELAY: "0.5",
        JUNIPER_CANOPY_SNAPSHOT_DIR: snapDir,
        JUNIPER_CANOPY_AUDIT_LOG_ENABLED: "false",
        JUNIPER_DATA_URL: "http://127.0.0.1:9",
        LOG_LEVEL: "warn"
      },
      { timeoutMs: 60_000 }
    )
    const base = svc.baseUrl
    const page = await browser.newPage()
    await openTab(page, base, "metrics")

    // The server's own count of metrics frames: a plain WebSocket client beside the page.
    let sent = 0
    let counting = false
    let live: () => void = () => undefined
    const greeted = new Promise<void>((r) => (live = r))
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/training`, { headers: { origin: `http://127.0.0.1:${port}` } })
    ws.on("message", (d: WebSocket.RawData) => {
      const f = JSON.parse(d.toString()) as { type?: string }
      if (counting && f.type === "metrics") sent++
      if (f.type === "initial_metrics") live()
      if (f.type === "ping") ws.send(JSON.stringify({ type: "pong" }))
    })
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve())
      ws.once("error", reject)
    })
    // A first frame other than `resume` makes the connection live at once (no resume window to wait out).
    ws.send(JSON.stringify({ type: "subscribe_metrics", data: { max_count: 1 } }))
    await greeted
    await sleep(1_000)

    // Phase 1: the metrics charts visible; frames sent vs points drawn over the same window.
    const t0 = Date.now()
    const charts0 = await perfOf(page)
    counting = true
    await sleep(args.rateSeconds * 1000)
    counting = false
    const charts1 = await perfOf(page)
    const elapsedS = (Date.now() - t0) / 1000
    ws.close()

    // Phase 2: the topology graph visible; cascade_add in the engine → the unit painted in the page.
    await page.click("[data-testid=tab-topology]")
    await sleep(500)
    const skip = (await perfOf(page)).cascades.length
    const t1 = Date.now()
    let shown: CascadeTiming[] = []
    while (Date.now() - t1 < args.seconds * 1000) {
      await sleep(500)
      shown = (await perfOf(page)).cascades.slice(skip).filter((c) => c.shownMs !== null && c.serverMs !== null)
      if (shown.length >= args.cascades) break
    }

    const lat = shown.map((c) => c.shownMs! - c.serverMs!)
    const transport = shown.map((c) => c.receivedMs - c.serverMs!)
    const paint = shown.map((c) => c.shownMs! - c.receivedMs)
    const received = charts1.metricsFrames - charts0.metricsFrames
    const drawn = charts1.metricsPointsDrawn - charts0.metricsPointsDrawn
    const rows: Array<{ case: string; metric: string; value: number; unit: string }> = [
      { case: "cascade-to-page", metric: "samples", value: lat.length, unit: "units" },
      { case: "cascade-to-page", metric: "p50", value: quantile(lat, 0.5), unit: "ms" },
      { case: "cascade-to-page", metric: "p95", value: quantile(lat, 0.95), unit: "ms" },
      { case: "cascade-to-page", metric: "max", value: lat.length ? Math.max(...lat) : NaN, unit: "ms" },
      { case: "cascade-to-page", metric: "engine-to-socket-p95", value: quantile(transport, 0.95), unit: "ms" },
      { case: "cascade-to-page", metric: "socket-to-paint-p95", value: quantile(paint, 0.95), unit: "ms" },
      { case: "metrics-rate", metric: "window", value: elapsedS, unit: "s" },
      { case: "metrics-rate", metric: "frames-sent", value: sent, unit: "frames" },
      { case: "metrics-rate", metric: "frames-received", value: received, unit: "frames" },
      { case: "metrics-rate", metric: "points-drawn", value: drawn, unit: "points" },
      { case: "metrics-rate", metric: "sent-rate", value: sent / elapsedS, unit: "frames/s" },
      { case: "metrics-rate", metric: "drawn-rate", value: drawn / elapsedS, unit: "points/s" },
      { case: "metrics-rate", metric: "drawn/sent", value: sent ? drawn / sent : NaN, unit: "ratio" },
      { case: "metrics-rate", metric: "drawn/received", value: received ? drawn / received : NaN, unit: "ratio" },
      { case: "metrics-rate", metric: "chart-renders", value: charts1.metricsRenders - charts0.metricsRenders, unit: "paints" }
    ]
    if (args.json) for (const r of rows) console.log(JSON.stringify(r))
    else {
      console.log(`canopy-latency: demo mode, Chromium headless, ${cpus().length} CPUs, ${elapsedS.toFixed(1)} s window`)
      for (const r of rows) console.log(`${r.case.padEnd(16)} ${r.metric.padEnd(16)} ${(Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(2)).padStart(10)} ${r.unit}`)
    }
    const p95 = quantile(lat, 0.95)
    if (!(lat.length > 0 && p95 <= 100)) process.exitCode = 1
  } finally {
    await browser.close().catch(() => undefined)
    await svc?.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(snapDir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
