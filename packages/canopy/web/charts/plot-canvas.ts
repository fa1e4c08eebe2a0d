// A 2-D data-space canvas shared by the dataset scatter and the decision boundary: HiDPI sizing, axes with ticks,
// a data → pixel transform, and a background image layer (the boundary heat map).
import { h } from "../util/dom.js"
import type { ChartTheme } from "./palette.js"

export interface Bounds {
  readonly xMin: number
  readonly xMax: number
  readonly yMin: number
  readonly yMax: number
}

export interface ScatterPoint {
  readonly x: number
  readonly y: number
  readonly cls: number
  /** Drawn hollow (test split). */
  readonly hollow?: boolean
}

const PAD = { left: 44, right: 12, top: 10, bottom: 30 }

const niceTicks = (min: number, max: number, count = 5): number[] => {
  const span = max - min
  if (!(span > 0)) return [min]
  const step0 = span / count
  const mag = 10 ** Math.floor(Math.log10(step0))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v)
  return out
}

/** The width inside a parent's padding (a canvas sized to clientWidth would overflow it). */
export const contentWidth = (el: HTMLElement | null): number => {
  if (!el) return 0
  const cs = getComputedStyle(el)
  return Math.max(0, el.clientWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0))
}

export class PlotCanvas {
  readonly canvas: HTMLCanvasElement
  private cssW = 0
  private cssH = 0

  constructor(testId: string, readonly aspect = 1) {
    this.canvas = h("canvas", { class: "plot-canvas", data: { testid: testId } })
  }

  /** Size the backing store to the element's CSS width; returns false while hidden. */
  fit(): boolean {
    const w = contentWidth(this.canvas.parentElement)
    if (w <= 0) return false
    const cssW = Math.min(w, 720)
    const cssH = Math.round(cssW * this.aspect)
    const dpr = window.devicePixelRatio || 1
    if (cssW !== this.cssW || cssH !== this.cssH) {
      this.cssW = cssW
      this.cssH = cssH
      this.canvas.style.width = `${cssW}px`
      this.canvas.style.height = `${cssH}px`
      this.canvas.width = Math.round(cssW * dpr)
      this.canvas.height = Math.round(cssH * dpr)
    }
    return true
  }

  /** Clear, then draw axes; returns a context in CSS pixels and the transform, or null while hidden. */
  begin(b: Bounds, t: ChartTheme): { ctx: CanvasRenderingContext2D; px: (x: number) => number; py: (y: number) => number; area: { x: number; y: number; w: number; h: number } } | null {
    if (!this.fit()) return null
    const ctx = this.canvas.getContext("2d")
    if (!ctx) return null
    const dpr = window.devicePixelRatio || 1
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, this.cssW, this.cssH)
    ctx.fillStyle = t.bg
    ctx.fillRect(0, 0, this.cssW, this.cssH)
    const area = { x: PAD.left, y: PAD.top, w: this.cssW - PAD.left - PAD.right, h: this.cssH - PAD.top - PAD.bottom }
    const px = (x: number) => area.x + ((x - b.xMin) / (b.xMax - b.xMin || 1)) * area.w
    const py = (y: number) => area.y + area.h - ((y - b.yMin) / (b.yMax - b.yMin || 1)) * area.h
    ctx.strokeStyle = t.grid
    ctx.fillStyle = t.muted
    ctx.lineWidth = 1
    ctx.font = "11px system-ui, sans-serif"
    ctx.textAlign = "center"
    ctx.textBaseline = "top"
    for (const v of niceTicks(b.xMin, b.xMax)) {
      const x = Math.round(px(v)) + 0.5
      ctx.beginPath()
      ctx.moveTo(x, area.y)
      ctx.lineTo(x, area.y + area.h)
      ctx.stroke()
      ctx.fillText(String(+v.toFixed(3)), x, area.y + area.h + 6)
    }
    ctx.textAlign = "right"
    ctx.textBaseline = "middle"
    for (const v of niceTicks(b.yMin, b.yMax)) {
      const y = Math.round(py(v)) + 0.5
      ctx.beginPath()
      ctx.moveTo(area.x, y)
      ctx.lineTo(area.x + area.w, y)
      ctx.stroke()
      ctx.fillText(String(+v.toFixed(3)), area.x - 6, y)
    }
    return { ctx, px, py, area }
  }

  static boundsOf(points: ReadonlyArray<{ x: number; y: number }>, pad = 0.05): Bounds {
    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity
    for (const p of points) {
      if (p.x < xMin) xMin = p.x
      if (p.x > xMax) xMax = p.x
      if (p.y < yMin) yMin = p.y
      if (p.y > yMax) yMax = p.y
    }
    if (!Number.isFinite(xMin)) return { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }
    const dx = (xMax - xMin || 1) * pad
    const dy = (yMax - yMin || 1) * pad
    return { xMin: xMin - dx, xMax: xMax + dx, yMin: yMin - dy, yMax: yMax + dy }
  }
}

/** Points coloured by class; test points hollow. */
export const drawPoints = (
  ctx: CanvasRenderingContext2D,
  pts: ReadonlyArray<ScatterPoint>,
  px: (x: number) => number,
  py: (y: number) => number,
  t: ChartTheme,
  radius = 3.5
): void => {
  ctx.lineWidth = 1.25
  for (const p of pts) {
    const c = t.classes[p.cls % t.classes.length] ?? t.text
    ctx.beginPath()
    ctx.arc(px(p.x), py(p.y), radius, 0, Math.PI * 2)
    if (p.hollow) {
      ctx.strokeStyle = c
      ctx.stroke()
    } else {
      ctx.fillStyle = c
      ctx.fill()
      ctx.strokeStyle = t.bg
      ctx.stroke()
    }
  }
}
