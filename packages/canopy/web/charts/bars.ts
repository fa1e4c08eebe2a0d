// Per-candidate correlation bars on a canvas (sorted, best highlighted): one bar per pool member, cheap to repaint.
import { h } from "../util/dom.js"
import { chartTheme } from "./palette.js"
import { contentWidth } from "./plot-canvas.js"

export class CorrelationBars {
  readonly canvas = h("canvas", { class: "bars-canvas", data: { testid: "candidate-bars" } })

  draw(values: ReadonlyArray<{ id: number; corr: number }>, bestId: number | null): void {
    const w = Math.min(contentWidth(this.canvas.parentElement), 1200)
    if (w <= 0) return
    const hCss = 180
    const dpr = window.devicePixelRatio || 1
    this.canvas.style.width = `${w}px`
    this.canvas.style.height = `${hCss}px`
    if (this.canvas.width !== Math.round(w * dpr)) this.canvas.width = Math.round(w * dpr)
    if (this.canvas.height !== Math.round(hCss * dpr)) this.canvas.height = Math.round(hCss * dpr)
    const ctx = this.canvas.getContext("2d")
    if (!ctx) return
    const t = chartTheme()
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.fillStyle = t.bg
    ctx.fillRect(0, 0, w, hCss)
    const sorted = [...values].sort((a, b) => Math.abs(b.corr) - Math.abs(a.corr))
    const max = Math.max(1e-9, ...sorted.map((v) => Math.abs(v.corr)))
    const left = 36, bottom = 22, top = 8
    const plotH = hCss - bottom - top
    const bw = sorted.length ? (w - left - 8) / sorted.length : 0
    ctx.fillStyle = t.muted
    ctx.font = "11px system-ui, sans-serif"
    ctx.textAlign = "right"
    ctx.textBaseline = "middle"
    ctx.fillText(max.toFixed(3), left - 4, top)
    ctx.fillText("0", left - 4, top + plotH)
    ctx.strokeStyle = t.grid
    ctx.beginPath()
    ctx.moveTo(left, top + plotH + 0.5)
    ctx.lineTo(w - 8, top + plotH + 0.5)
    ctx.stroke()
    sorted.forEach((v, i) => {
      const bh = (Math.abs(v.corr) / max) * plotH
      ctx.fillStyle = v.id === bestId || (bestId === null && i === 0) ? t.glow : t.hidden
      ctx.fillRect(left + i * bw + 1, top + plotH - bh, Math.max(1, bw - 2), bh)
    })
    ctx.textAlign = "center"
    ctx.textBaseline = "top"
    ctx.fillStyle = t.muted
    ctx.fillText(`${sorted.length} candidates, sorted by |correlation|`, left + (w - left) / 2, top + plotH + 6)
  }
}
