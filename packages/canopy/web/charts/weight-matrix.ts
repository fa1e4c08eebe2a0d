// Weight-matrix view of the network: rows are targets (hidden units, then outputs), columns are sources (inputs,
// then hidden units); each cell is coloured by the weight's sign and size. Unconnected cells stay blank.
import type { GraphModel } from "../api/normalize.js"
import { h } from "../util/dom.js"
import { chartTheme, weightColor } from "./palette.js"

export class WeightMatrix {
  readonly canvas = h("canvas", { class: "matrix-canvas", data: { testid: "weight-matrix" } })

  draw(g: GraphModel): void {
    const width = Math.min(this.canvas.parentElement?.clientWidth ?? 0, 900)
    if (width <= 0) return
    const t = chartTheme()
    const sources = [...Array.from({ length: g.inputs }, (_, i) => `input_${i}`), ...g.hidden.map((k) => `hidden_${k}`)]
    const targets = [...g.hidden.map((k) => `hidden_${k}`), ...Array.from({ length: g.outputs }, (_, j) => `output_${j}`)]
    const label = 56, top = 40
    const cell = Math.max(4, Math.min(28, Math.floor((width - label - 8) / Math.max(1, sources.length))))
    const cssW = label + cell * sources.length + 8
    const cssH = top + cell * targets.length + 8
    const dpr = window.devicePixelRatio || 1
    this.canvas.style.width = `${cssW}px`
    this.canvas.style.height = `${cssH}px`
    this.canvas.width = Math.round(cssW * dpr)
    this.canvas.height = Math.round(cssH * dpr)
    const ctx = this.canvas.getContext("2d")
    if (!ctx) return
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.fillStyle = t.bg
    ctx.fillRect(0, 0, cssW, cssH)
    let maxAbs = 1e-9
    for (const e of g.edges) maxAbs = Math.max(maxAbs, Math.abs(e.weight))
    const col = new Map(sources.map((s, i) => [s, i]))
    const row = new Map(targets.map((s, i) => [s, i]))
    for (const e of g.edges) {
      const c = col.get(e.from)
      const r = row.get(e.to)
      if (c === undefined || r === undefined) continue
      ctx.fillStyle = weightColor(e.weight / maxAbs, t)
      ctx.fillRect(label + c * cell, top + r * cell, cell - 1, cell - 1)
    }
    ctx.fillStyle = t.muted
    ctx.font = "10px system-ui, sans-serif"
    ctx.textAlign = "right"
    ctx.textBaseline = "middle"
    const short = (id: string) => id.replace("input_", "x").replace("hidden_", "H").replace("output_", "y")
    const every = Math.ceil(12 / cell)
    targets.forEach((id, r) => r % every === 0 && ctx.fillText(short(id), label - 4, top + r * cell + cell / 2))
    ctx.save()
    ctx.textAlign = "left"
    sources.forEach((id, c) => {
      if (c % every !== 0) return
      ctx.save()
      ctx.translate(label + c * cell + cell / 2, top - 4)
      ctx.rotate(-Math.PI / 3)
      ctx.fillText(short(id), 0, 0)
      ctx.restore()
    })
    ctx.restore()
  }
}
