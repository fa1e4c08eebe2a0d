// Service mode end to end, three real processes on 127.0.0.1: `node dist/data`, `node dist/cascor` (auto-start
// training) and `node dist/canopy` pointed at it, with the dashboard in headless Chromium. The page shows the real
// training; stopping JuniperCascor shows the disconnection on the badge and readiness turns `degraded`; starting it
// again resumes the stream in the same page, without a reload.
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Browser, hasChromium, launch, openDashboard, type PageLog, pagePerf, screenshot, text, waitText } from "./helpers/browser.js"
import { freePort, getJson, type ServiceProcess, sleep, stackBuilt, startCanopy, startCascor, startData, until } from "./helpers/services.js"

const reason = !hasChromium ? "Chromium is not installed (apt-get install -y chromium)" : !stackBuilt ? "dist/data, dist/cascor or dist/canopy is not built (npm run build)" : null
if (reason) console.warn(`dashboard-service: skipped: ${reason}`)

/** cascor's /ws/control admits only Canopy's origin: both sides name the same one. */
const CANOPY_ORIGIN = "http://canopy-it.local:8050"
/**
 * Training that keeps running a while: very noisy spirals (cascor stops at 99.9 % accuracy), a generous unit budget
 * and patience, small pools so that each step stays quick. When a run has finished anyway, the page starts one.
 */
const AUTO_NETWORK = JSON.stringify({ max_hidden_units: 300, max_iterations: 2000, candidate_pool_size: 8, candidate_epochs: 200, output_epochs: 200, patience: 1000 })
const AUTO_DATASET_PARAMS = JSON.stringify({ n_points_per_spiral: 300, n_rotations: 3, noise: 0.6, seed: 7 })

