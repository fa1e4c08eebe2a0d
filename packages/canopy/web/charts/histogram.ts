// A small per-feature histogram, bars stacked by class.
import { h } from "../util/dom.js"
import { chartTheme } from "./palette.js"

export const histogram = (title: string, values: ReadonlyArray<number>, classes: ReadonlyArray<number>, bins = 24, w = 260, hgt = 120): HTMLElement => {
  const c = h("canvas", { class: "histogram" })
  const dpr = window.devicePixelRatio || 1
  c.width = Math.round(w * dpr)
  c.height = Math.round(hgt * dpr)
  c.style.width = `${w}px`
  c.style.height = `${hgt}px`
  const ctx = c.getContext("2d")
  const wrap = h("figure", { class: "histogram-figure" }, c, h("figcaption", { class: "muted", text: title }))
  if (!ctx || values.length === 0) return wrap
  const t = chartTheme()
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.fillStyle = t.bg
  ctx.fillRect(0, 0, w, hgt)
  let min = Infinity, max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  const span = max - min || 1
  const nClasses = Math.max(1, ...classes.map((k) => k + 1))
  const counts = Array.from({ length: bins }, () => new Array<number>(nClasses).fill(0))
  values.forEach((v, i) => {
    const b = Math.min(bins - 1, Math.floor(((v - min) / span) * bins))
    counts[b]![classes[i] ?? 0]!++
  })
  const top = Math.max(1, ...counts.map((row) => row.reduce((a, b) => a + b, 0)))
  const bw = (w - 8) / bins
  counts.forEach((row, b) => {
    let y = hgt - 4
    row.forEach((n, k) => {
      const bh = (n / top) * (hgt - 10)
      ctx.fillStyle = t.classes[k % t.classes.length] ?? t.text
      ctx.fillRect(4 + b * bw, y - bh, Math.max(1, bw - 1), bh)
      y -= bh
    })
  })
  return wrap
}
