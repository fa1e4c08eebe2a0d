// Headless Chromium for the dashboard tests: Debian's /usr/bin/chromium driven by playwright-core, with the flags
// the machine notes require, a fresh temporary profile per browser, and a log of page errors (CSP violations,
// uncaught exceptions, failed scripts) that every test asserts to be empty.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { repoRoot } from "@juniper/core/testing/service-process"

export const CHROMIUM = process.env.JUNIPER_CHROMIUM ?? "/usr/bin/chromium"
export const hasChromium = existsSync(CHROMIUM)
export const artifactDir = join(repoRoot, "test-artifacts", "canopy")

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export interface Browser {
  readonly context: BrowserContext
  close(): Promise<void>
}

/** One browser per test file (2 shared cores): a persistent context on a fresh temp --user-data-dir. */
export const launch = async (): Promise<Browser> => {
  const dir = mkdtempSync(join(tmpdir(), "canopy-chromium-"))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1
  })
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface PageLog {
  /** Console errors and uncaught exceptions. */
  readonly errors: string[]
  readonly warnings: string[]
}

/** Errors that are expected while a test deliberately takes a service away. */
const benign = (text: string) => /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED|Failed to load resource: net::ERR_|status of 50[234]|status of 409|status of 422/.test(text)

export const watch = (page: Page): PageLog => {
  const log: PageLog = { errors: [], warnings: [] }
  page.on("console", (m) => {
    if (m.type() === "error" && !benign(m.text())) log.errors.push(m.text())
    if (m.type() === "warning") log.warnings.push(m.text())
  })
  page.on("pageerror", (e) => log.errors.push(`pageerror: ${e.message}`))
  return log
}

export interface OpenOptions {
  readonly theme?: "light" | "dark"
  /** Skip the one-time welcome modal (default true). */
  readonly welcomed?: boolean
  readonly tab?: string
}

/** A new page on the dashboard, with local settings seeded before any script runs. */
export const openDashboard = async (context: BrowserContext, baseUrl: string, o: OpenOptions = {}): Promise<{ page: Page; log: PageLog }> => {
  const page = await context.newPage()
  const log = watch(page)
  await page.addInitScript(
    ([theme, welcomed, tab]) => {
      if (sessionStorage.getItem("seeded")) return
      sessionStorage.setItem("seeded", "1")
      if (welcomed === "true") localStorage.setItem("juniper_canopy_welcomed", "true")
      else localStorage.removeItem("juniper_canopy_welcomed")
      if (theme) localStorage.setItem("juniper_canopy_theme", theme)
      if (tab) localStorage.setItem("juniper_canopy_tab", tab)
    },
    [o.theme ?? "", String(o.welcomed ?? true), o.tab ?? ""] as const
  )
  await page.goto(`${baseUrl}/dashboard/`)
  await page.waitForSelector("[data-testid=status-bar]")
  return { page, log }
}

export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(artifactDir, { recursive: true })
  const path = join(artifactDir, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}

export const text = async (page: Page, testId: string): Promise<string> => (await page.textContent(`[data-testid=${testId}]`))?.trim() ?? ""

// Page-side waits. Predicates are functions (serialised by Playwright), never strings: a string predicate is eval'd
// in the page, which the dashboard's CSP (no 'unsafe-eval') rightly refuses. They are self-contained on purpose.
const POLL = { polling: 100 } as const

/** Until `data-<key>` of the first `selector` is a number ≥ `min`. */
export const waitDataAtLeast = async (page: Page, selector: string, key: string, min: number, timeout = 30_000): Promise<void> => {
  await page.waitForFunction(
    ([sel, k, m]) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset[k] ?? 0) >= m,
    [selector, key, min] as [string, string, number],
    { ...POLL, timeout }
  )
}

/** Until `data-<key>` of the first `selector` equals `value`. */
export const waitDataIs = async (page: Page, selector: string, key: string, value: string, timeout = 30_000): Promise<void> => {
  await page.waitForFunction(
    ([sel, k, v]) => (document.querySelector(sel) as HTMLElement | null)?.dataset[k] === v,
    [selector, key, value] as [string, string, string],
    { ...POLL, timeout }
  )
}

/** Until the text of `[data-testid=<id>]` matches `pattern`. */
export const waitText = async (page: Page, testId: string, pattern: RegExp, timeout = 30_000): Promise<void> => {
  await page.waitForFunction(
    ([id, src, flags]) => new RegExp(src, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ""),
    [testId, pattern.source, pattern.flags] as [string, string, string],
    { ...POLL, timeout }
  )
}

/** Until `[data-testid=<id>]` is an enabled button. */
export const waitEnabled = async (page: Page, testId: string, timeout = 30_000): Promise<void> => {
  await page.waitForFunction((id) => (document.querySelector(`[data-testid=${id}]`) as HTMLButtonElement | null)?.disabled === false, testId, { ...POLL, timeout })
}

/** Until at least `n` elements match `selector`. */
export const waitCount = async (page: Page, selector: string, n: number, timeout = 30_000): Promise<void> => {
  await page.waitForFunction(([sel, m]) => document.querySelectorAll(sel).length >= m, [selector, n] as [string, number], { ...POLL, timeout })
}

/** The page's instrumentation counters (web/perf/instrument.ts). */
export const pagePerf = (page: Page) =>
  page.evaluate(() => {
    const p = window.__canopyPerf!
    return { metricsFrames: p.metricsFrames, metricsPointsDrawn: p.metricsPointsDrawn, metricsRenders: p.metricsRenders, cascades: p.cascades.length }
  })
