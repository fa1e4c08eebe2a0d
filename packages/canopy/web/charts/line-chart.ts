// A uPlot line chart that owns its size (ResizeObserver), restyles on theme change, keeps a user's zoom, and draws
// hidden-unit markers. Callers push whole columns once per animation frame; uPlot then paints in one pass.
import uPlot from "uplot"
import type { Theme } from "../chrome/theme.js"
import { h } from "../util/dom.js"
import { chartTheme, type ChartTheme } from "./palette.js"

export interface SeriesSpec {
  readonly label: string
  /** ChartTheme key of the stroke colour. */
  readonly color: keyof ChartTheme
  readonly dash?: ReadonlyArray<number>
  readonly width?: number
  /** Connect across null values (sparse series such as F1). */
  readonly spanGaps?: boolean
  readonly points?: boolean
}

export interface LineChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: ReadonlyArray<SeriesSpec>
  readonly height?: number
  /** Fixed y range (accuracy: 0..1). */
  readonly yRange?: readonly [number, number]
  /** Whole-number x ticks (hidden-unit indices). */
  readonly integerX?: boolean
  readonly testId: string
}

export class LineChart {
  readonly el: HTMLElement
  private plot: uPlot | null = null
  private data: uPlot.AlignedData
  private markers: ReadonlyArray<{ x: number; label: string }> = []
  private zoomed = false
  private readonly host: HTMLElement

  constructor(
    private readonly opts: LineChartOptions,
    private readonly theme: Theme
  ) {
    this.host = h("div", { class: "chart-host" })
    const reset = h("button", { class: "btn btn-small", type: "button", text: "Reset zoom", title: "Back to following the data" })
    reset.addEventListener("click", () => {
      this.zoomed = false
      this.apply(true)
    })
    this.el = h("div", { class: "chart", data: { testid: opts.testId } }, h("div", { class: "chart-head" }, h("h3", { class: "chart-title", text: opts.title }), reset), this.host)
    this.data = [[], ...opts.series.map(() => [])] as unknown as uPlot.AlignedData
    new ResizeObserver(() => this.resize()).observe(this.host)
    // uPlot resets the zoom on double click; follow the data again.
    this.host.addEventListener("dblclick", () => (this.zoomed = false))
    theme.changed.subscribe(() => this.rebuild())
  }

  /** Replace the data (x ascending). Cheap: uPlot redraws once. */
  setData(x: ReadonlyArray<number>, ys: ReadonlyArray<ReadonlyArray<number | null>>, markers: ReadonlyArray<{ x: number; label: string }> = []): void {
    this.data = [x, ...ys] as unknown as uPlot.AlignedData
    this.markers = markers
    this.apply(!this.zoomed)
  }

  /** Called when the tab becomes visible (a hidden container has no size). */
  resize(): void {
    const w = this.host.clientWidth
    if (w <= 0) return
    const height = this.opts.height ?? 260
    if (!this.plot) this.build(w, height)
    else if (Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height })
  }

  private apply(resetScales: boolean): void {
    if (!this.plot) {
      this.resize()
      return
    }
    this.plot.setData(this.data, resetScales)
  }

  private rebuild(): void {
    this.plot?.destroy()
    this.plot = null
    this.resize()
  }

  private build(width: number, height: number): void {
    const t = chartTheme()
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: t.muted,
      grid: { stroke: t.grid, width: 1 },
      ticks: { stroke: t.grid, width: 1 },
      labelFont: "12px system-ui, sans-serif",
      font: "11px system-ui, sans-serif"
    })
    const series: uPlot.Series[] = [
      { label: this.opts.xLabel },
      ...this.opts.series.map((s) => ({
        label: s.label,
        stroke: t[s.color] as string,
        width: s.width ?? 2,
        ...(s.dash ? { dash: [...s.dash] } : {}),
        spanGaps: s.spanGaps ?? false,
        points: { show: s.points ?? false, size: 4 }
      }))
    ]
    const markers = () => this.markers
    const opts: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false }, y: this.opts.yRange ? { range: [this.opts.yRange[0], this.opts.yRange[1]] } : { auto: true } },
      axes: [this.opts.integerX ? { ...axis(this.opts.xLabel), incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : axis(this.opts.xLabel), axis(this.opts.yLabel)],
      series,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        setSelect: [() => (this.zoomed = true)],
        draw: [
          (u) => {
            // Hidden-unit markers: a dashed vertical line per installed unit.
            const ctx = u.ctx
            ctx.save()
            ctx.strokeStyle = t.marker
            ctx.setLineDash([4, 4])
            ctx.lineWidth = 1
            const { top, height: ph } = u.bbox
            for (const m of markers()) {
              const px = u.valToPos(m.x, "x", true)
              if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue
              ctx.beginPath()
              ctx.moveTo(px, top)
              ctx.lineTo(px, top + ph)
              ctx.stroke()
            }
            ctx.restore()
          }
        ]
      }
    }
    this.plot = new uPlot(opts, this.data, this.host)
  }
}
