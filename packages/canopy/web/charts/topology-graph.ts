// The network graph on Cytoscape: inputs green, hidden blue, outputs orange; edge colour by sign and width by |w|;
// the newest unit glows. Positions are computed here (preset layout) so that adding a unit costs O(1) layout work
// and paints in the next frame; spring (cose) and circle layouts run only when chosen.
import cytoscape from "cytoscape"
import type { GraphModel } from "../api/normalize.js"
import { chartTheme, weightColor, type ChartTheme } from "./palette.js"

export type LayoutName = "hierarchical" | "staggered" | "circular" | "spring"

export interface GraphViewOptions {
  readonly layout: LayoutName
  readonly showWeights: boolean
  /** Show only the first K hidden units (0 = all). */
  readonly depth: number
}

const DX = 90
const DY = 64

const hiddenIndex = (id: string): number => Number(id.slice("hidden_".length))

export class TopologyGraph {
  readonly cy: cytoscape.Core
  private lastLayout: LayoutName | null = null
  private visible = false

  constructor(readonly container: HTMLElement) {
    this.cy = cytoscape({
      container,
      elements: [],
      style: this.style(chartTheme()),
      layout: { name: "preset" },
      minZoom: 0.1,
      maxZoom: 1.75,
      boxSelectionEnabled: true,
      selectionType: "additive",
      autoungrabify: false,
      textureOnViewport: true,
      hideEdgesOnViewport: false
    })
  }

  setVisible(v: boolean): void {
    this.visible = v
    if (v) {
      this.cy.resize()
      this.cy.fit(undefined, 24)
    }
  }

  restyle(): void {
    this.cy.style(this.style(chartTheme()))
    this.recolorEdges()
  }

