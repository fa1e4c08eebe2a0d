// The dashboard in a real headless Chromium against `node dist/canopy` in demo mode (the real engine in-process):
// the chrome loads under the strict CSP, the controls change the state shown, every tab shows real data, an
// out-of-bounds parameter is refused with a visible message, and every tab is screenshotted in light and dark.
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Browser, hasChromium, launch, openDashboard, type PageLog, screenshot, text, waitInPage } from "./helpers/browser.js"
import { canopyBuilt, getJson, type ServiceProcess, startCanopyDemo, until } from "./helpers/services.js"

const TABS = ["metrics", "candidates", "topology", "evolution", "boundaries", "dataset", "workers", "parameters", "snapshots", "about"] as const

const reason = !hasChromium ? "Chromium is not installed (apt-get install -y chromium)" : !canopyBuilt ? "dist/canopy or the dashboard bundle is not built (npm run build)" : null
if (reason) console.warn(`dashboard-demo: skipped: ${reason}`)

describe.skipIf(reason !== null)("dashboard, demo mode, headless Chromium", () => {
  let svc: ServiceProcess
  let browser: Browser
  let page: Page
  let log: PageLog

  const fsm = () => page.getAttribute("[data-testid=status-bar]", "data-fsm")
  const waitFsm = (want: string, timeoutMs = 20_000) =>
    waitInPage(page, `document.querySelector('[data-testid=status-bar]')?.dataset.fsm === ${JSON.stringify(want)}`, timeoutMs)
  const hidden = async () => Number((await text(page, "status-hidden")).split("/")[0])
  const tab = async (id: string) => {
    await page.click(`[data-testid=tab-${id}]`)
    await page.waitForSelector(`[data-testid=panel-${id}]:not([hidden])`)
  }

  beforeAll(async () => {
    svc = await startCanopyDemo()
    browser = await launch()
    ;({ page, log } = await openDashboard(browser.context, svc.baseUrl, { theme: "light" }))
  })

  afterAll(async () => {
    await browser?.close()
    await svc?.stop()
  })

  it("loads the chrome under the CSP: title, status bar, Demo badge, no script or CSP errors", async () => {
    expect(await page.title()).toBe("Juniper Canopy Monitor")
    expect(await page.textContent("h1")).toBe("Juniper Canopy Monitor")
    const csp = (await page.request.get(`${svc.baseUrl}/dashboard/`)).headers()["content-security-policy"] ?? ""
    expect(csp).toContain("script-src 'self'")
    await waitInPage(page, `document.querySelector('[data-testid=ws-badge]')?.textContent === 'Demo'`, 15_000)
    await waitInPage(page, "document.body.dataset.loaded === 'true'")
    expect(log.errors).toEqual([])
  })

  it("Start, Pause, Resume and Stop change the state shown", async () => {
    if ((await fsm()) !== "STARTED") {
      await page.click("[data-testid=btn-start]")
      await waitFsm("STARTED")
    }
    expect(await text(page, "status-text")).toBe("Running")
    expect(await page.isDisabled("[data-testid=btn-start]")).toBe(true)
    expect(await text(page, "gate-notice")).toMatch(/Start is disabled/)

    await page.click("[data-testid=btn-pause]")
    await waitFsm("PAUSED")
    expect(await text(page, "status-text")).toBe("Paused")
    expect(await page.isEnabled("[data-testid=btn-resume]")).toBe(true)
    const pausedStep = await text(page, "status-step")

    await page.click("[data-testid=btn-resume]")
    await waitFsm("STARTED")
    expect(await text(page, "status-text")).toBe("Running")

    await page.click("[data-testid=btn-stop]")
    await waitFsm("STOPPED")
    expect(await text(page, "status-text")).toBe("Stopped")
    expect(await page.isEnabled("[data-testid=btn-start]")).toBe(true)
    expect(pausedStep).toMatch(/^\d+$/)

    await page.click("[data-testid=btn-start]")
    await waitFsm("STARTED")
    // Buttons come back after the acknowledgement / next state frame: Pause is usable again.
    await waitInPage(page, `!document.querySelector('[data-testid=btn-pause]').disabled`, 10_000)
    expect(log.errors).toEqual([])
  })

  it("every tab shows real data", async () => {
    // Let the network grow: at least two installed units.
    await until(async () => (await hidden()) >= 2, 120_000, "two hidden units")

    await tab("metrics")
    await waitInPage(page, `Number(document.querySelector('[data-testid=panel-metrics] .tab-metrics')?.dataset.points ?? 0) > 5`)
    expect(await text(page, "kpi-loss")).toMatch(/\d/)
    expect(await text(page, "kpi-accuracy")).toMatch(/%$/)
    expect(await page.locator("[data-testid=chart-loss] canvas").count()).toBeGreaterThan(0)

    await tab("candidates")
    await waitInPage(page, `Number(document.querySelector('.tab-candidates')?.dataset.candidates ?? 0) > 0`, 60_000)
    expect(await text(page, "cand-pool-size")).toMatch(/\d/)

    await tab("topology")
    await waitInPage(page, `Number(document.querySelector('.tab-topology')?.dataset.hiddenUnits ?? 0) >= 2`)
    expect(await text(page, "topology-stats")).toMatch(/Hidden [1-9]/)
    expect(await page.locator("[data-testid=topology-graph] canvas").count()).toBeGreaterThan(0)

    await tab("evolution")
    await waitInPage(page, `document.querySelectorAll('[data-testid=evolution-card]').length >= 1`)

    await tab("boundaries")
    await waitInPage(page, `document.querySelector('.tab-boundary')?.dataset.drawn === 'true'`, 30_000)
    await page.locator("[data-testid=boundary-resolution]").fill("150")
    await page.locator("[data-testid=boundary-resolution]").dispatchEvent("change")
    await waitInPage(page, `document.querySelector('.tab-boundary')?.dataset.resolution === '150'`, 30_000)

    await tab("dataset")
    await waitInPage(page, `Number(document.querySelector('.tab-dataset')?.dataset.points ?? 0) > 50`)
    const all = Number(await page.getAttribute(".tab-dataset", "data-points"))
    await page.click("[data-testid=split-test]")
    const test = Number(await page.getAttribute(".tab-dataset", "data-points"))
    expect(test).toBeGreaterThan(0)
    expect(test).toBeLessThan(all)
    await page.click("[data-testid=split-all]")
    await waitInPage(page, `Number(document.querySelector('[data-testid=generator-form]')?.dataset.generators ?? 0) >= 1`)
    expect(await page.locator("[data-testid=generator-fields] .field").count()).toBeGreaterThan(0)

    await tab("workers")
    await waitInPage(page, `Number(document.querySelector('.tab-workers')?.dataset.workers ?? 0) >= 2`)
    const kinds = await page.locator("[data-testid=workers-rows] tr td:nth-child(2)").allTextContents()
    expect(kinds).toEqual(expect.arrayContaining(["local", "remote"]))

    await tab("parameters")
    await waitInPage(page, `document.querySelector('[data-testid=current-nn_learning_rate]')?.textContent !== '—'`)

    await tab("snapshots")
    await waitInPage(page, `Number(document.querySelector('.tab-snapshots')?.dataset.rows ?? 0) >= 1`)

    await tab("about")
    const health = await getJson<{ version: string }>(svc.baseUrl, "/v1/health")
    await waitInPage(page, `document.querySelector('.tab-about')?.dataset.version === ${JSON.stringify(health.body.version)}`)
    expect(log.errors).toEqual([])
  })

  it("refuses an out-of-bounds parameter with a visible message and applies a valid one", async () => {
    await tab("parameters")
    const lr = page.locator("[data-testid=param-nn_learning_rate]")
    const applied = await lr.inputValue()
    await lr.fill("5")
    const fieldError = page.locator("[data-testid=error-nn_learning_rate]")
    await expect.poll(() => fieldError.textContent()).toMatch(/out of bounds \(allowed 0\.0001 to 1\)/)
    expect(await fieldError.isVisible()).toBe(true)
    // Apply is enabled (a value changed) and refuses, with a visible message; nothing is sent.
    let sent = 0
    page.on("request", (r) => {
      if (r.url().endsWith("/api/set_params")) sent++
    })
    await page.click("[data-testid=params-apply]")
    const refused = page.locator("[data-testid=params-refused]")
    await expect.poll(() => refused.textContent()).toMatch(/^Not applied: Learning rate: 5 is out of bounds/)
    expect(await refused.isVisible()).toBe(true)
    expect(sent).toBe(0)
    await screenshot(page, "demo-param-refused")

    // A valid value is applied: the toast reports it and the Parameters table shows it.
    await lr.fill("0.02")
    await expect.poll(() => fieldError.isVisible()).toBe(false)
    await page.click("[data-testid=params-apply]")
    const toast = page.locator("[data-testid=params-toast]").last()
    await toast.waitFor()
    expect(await toast.textContent()).toMatch(/Parameters applied|Applied 1 of 1/)
    await expect.poll(() => text(page, "current-nn_learning_rate"), { timeout: 10_000 }).toBe("0.02")
    expect(await page.isDisabled("[data-testid=params-apply]")).toBe(true)
    expect(applied).not.toBe("")
    await page.click("[data-testid=params-toast] .toast-close")
  })

  it("saves a snapshot, lists it, and restores it only after a confirmation", async () => {
    await tab("snapshots")
    await page.fill("[data-testid=snapshot-name]", "e2e-snap")
    await page.fill("[data-testid=snapshot-description]", "saved by the browser test")
    await page.click("[data-testid=snapshot-save]")
    const saved = page.locator("[data-testid=snapshot-toast]").last()
    await saved.waitFor()
    expect(await saved.textContent()).toMatch(/Snapshot saved/)
    await waitInPage(page, `[...document.querySelectorAll('[data-testid=snapshot-rows] tr')].some((r) => r.textContent.includes('saved by the browser test'))`)
    const row = page.locator("[data-testid=snapshot-rows] tr", { hasText: "saved by the browser test" })

    // Cancel sends nothing.
    let restores = 0
    page.on("request", (r) => {
      if (r.url().includes("/restore")) restores++
    })
    await row.locator("[data-testid=snapshot-restore]").click()
    await page.locator("[data-testid=confirm-dialog]").waitFor()
    expect(await page.textContent("[data-testid=confirm-dialog]")).toMatch(/training must be paused or stopped/i)
    await page.click("[data-testid=confirm-cancel]")
    expect(restores).toBe(0)

    // Confirmed while paused: the snapshot is restored (and training can start again).
    if ((await fsm()) === "STARTED") {
      await page.click("[data-testid=btn-pause]")
      await waitFsm("PAUSED")
    }
    await row.locator("[data-testid=snapshot-restore]").click()
    await page.click("[data-testid=confirm-ok]")
    const toast = page.locator("[data-testid=snapshot-toast]").last()
    await expect.poll(() => toast.textContent(), { timeout: 15_000 }).toMatch(/Snapshot restored|Restore failed/)
    expect(await toast.textContent()).toMatch(/Snapshot restored/)
    expect(restores).toBe(1)
    await waitInPage(page, `!document.querySelector('[data-testid=btn-start]').disabled || !document.querySelector('[data-testid=btn-resume]').disabled`)
    if (await page.isEnabled("[data-testid=btn-resume]")) await page.click("[data-testid=btn-resume]")
    else await page.click("[data-testid=btn-start]")
    await waitFsm("STARTED")
    await page.click("[data-testid=snapshot-toast] .toast-close >> nth=-1").catch(() => undefined)
  })

  it("saves every tab as a screenshot in light and dark; the theme persists across a reload", async () => {
    for (const id of TABS) {
      await tab(id)
      await page.waitForTimeout(id === "topology" || id === "boundaries" ? 700 : 300)
      await screenshot(page, `demo-light-${id}`)
    }
    await page.click("[data-testid=theme-toggle]")
    expect(await page.getAttribute("html", "data-theme")).toBe("dark")
    await page.reload()
    await page.waitForSelector("[data-testid=status-bar]")
    expect(await page.getAttribute("html", "data-theme")).toBe("dark")
    expect(await page.getAttribute("[data-testid=theme-toggle]", "aria-pressed")).toBe("true")
    // The active tab was restored too.
    expect(await page.getAttribute("[data-testid=tab-about]", "aria-selected")).toBe("true")
    for (const id of TABS) {
      await tab(id)
      if (id === "topology") await waitInPage(page, `Number(document.querySelector('.tab-topology')?.dataset.hiddenUnits ?? 0) >= 1`)
      if (id === "metrics") await waitInPage(page, `Number(document.querySelector('.tab-metrics')?.dataset.points ?? 0) > 5`)
      await page.waitForTimeout(id === "topology" || id === "boundaries" ? 700 : 300)
      await screenshot(page, `demo-dark-${id}`)
    }
    expect(log.errors).toEqual([])
  })

  it("draws metrics points at the rate frames arrive and paints new units from cascade_add", async () => {
    await tab("metrics")
    const before = await page.evaluate(() => ({ ...window.__canopyPerf! }))
    await page.waitForTimeout(3_000)
    const after = await page.evaluate(() => ({ ...window.__canopyPerf! }))
    const frames = after.metricsFrames - before.metricsFrames
    const drawn = after.metricsPointsDrawn - before.metricsPointsDrawn
    expect(frames).toBeGreaterThan(0)
    // Every frame's point is drawn (at most a frame's worth may still be queued for the next paint).
    expect(drawn).toBeGreaterThanOrEqual(frames - 2)
    expect(after.metricsRenders - before.metricsRenders).toBeLessThanOrEqual(frames + 2)
  })

  it("shows the welcome modal once, until Get Started", async () => {
    const fresh = await openDashboard(browser.context, svc.baseUrl, { welcomed: false })
    const welcome = fresh.page.locator("[data-testid=welcome]")
    await welcome.waitFor()
    expect(await welcome.isVisible()).toBe(true)
    await screenshot(fresh.page, "demo-welcome")
    await fresh.page.click("[data-testid=welcome-start]")
    expect(await welcome.count()).toBe(0)
    await fresh.page.reload()
    await fresh.page.waitForSelector("[data-testid=status-bar]")
    await fresh.page.waitForTimeout(300)
    expect(await fresh.page.locator("[data-testid=welcome]").count()).toBe(0)
    expect(fresh.log.errors).toEqual([])
    await fresh.page.close()
  })
})

