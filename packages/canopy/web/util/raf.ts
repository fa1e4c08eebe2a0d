// Render coalescing: many frames may arrive between two paints; each keyed job runs at most once per animation frame.

import { perf } from "../perf/instrument.js"

const pending = new Map<string, () => void>()
let scheduled = false

const flush = (): void => {
  scheduled = false
  const jobs = [...pending.entries()]
  pending.clear()
  for (const [key, job] of jobs) {
    const t0 = performance.now()
    try {
      job()
    } catch (err) {
      console.error("render job failed", err)
    }
    perf.renderMs[key] = (perf.renderMs[key] ?? 0) + performance.now() - t0
  }
}

/** Run `job` in the next animation frame; a later call with the same key before then replaces it. */
export const scheduleRender = (key: string, job: () => void): void => {
  pending.set(key, job)
  if (!scheduled) {
    scheduled = true
    // Hidden tabs get no animation frames; a timer keeps stores and DOM consistent in background pages.
    if (document.visibilityState === "hidden") setTimeout(flush, 50)
    else requestAnimationFrame(flush)
  }
}