  /** Bring the graph in line with the model; resolves when the frame that shows `newest` has painted. */
  update(g: GraphModel, newest: number | null, opts: GraphViewOptions, onPainted?: () => void): void {
    const t = chartTheme()
    const cy = this.cy
    const hidden = opts.depth > 0 ? g.hidden.slice(0, opts.depth) : g.hidden
    const shown = new Set<string>()
    for (let i = 0; i < g.inputs; i++) shown.add(`input_${i}`)
    for (const k of hidden) shown.add(`hidden_${k}`)
    for (let j = 0; j < g.outputs; j++) shown.add(`output_${j}`)
    let maxAbs = 1e-9
    for (const e of g.edges) if (Math.abs(e.weight) > maxAbs) maxAbs = Math.abs(e.weight)
    const positions = this.positions(g.inputs, hidden, g.outputs, opts.layout)
    let added = false
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        if (!shown.has(n.id())) n.remove()
      })
      for (const id of shown) {
        const type = id.startsWith("input") ? "input" : id.startsWith("hidden") ? "hidden" : "output"
        let n = cy.getElementById(id)
        if (n.empty()) {
          n = cy.add({ group: "nodes", data: { id, label: type === "hidden" ? `H${hiddenIndex(id)}` : type === "input" ? `x${id.slice(6)}` : `y${id.slice(7)}` }, classes: type })
          added = true
        }
        const p = positions.get(id)
        if (p && (opts.layout === "hierarchical" || opts.layout === "staggered" || this.lastLayout !== opts.layout || n.data("placed") !== true)) {
          n.position(p)
          n.data("placed", true)
        }
        n.toggleClass("newest", type === "hidden" && newest !== null && hiddenIndex(id) === newest)
      }
      const wanted = new Map<string, number>()
      for (const e of g.edges) if (shown.has(e.from) && shown.has(e.to)) wanted.set(`${e.from}->${e.to}`, e.weight)
      cy.edges().forEach((e) => {
        if (!wanted.has(e.id())) e.remove()
      })
      for (const [id, w] of wanted) {
        const [source, target] = id.split("->") as [string, string]
        const data = { weight: w, width: 0.6 + 4.4 * (Math.abs(w) / maxAbs), color: weightColor(w / maxAbs, t) }
        const e = cy.getElementById(id)
        if (e.empty()) cy.add({ group: "edges", data: { id, source, target, ...data }, classes: w === 0 ? "pending" : "" })
        else {
          e.data(data)
          e.toggleClass("pending", w === 0)
        }
      }
      cy.edges().toggleClass("hidden-edge", !opts.showWeights)
    })
    if (opts.layout === "spring" || opts.layout === "circular") {
      if (this.lastLayout !== opts.layout || added) cy.layout(opts.layout === "spring" ? { name: "cose", animate: false, randomize: false, fit: true, padding: 24 } : { name: "circle", fit: true, padding: 24 }).run()
    } else if (added || this.lastLayout !== opts.layout) cy.fit(undefined, 24)
    this.lastLayout = opts.layout
    if (onPainted) {
      if (this.visible) cy.one("render", () => onPainted())
    }
  }

  clear(): void {
    this.cy.elements().remove()
  }

  /** PNG export at 2× (canopy_network_<date>_<time>.png). */
  exportPng(): void {
    const blob = this.cy.png({ output: "blob", full: true, scale: 2, bg: chartTheme().bg })
    const d = new Date()
    const pad = (n: number) => String(n).padStart(2, "0")
    const name = `canopy_network_${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.png`
    const a = document.createElement("a")
    a.href = URL.createObjectURL(blob)
    a.download = name
    a.click()
    setTimeout(() => URL.revokeObjectURL(a.href), 5_000)
  }

  private recolorEdges(): void {
    const t = chartTheme()
    let maxAbs = 1e-9
    this.cy.edges().forEach((e) => {
      maxAbs = Math.max(maxAbs, Math.abs(Number(e.data("weight")) || 0))
    })
    this.cy.batch(() => this.cy.edges().forEach((e) => void e.data("color", weightColor((Number(e.data("weight")) || 0) / maxAbs, t))))
  }

  private positions(inputs: number, hidden: ReadonlyArray<number>, outputs: number, layout: LayoutName): Map<string, { x: number; y: number }> {
    const pos = new Map<string, { x: number; y: number }>()
    const H = hidden.length
    const span = Math.max(inputs, outputs, 2) * DY
    const col = (n: number, x: number, prefix: string) => {
      for (let i = 0; i < n; i++) pos.set(`${prefix}_${i}`, { x, y: (span / (n + 1)) * (i + 1) - span / 2 })
    }
    col(inputs, 0, "input")
    hidden.forEach((k, i) => {
      // Hierarchical: the classic cascade staircase; staggered: alternate above and below the axis.
      const y = layout === "staggered" ? (i % 2 === 0 ? -1 : 1) * (DY * 0.9) : -span / 2 + ((i + 0.5) * span) / Math.max(H, 1)
      pos.set(`hidden_${k}`, { x: (i + 1) * DX, y })
    })
    col(outputs, (H + 1) * DX, "output")
    return pos
  }

  private style(t: ChartTheme): cytoscape.StylesheetJson {
    return [
      { selector: "node", style: { label: "data(label)", color: t.text, "font-size": 11, "text-valign": "center", "text-halign": "center", width: 30, height: 30, "border-width": 2, "border-color": t.bg } },
      { selector: "node.input", style: { "background-color": t.input, shape: "round-rectangle" } },
      { selector: "node.hidden", style: { "background-color": t.hidden } },
      { selector: "node.output", style: { "background-color": t.output, shape: "diamond", width: 34, height: 34 } },
      { selector: "node.newest", style: { "underlay-color": t.glow, "underlay-padding": 10, "underlay-opacity": 0.55, "underlay-shape": "ellipse", "border-color": t.glow, "border-width": 3 } },
      { selector: "node:selected", style: { "border-color": t.text, "border-width": 3 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "data(color)", "curve-style": "bezier", opacity: 0.9, "target-arrow-shape": "none" } },
      { selector: "edge.pending", style: { "line-style": "dashed", "line-color": t.muted, width: 1, opacity: 0.5 } },
      { selector: "edge.hidden-edge", style: { display: "none" } },
      { selector: "edge:selected", style: { opacity: 1, "line-color": t.text } }
    ]
  }
}