describe.skipIf(reason !== null)("dashboard, service mode (JuniperData + JuniperCascor + JuniperCanopy), headless Chromium", () => {
  let data: ServiceProcess
  let cascor: ServiceProcess
  let canopy: ServiceProcess
  let cascorPort = 0
  let browser: Browser
  let page: Page
  let log: PageLog

  const cascorEnv = () => ({
    JUNIPER_CASCOR_AUTO_START: "true",
    JUNIPER_CASCOR_AUTO_NETWORK: AUTO_NETWORK,
    JUNIPER_CASCOR_AUTO_DATASET_PARAMS: AUTO_DATASET_PARAMS,
    JUNIPER_CASCOR_WS_CONTROL_ALLOWED_ORIGINS: JSON.stringify([CANOPY_ORIGIN])
  })
  const perf = async () => {
    const p = await pagePerf(page)
    return { frames: p.metricsFrames, drawn: p.metricsPointsDrawn }
  }

  beforeAll(async () => {
    data = await startData()
    cascorPort = await freePort()
    cascor = await startCascor(data.baseUrl, cascorPort, cascorEnv())
    canopy = await startCanopy({
      JUNIPER_CANOPY_BACKEND: "service",
      JUNIPER_CANOPY_CASCOR_SERVICE_URL: cascor.baseUrl,
      JUNIPER_CANOPY_CASCOR_WS_ORIGIN: CANOPY_ORIGIN,
      JUNIPER_DATA_URL: data.baseUrl
    })
    browser = await launch()
    ;({ page, log } = await openDashboard(browser.context, canopy.baseUrl, { theme: "light", tab: "metrics" }))
  })

  afterAll(async () => {
    await browser?.close()
    await canopy?.stop()
    await cascor?.stop()
    await data?.stop()
  })

  it("shows the real training relayed from JuniperCascor", async () => {
    await waitText(page, "ws-badge", /^Connected$/, 30_000)
    // Frames from cascor reach the charts. A run that has already finished (cascor trains fast) is followed by a
    // test-driven start through the page's own controls (/ws/control → Canopy → cascor's /ws/control).
    const a = await perf()
    let startedByPage = false
    await until(
      async () => {
        if ((await perf()).drawn > a.drawn + 3) return true
        const fsm = await page.getAttribute("[data-testid=status-bar]", "data-fsm")
        if (fsm !== "STARTED" && fsm !== "UNKNOWN" && (await page.isEnabled("[data-testid=btn-start]"))) {
          await page.click("[data-testid=btn-start]")
          startedByPage = true
        }
        await sleep(1_000)
        return false
      },
      90_000,
      "metrics points from cascor"
    )
    if (startedByPage) expect(log.errors).toEqual([])
    // Readiness probes both dependencies live (cached ≤ 5 s); on a loaded machine one probe may be slow once.
    let last: unknown = null
    const ready = await until(
      async () => {
        const r = await getJson<{ status: string; details: { mode: string } }>(canopy.baseUrl, "/v1/health/ready")
        last = r.body
        return r.body.status === "ready" ? r.body : null
      },
      30_000,
      "readiness ready"
    ).catch(() => {
      throw new Error(`readiness never ready: ${JSON.stringify(last)}`)
    })
    expect(ready.details.mode).toBe("service")
    // The page follows the service live: within seconds it shows (at least) the step cascor reports now.
    const cascorStatus = await getJson<{ data: { current_epoch: number } }>(cascor.baseUrl, "/v1/training/status")
    const cascorStep = cascorStatus.body.data.current_epoch
    await until(async () => Number(await text(page, "status-step")) >= cascorStep, 10_000, `page step ≥ cascor step ${cascorStep}`)
    await screenshot(page, "service-connected-metrics")
    expect(log.errors).toEqual([])
  }, 150_000)

  it("shows the disconnection when JuniperCascor stops, and readiness is degraded", async () => {
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
    await cascor.stop()
    await waitText(page, "ws-badge", /^Upstream (reconnecting|degraded)$/, 45_000)
    expect(await page.getAttribute("[data-testid=ws-badge]", "data-tone")).toBe("amber")
    const ready = await until(
      async () => {
        const r = await getJson<{ status: string; dependencies: Record<string, { status: string }> }>(canopy.baseUrl, "/v1/health/ready")
        return r.body.status === "degraded" ? r.body : null
      },
      30_000,
      "readiness degraded"
    )
    expect(ready.dependencies["juniper_cascor"]?.status).toBe("unhealthy")
    await screenshot(page, "service-cascor-down")
  }, 120_000)

  it("resumes the stream in the same page when JuniperCascor is back", async () => {
    cascor = await startCascor(data.baseUrl, cascorPort, cascorEnv())
    await waitText(page, "ws-badge", /^Connected$/, 60_000)
    const a = await perf()
    // The restarted cascor auto-starts a run; a quick one may already be over by the time the relay is back, in
    // which case the page starts the next one itself (same page, same sockets).
    await until(
      async () => {
        if ((await perf()).frames > a.frames + 3) return true
        const fsm = await page.getAttribute("[data-testid=status-bar]", "data-fsm")
        if (fsm !== "STARTED" && (await page.isEnabled("[data-testid=btn-start]"))) await page.click("[data-testid=btn-start]")
        await sleep(1_000)
        return false
      },
      90_000,
      "metrics frames after cascor restarted"
    )
    await until(async () => (await perf()).drawn > a.drawn + 3, 30_000, "metrics points drawn after cascor restarted")
    // No reload happened: the marker set before the outage is still in this document.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    // The page shows JuniperCascor's own state (a fast run may already have completed: the page must say so too).
    await until(
      async () => {
        const c = await getJson<{ data: { state_machine: { status: string } } }>(cascor.baseUrl, "/v1/training/status")
        const shown = await page.getAttribute("[data-testid=status-bar]", "data-fsm")
        return shown === c.body.data.state_machine.status ? true : null
      },
      30_000,
      "the page's state = JuniperCascor's state"
    )
    const ready = await until(
      async () => {
        const r = await getJson<{ status: string }>(canopy.baseUrl, "/v1/health/ready")
        return r.body.status === "ready" ? r.body : null
      },
      30_000,
      "readiness ready again"
    )
    expect(ready.status).toBe("ready")
    await screenshot(page, "service-resumed-metrics")
  }, 180_000)
})
