// A thumbnail of the network for the evolution cards: inputs, the hidden staircase and outputs, edges by sign.
import type { GraphModel } from "../api/normalize.js"
import { h } from "../util/dom.js"
import { chartTheme, weightColor } from "./palette.js"

export const miniNetwork = (g: GraphModel, w = 220, hgt = 120): HTMLCanvasElement => {
  const c = h("canvas", { class: "mini-network" })
  const dpr = window.devicePixelRatio || 1
  c.width = Math.round(w * dpr)
  c.height = Math.round(hgt * dpr)
  c.style.width = `${w}px`
  c.style.height = `${hgt}px`
  const ctx = c.getContext("2d")
  if (!ctx) return c
  const t = chartTheme()
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  const H = g.hidden.length
  const cols = H + 2
  const x = (col: number) => 12 + (col * (w - 24)) / Math.max(1, cols - 1)
  const pos = new Map<string, [number, number]>()
  const column = (n: number, col: number, prefix: string) => {
    for (let i = 0; i < n; i++) pos.set(`${prefix}_${i}`, [x(col), ((i + 1) * hgt) / (n + 1)])
  }
  column(g.inputs, 0, "input")
  g.hidden.forEach((k, i) => pos.set(`hidden_${k}`, [x(i + 1), 10 + ((i + 0.5) * (hgt - 20)) / Math.max(1, H)]))
  column(g.outputs, cols - 1, "output")
  let maxAbs = 1e-9
  for (const e of g.edges) maxAbs = Math.max(maxAbs, Math.abs(e.weight))
  ctx.lineWidth = 0.8
  for (const e of g.edges) {
    const a = pos.get(e.from)
    const b = pos.get(e.to)
    if (!a || !b) continue
    ctx.strokeStyle = weightColor(e.weight / maxAbs, t)
    ctx.beginPath()
    ctx.moveTo(a[0], a[1])
    ctx.lineTo(b[0], b[1])
    ctx.stroke()
  }
  for (const [id, [px, py]] of pos) {
    ctx.fillStyle = id.startsWith("input") ? t.input : id.startsWith("hidden") ? t.hidden : t.output
    ctx.beginPath()
    ctx.arc(px, py, H > 30 ? 2.5 : 4, 0, Math.PI * 2)
    ctx.fill()
  }
  return c
}
