// Page-side instrumentation read by the browser tests and the latency benchmark (window.__canopyPerf). It only
// counts and timestamps; it never changes what is drawn. Times are performance.timeOrigin + performance.now().

export interface CascadeTiming {
  readonly unit: number
  /** When the engine emitted the cascade_add (server clock, ms since the epoch). */
  readonly serverMs: number | null
  /** When the frame reached the page. */
  readonly receivedMs: number
  /** When the graph model was updated with the unit (before the paint). */
  appliedMs: number | null
  /** When the topology graph had painted the new unit (null until then, or if the tab is not visible). */
  shownMs: number | null
}

export interface PerfCounters {
  /** metrics frames received over /ws/training. */
  metricsFrames: number
  /** metrics points drawn into the Training Metrics charts. */
  metricsPointsDrawn: number
  /** Chart renders (one per animation frame at most). */
  metricsRenders: number
  framesByType: Record<string, number>
  cascades: CascadeTiming[]
  /** Units visible in the topology graph (DOM-free readout of the canvas). */
  topologyHiddenShown: number
  /** Main-thread milliseconds spent per frame type (handlers) and per render job: where the page's time goes. */
  handlerMs: Record<string, number>
  renderMs: Record<string, number>
}

export const nowMs = (): number => performance.timeOrigin + performance.now()

export const perf: PerfCounters = {
  metricsFrames: 0,
  metricsPointsDrawn: 0,
  metricsRenders: 0,
  framesByType: {},
  cascades: [],
  topologyHiddenShown: 0,
  handlerMs: {},
  renderMs: {}
}

declare global {
  interface Window {
    __canopyPerf?: PerfCounters
  }
}
window.__canopyPerf = perf
