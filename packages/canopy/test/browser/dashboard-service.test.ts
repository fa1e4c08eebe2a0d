// Service mode end to end, three real processes on 127.0.0.1: `node dist/data`, `node dist/cascor` (auto-start
// training) and `node dist/canopy` pointed at it, with the dashboard in headless Chromium. The page shows the real
// training; stopping JuniperCascor shows the disconnection on the badge and readiness turns `degraded`; starting it
// again resumes the stream in the same page, without a reload.
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Browser, hasChromium, launch, openDashboard, type PageLog, screenshot, text, waitInPage } from "./helpers/browser.js"
import { freePort, getJson, type ServiceProcess, stackBuilt, startCanopy, startCascor, startData, until } from "./helpers/services.js"

const reason = !hasChromium ? "Chromium is not installed (apt-get install -y chromium)" : !stackBuilt ? "dist/data, dist/cascor or dist/canopy is not built (npm run build)" : null
if (reason) console.warn(`dashboard-service: skipped: ${reason}`)

/** cascor's /ws/control admits only Canopy's origin: both sides name the same one. */
const CANOPY_ORIGIN = "http://canopy-it.local:8050"
/** A small, slow-growing network so that training is still running while the test watches it. */
const AUTO_NETWORK = JSON.stringify({ max_hidden_units: 40, max_iterations: 400, candidate_pool_size: 8, candidate_epochs: 150, output_epochs: 150, patience: 400 })

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
    JUNIPER_CASCOR_WS_CONTROL_ALLOWED_ORIGINS: JSON.stringify([CANOPY_ORIGIN])
  })
  const badge = () => text(page, "ws-badge")
  const perf = () => page.evaluate(() => ({ frames: window.__canopyPerf!.metricsFrames, drawn: window.__canopyPerf!.metricsPointsDrawn }))

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
    await waitInPage(page, `document.querySelector('[data-testid=ws-badge]')?.textContent === 'Connected'`, 30_000)
    await waitInPage(page, `document.querySelector('[data-testid=status-bar]')?.dataset.fsm === 'STARTED'`, 60_000)
    const a = await perf()
    await until(async () => (await perf()).drawn > a.drawn + 3, 60_000, "metrics points from cascor")
    const ready = await getJson<{ status: string; details: { mode: string } }>(canopy.baseUrl, "/v1/health/ready")
    expect(ready.body.details.mode).toBe("service")
    expect(ready.body.status).toBe("ready")
    // The page's step and the service's agree (the page is live, not replaying old data).
    const cascorStatus = await getJson<{ data: { current_epoch: number } }>(cascor.baseUrl, "/v1/training/status")
    const pageStep = Number(await text(page, "status-step"))
    expect(Math.abs(pageStep - cascorStatus.body.data.current_epoch)).toBeLessThanOrEqual(2)
    await screenshot(page, "service-connected-metrics")
    expect(log.errors).toEqual([])
  })

  it("shows the disconnection when JuniperCascor stops, and readiness is degraded", async () => {
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
    await cascor.stop()
    await waitInPage(page, `/^Upstream (reconnecting|degraded)$/.test(document.querySelector('[data-testid=ws-badge]')?.textContent ?? '')`, 45_000)
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
  })

  it("resumes the stream in the same page when JuniperCascor is back", async () => {
    cascor = await startCascor(data.baseUrl, cascorPort, cascorEnv())
    await waitInPage(page, `document.querySelector('[data-testid=ws-badge]')?.textContent === 'Connected'`, 60_000)
    const a = await perf()
    await until(async () => (await perf()).frames > a.frames + 3, 90_000, "metrics frames after cascor restarted")
    await until(async () => (await perf()).drawn > a.drawn + 3, 30_000, "metrics points drawn after cascor restarted")
    // No reload happened: the marker set before the outage is still in this document.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    await waitInPage(page, `document.querySelector('[data-testid=status-bar]')?.dataset.fsm === 'STARTED'`, 30_000)
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
  })
})
