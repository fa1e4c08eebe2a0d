// The dashboard in a real headless Chromium against `node dist/canopy` in demo mode (the real engine in-process):
// the chrome loads under the strict CSP, the controls change the state shown, every tab shows real data, an
// out-of-bounds parameter is refused with a visible message, snapshots save and restore behind a confirmation, and
// every tab is screenshotted in light and dark (test-artifacts/canopy/).
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Browser,
  hasChromium,
  launch,
  openDashboard,
  type PageLog,
  pagePerf,
  screenshot,
  text,
  waitCount,
  waitDataAtLeast,
  waitDataIs,
  waitEnabled,
  waitText
} from "./helpers/browser.js"
import { canopyBuilt, getJson, type ServiceProcess, sleep, startCanopyDemo, until } from "./helpers/services.js"

const TABS = ["metrics", "candidates", "topology", "evolution", "boundaries", "dataset", "workers", "parameters", "snapshots", "about"] as const
const BAR = "[data-testid=status-bar]"

const reason = !hasChromium ? "Chromium is not installed (apt-get install -y chromium)" : !canopyBuilt ? "dist/canopy or the dashboard bundle is not built (npm run build)" : null
if (reason) console.warn(`dashboard-demo: skipped: ${reason}`)

describe.skipIf(reason !== null)("dashboard, demo mode, headless Chromium", () => {
  let svc: ServiceProcess
  let browser: Browser
  let page: Page
  let log: PageLog

  const fsm = () => page.getAttribute(BAR, "data-fsm")
  const waitFsm = (want: string, timeout = 20_000) => waitDataIs(page, BAR, "fsm", want, timeout)
  const hidden = async () => Number((await text(page, "status-hidden")).split("/")[0])
  /** The demo loops: a finished run restarts by itself after a delay, or Start/Resume brings it back. */
  const ensureStarted = async () => {
    await until(
      async () => {
        const f = await fsm()
        if (f === "STARTED") return true
        if (f === "PAUSED" && (await page.isEnabled("[data-testid=btn-resume]"))) await page.click("[data-testid=btn-resume]")
        else if (await page.isEnabled("[data-testid=btn-start]")) await page.click("[data-testid=btn-start]")
        await sleep(300)
        return (await fsm()) === "STARTED"
      },
      30_000,
      "training running"
    )
  }
  /** Pause a running demo (retrying if the run happened to finish just before the click). */
  const pause = async () => {
    await until(
      async () => {
        await ensureStarted()
        await page.click("[data-testid=btn-pause]", { timeout: 3_000 }).catch(() => undefined)
        await waitFsm("PAUSED", 5_000).catch(() => undefined)
        return (await fsm()) === "PAUSED"
      },
      45_000,
      "training paused"
    )
  }
  /** Stop a running demo (retrying if the run finished and restarted itself just around the click). */
  const stopTraining = async () => {
    await until(
      async () => {
        await ensureStarted()
        await page.click("[data-testid=btn-stop]", { timeout: 3_000 }).catch(() => undefined)
        await waitFsm("STOPPED", 5_000).catch(() => undefined)
        // A looping demo run passes through a transient "Stopped" when it restarts itself: require a stable one.
        await sleep(700)
        return (await fsm()) === "STOPPED"
      },
      45_000,
      "training stopped"
    )
  }
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
  }, 180_000)

  it("loads the chrome under the CSP: title, status bar, Demo badge, no script or CSP errors", async () => {
    expect(await page.title()).toBe("Juniper Canopy Monitor")
    expect(await page.textContent("h1")).toBe("Juniper Canopy Monitor")
    const csp = (await page.request.get(`${svc.baseUrl}/dashboard/`)).headers()["content-security-policy"] ?? ""
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain("unsafe-inline")
    await waitText(page, "ws-badge", /^Demo$/, 15_000)
    await waitDataIs(page, "body", "loaded", "true")
    expect(log.errors).toEqual([])
  }, 180_000)

  it("Start, Pause, Resume and Stop change the state shown", async () => {
    await ensureStarted()
    expect(await text(page, "status-text")).toBe("Running")
    expect(await page.isDisabled("[data-testid=btn-start]")).toBe(true)
    expect(await text(page, "gate-notice")).toMatch(/Start is disabled/)

    await pause()
    expect(await text(page, "status-text")).toBe("Paused")
    // The step in flight may still land; after that, nothing moves while paused.
    await sleep(1_500)
    const pausedStep = await text(page, "status-step")
    await sleep(1_500)
    expect(await text(page, "status-step")).toBe(pausedStep)

    await waitEnabled(page, "btn-resume")
    await page.click("[data-testid=btn-resume]")
    await waitFsm("STARTED")
    expect(await text(page, "status-text")).toBe("Running")

    await stopTraining()
    expect(await text(page, "status-text")).toBe("Stopped")
    await waitEnabled(page, "btn-start")

    await page.click("[data-testid=btn-start]")
    await ensureStarted()
    // Buttons come back on the acknowledgement or the next state frame: Pause is usable again.
    await waitEnabled(page, "btn-pause", 10_000)
    expect(log.errors).toEqual([])
  }, 180_000)

  it("every tab shows real data", async () => {
    await ensureStarted()
    await until(async () => (await hidden()) >= 2, 120_000, "two hidden units")

    await tab("metrics")
    await waitDataAtLeast(page, ".tab-metrics", "points", 6)
    expect(await text(page, "kpi-loss")).toMatch(/\d/)
    expect(await text(page, "kpi-accuracy")).toMatch(/%$/)
    expect(await page.locator("[data-testid=chart-loss] canvas").count()).toBeGreaterThan(0)
    expect(await page.locator("[data-testid=chart-accuracy] canvas").count()).toBeGreaterThan(0)

    await tab("candidates")
    await waitDataAtLeast(page, ".tab-candidates", "candidates", 1, 60_000)
    expect(await text(page, "cand-pool-size")).toMatch(/\d/)

    await tab("topology")
    await waitDataAtLeast(page, ".tab-topology", "hiddenUnits", 2)
    expect(await text(page, "topology-stats")).toMatch(/Hidden [1-9]/)
    expect(await page.locator("[data-testid=topology-graph] canvas").count()).toBeGreaterThan(0)

    await tab("evolution")
    await waitCount(page, "[data-testid=evolution-card]", 1)

    await tab("boundaries")
    await waitDataIs(page, ".tab-boundary", "drawn", "true")
    await page.locator("[data-testid=boundary-resolution]").fill("150")
    await page.locator("[data-testid=boundary-resolution]").dispatchEvent("change")
    await waitDataIs(page, ".tab-boundary", "resolution", "150")

    await tab("dataset")
    await waitDataAtLeast(page, ".tab-dataset", "points", 50)
    const all = Number(await page.getAttribute(".tab-dataset", "data-points"))
    await page.click("[data-testid=split-test]")
    const test = Number(await page.getAttribute(".tab-dataset", "data-points"))
    expect(test).toBeGreaterThan(0)
    expect(test).toBeLessThan(all)
    await page.click("[data-testid=split-all]")
    await waitDataAtLeast(page, "[data-testid=generator-form]", "generators", 1)
    expect(await page.locator("[data-testid=generator-fields] .field").count()).toBeGreaterThan(0)

    await tab("workers")
    await waitDataAtLeast(page, ".tab-workers", "workers", 2)
    const kinds = await page.locator("[data-testid=workers-rows] tr td:nth-child(2)").allTextContents()
    expect(kinds).toEqual(expect.arrayContaining(["local", "remote"]))

    await tab("parameters")
    await waitText(page, "current-nn_learning_rate", /\d/)

    await tab("snapshots")
    await waitDataAtLeast(page, ".tab-snapshots", "rows", 1)

    await tab("about")
    const health = await getJson<{ version: string }>(svc.baseUrl, "/v1/health")
    await waitDataIs(page, ".tab-about", "version", health.body.version)
    expect(await text(page, "about-version")).toBe(health.body.version)
    expect(log.errors).toEqual([])
  }, 180_000)

  it("refuses an out-of-bounds parameter with a visible message and applies a valid one", async () => {
    await tab("parameters")
    const lr = page.locator("[data-testid=param-nn_learning_rate]")
    await lr.fill("5")
    const fieldError = page.locator("[data-testid=error-nn_learning_rate]")
    await expect.poll(() => fieldError.textContent()).toMatch(/out of bounds \(allowed 0\.0001 to 1\)/)
    expect(await fieldError.isVisible()).toBe(true)
    // Apply is enabled (a value changed) and refuses with a visible message; nothing is sent.
    let sent = 0
    page.on("request", (r) => {
      if (r.url().endsWith("/api/set_params")) sent++
    })
    expect(await page.isEnabled("[data-testid=params-apply]")).toBe(true)
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
    expect(sent).toBe(1)
    await waitText(page, "current-nn_learning_rate", /^0\.02$/, 10_000)
    expect(await page.isDisabled("[data-testid=params-apply]")).toBe(true)
    // The toast stays until dismissed.
    await sleep(1_500)
    expect(await toast.isVisible()).toBe(true)
    await toast.locator(".toast-close").click()
  }, 180_000)

  it("stages a dataset from the generator's JSON Schema: fields follow the generator, bounds are enforced", async () => {
    await tab("dataset")
    await waitDataAtLeast(page, "[data-testid=generator-form]", "generators", 2)
    // The fields follow the selected generator.
    await page.selectOption("[data-testid=generator-select]", "circles")
    expect(await page.locator("#gen-factor").count()).toBe(1)
    await page.selectOption("[data-testid=generator-select]", "spiral")
    expect(await page.locator("#gen-factor").count()).toBe(0)
    expect(await page.inputValue("#gen-n_spirals")).toBe("2")

    let staged = 0
    page.on("request", (r) => {
      if (r.url().endsWith("/api/stage_dataset")) staged++
    })
    await page.fill("#gen-n_spirals", "11")
    await page.click("[data-testid=generator-apply]")
    await waitText(page, "generator-message", /Not applied: N Spirals: 11 is above the maximum 10/)
    expect(await page.isVisible("[data-testid=generator-message]")).toBe(true)
    expect(staged).toBe(0)

    await page.fill("#gen-n_spirals", "3")
    await page.click("[data-testid=generator-apply]")
    await page.locator("[data-testid=dataset-toast]").last().waitFor()
    expect(staged).toBe(1)
    await page.locator("[data-testid=pending-banner]").waitFor({ state: "visible", timeout: 10_000 })
    expect(await page.textContent("[data-testid=pending-banner]")).toMatch(/Pending dataset: spiral/)
    await screenshot(page, "demo-dataset-staged")
    await page.click("[data-testid=pending-cancel]")
    await page.locator("[data-testid=pending-banner]").waitFor({ state: "hidden", timeout: 10_000 })
    await page.click("[data-testid=dataset-toast] .toast-close >> nth=-1").catch(() => undefined)
  }, 180_000)

  it("saves a snapshot, lists it, and restores it only after a confirmation", async () => {
    await tab("snapshots")
    await page.fill("[data-testid=snapshot-name]", "e2e-snap")
    await page.fill("[data-testid=snapshot-description]", "saved by the browser test")
    await page.click("[data-testid=snapshot-save]")
    const saved = page.locator("[data-testid=snapshot-toast]").last()
    await saved.waitFor()
    expect(await saved.textContent()).toMatch(/Snapshot saved/)
    const row = page.locator("[data-testid=snapshot-rows] tr", { hasText: "saved by the browser test" })
    await row.waitFor()

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

    // Confirmed with training stopped (Canopy refuses a restore while a run is active or paused): restored, and
    // training can go on afterwards.
    await stopTraining()
    await row.locator("[data-testid=snapshot-restore]").click()
    await page.click("[data-testid=confirm-ok]")
    const toast = page.locator("[data-testid=snapshot-toast]").last()
    await expect.poll(() => toast.textContent(), { timeout: 15_000 }).toMatch(/Snapshot restored|Restore failed/)
    expect(await toast.textContent()).toMatch(/Snapshot restored/)
    expect(restores).toBe(1)
    await screenshot(page, "demo-snapshot-restored")
    await ensureStarted()
  }, 180_000)

  it("sends commands over REST only while /ws/control is down, and names a refused command in an alert", async () => {
    await ensureStarted()
    // Page 1: the control socket is refused; Pause and Resume go to POST /api/train/<cmd> (with the CSRF header).
    const down = await openDashboard(browser.context, svc.baseUrl)
    await down.page.routeWebSocket(/\/ws\/control$/, (ws) => ws.close())
    await down.page.reload()
    await down.page.waitForSelector(BAR)
    const rest: string[] = []
    down.page.on("request", (r) => {
      if (r.url().includes("/api/train/")) rest.push(`${r.method()} ${new URL(r.url()).pathname} csrf=${r.headers()["x-csrf-token"] ? "yes" : "no"}`)
    })
    await waitDataIs(down.page, BAR, "fsm", "STARTED")
    await down.page.click("[data-testid=btn-pause]")
    await waitDataIs(down.page, BAR, "fsm", "PAUSED")
    await waitEnabled(down.page, "btn-resume")
    await down.page.click("[data-testid=btn-resume]")
    // Running again (a looping demo run may also have reached its end right after resuming).
    await down.page.waitForFunction((sel) => ["STARTED", "COMPLETED"].includes((document.querySelector(sel) as HTMLElement | null)?.dataset["fsm"] ?? ""), BAR, { polling: 50, timeout: 30_000 })
    expect(rest).toEqual(["POST /api/train/pause csrf=yes", "POST /api/train/resume csrf=yes"])
    await down.page.close()

    // Page 2: a control channel that refuses every command: the alert names the command and the backend's detail,
    // nothing goes to REST (no double send), and the buttons come back.
    const refusing = await openDashboard(browser.context, svc.baseUrl)
    await refusing.page.routeWebSocket(/\/ws\/control$/, (ws) => {
      ws.onMessage((m) => {
        const f = JSON.parse(String(m)) as { command?: string; command_id?: string }
        if (!f.command) return
        const data = { command: f.command, status: "error", command_id: f.command_id, error: "simulated refusal", code: "command_failed" }
        ws.send(JSON.stringify({ type: "command_response", timestamp: Date.now() / 1000, data, ok: false, command: f.command, command_id: f.command_id, error: "simulated refusal" }))
      })
    })
    await refusing.page.reload()
    await refusing.page.waitForSelector(BAR)
    let restCalls = 0
    refusing.page.on("request", (r) => {
      if (r.url().includes("/api/train/")) restCalls++
    })
    await ensureStarted()
    await waitDataIs(refusing.page, BAR, "fsm", "STARTED")
    await refusing.page.click("[data-testid=btn-pause]")
    const alert = refusing.page.locator("[data-testid=control-alert]").last()
    await alert.waitFor()
    expect(await alert.textContent()).toMatch(/Pause failed.*simulated refusal/)
    expect(restCalls).toBe(0)
    await waitEnabled(refusing.page, "btn-pause")
    expect(await refusing.page.getAttribute(BAR, "data-fsm")).toBe("STARTED")
    await screenshot(refusing.page, "demo-control-refused")
    await refusing.page.close()
  }, 180_000)

  it("draws metrics points at the rate frames arrive", async () => {
    await ensureStarted()
    await tab("metrics")
    // Frames come in bursts (one per output pass). Read the frame count, let two animation frames pass, then read
    // the points drawn: every row received by then must have been drawn (renders are coalesced per frame).
    const settle = () =>
      page.evaluate(async () => {
        const p = window.__canopyPerf!
        const frames = p.metricsFrames
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
        return { frames, drawn: p.metricsPointsDrawn, renders: p.metricsRenders }
      })
    const before = await settle()
    await sleep(3_000)
    const after = await settle()
    const frames = after.frames - before.frames
    expect(frames).toBeGreaterThan(0)
    // Cumulative since the page loaded: every metrics frame received by the first read has been drawn.
    expect(before.drawn).toBeGreaterThanOrEqual(before.frames - 2)
    expect(after.drawn).toBeGreaterThanOrEqual(after.frames - 2)
    expect(after.drawn).toBeGreaterThan(before.drawn)
    // Renders are coalesced: never more paints than frames.
    expect(after.renders - before.renders).toBeLessThanOrEqual(frames + 2)
  }, 180_000)

  it("saves every tab as a screenshot in light and dark; the theme and the tab persist across a reload", async () => {
    for (const id of TABS) {
      await tab(id)
      await sleep(id === "topology" || id === "boundaries" ? 800 : 300)
      await screenshot(page, `demo-light-${id}`)
    }
    await page.click("[data-testid=theme-toggle]")
    expect(await page.getAttribute("html", "data-theme")).toBe("dark")
    await page.reload()
    await page.waitForSelector(BAR)
    expect(await page.getAttribute("html", "data-theme")).toBe("dark")
    expect(await page.getAttribute("[data-testid=theme-toggle]", "aria-pressed")).toBe("true")
    expect(await page.getAttribute("[data-testid=tab-about]", "aria-selected")).toBe("true")
    for (const id of TABS) {
      await tab(id)
      if (id === "metrics") await waitDataAtLeast(page, ".tab-metrics", "points", 6)
      if (id === "topology") await waitDataAtLeast(page, ".tab-topology", "hiddenUnits", 1)
      if (id === "boundaries") await waitDataIs(page, ".tab-boundary", "drawn", "true")
      await sleep(id === "topology" ? 800 : 300)
      await screenshot(page, `demo-dark-${id}`)
    }
    await page.click("[data-testid=theme-toggle]")
    expect(log.errors).toEqual([])
  }, 180_000)

  it("shows the welcome modal once, until Get Started", async () => {
    const fresh = await openDashboard(browser.context, svc.baseUrl, { welcomed: false })
    const welcome = fresh.page.locator("[data-testid=welcome]")
    await welcome.waitFor()
    expect(await welcome.isVisible()).toBe(true)
    await screenshot(fresh.page, "demo-welcome")
    await fresh.page.click("[data-testid=welcome-start]")
    expect(await welcome.count()).toBe(0)
    await fresh.page.reload()
    await fresh.page.waitForSelector(BAR)
    await sleep(300)
    expect(await fresh.page.locator("[data-testid=welcome]").count()).toBe(0)
    expect(fresh.log.errors).toEqual([])
    await fresh.page.close()
  })
})
