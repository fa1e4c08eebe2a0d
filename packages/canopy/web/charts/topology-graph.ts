// The network graph on Cytoscape: inputs green, hidden blue, outputs orange; edge colour by sign and width by |w|;
// the newest unit glows. Positions are computed here (preset layout), and a new unit is added incrementally (its
// node and edges only) so that it paints in the next frame even for large networks; spring (cose) and circle
// layouts run only when chosen. Edges are straight "haystack" lines, Cytoscape's cheapest edge to draw.
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
const STEP = 30

/** The |w| that maps to full width and colour: the 95th percentile, so one large weight does not wash out the rest. */
export const weightScale = (edges: ReadonlyArray<{ readonly weight: number }>): number => {
  const abs = edges.map((e) => Math.abs(e.weight)).filter((w) => w > 0).sort((a, b) => a - b)
  if (abs.length === 0) return 1e-9
  return Math.max(1e-9, abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.95))]!)
}

const hiddenIndex = (id: string): number => Number(id.slice("hidden_".length))
const labelOf = (id: string): string =>
  id.startsWith("hidden_") ? `H${id.slice(7)}` : id.startsWith("input_") ? `x${id.slice(6)}` : `y${id.slice(7)}`
const typeOf = (id: string): "input" | "hidden" | "output" => (id.startsWith("input") ? "input" : id.startsWith("hidden") ? "hidden" : "output")

export class TopologyGraph {
  readonly cy: cytoscape.Core
  private lastLayout: LayoutName | null = null
  private lastShowWeights = true
  private visible = false
  private maxAbs = 1e-9

  constructor(readonly container: HTMLElement) {
    this.cy = cytoscape({
      container,
      elements: [],
      style: this.style(chartTheme()),
      layout: { name: "preset" },
      minZoom: 0.02,
      maxZoom: 1.75,
      boxSelectionEnabled: true,
      selectionType: "additive",
      textureOnViewport: true,
      pixelRatio: 1
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
    const t = chartTheme()
    this.cy.batch(() => this.cy.edges().forEach((e) => void e.data("color", weightColor((Number(e.data("weight")) || 0) / this.maxAbs, t))))
  }

  /**
   * A unit was installed: add its node and edges (weights unknown until the topology frame), move the outputs, and
   * move the glow. `onPainted` runs after the frame that shows it.
   */
  addUnit(g: GraphModel, unit: number, opts: GraphViewOptions, onPainted?: () => void): void {
    const cy = this.cy
    const id = `hidden_${unit}`
    if (!cy.getElementById(id).empty() || (opts.depth > 0 && g.hidden.indexOf(unit) >= opts.depth) || (opts.layout !== "hierarchical" && opts.layout !== "staggered")) {
      this.update(g, unit, opts, onPainted)
      return
    }
    const positions = this.positions(g.inputs, g.hidden, g.outputs, opts.layout)
    cy.batch(() => {
      cy.nodes(".newest").removeClass("newest")
      cy.add({ group: "nodes", data: { id, label: labelOf(id) }, classes: "hidden newest", position: positions.get(id) ?? { x: 0, y: 0 } })
      const hideClass = opts.showWeights ? "" : " hidden-edge"
      for (const e of g.edges) {
        if (e.from !== id && e.to !== id) continue
        if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue
        cy.add({ group: "edges", data: { id: `${e.from}->${e.to}`, source: e.from, target: e.to, ...this.edgeData(e.weight) }, classes: (e.weight === 0 ? "pending" : "") + hideClass })
      }
      for (const [nid, p] of positions) if (!nid.startsWith("hidden_") || nid === id) cy.getElementById(nid).position(p)
    })
    cy.fit(undefined, 24)
    if (onPainted && this.visible) cy.one("render", () => onPainted())
  }

  /** Bring the graph in line with the model (a full document): only what changed is touched. */
  update(g: GraphModel, newest: number | null, opts: GraphViewOptions, onPainted?: () => void): void {
    const t = chartTheme()
    const cy = this.cy
    const hidden = opts.depth > 0 ? g.hidden.slice(0, opts.depth) : g.hidden
    const shown = new Set<string>()
    for (let i = 0; i < g.inputs; i++) shown.add(`input_${i}`)
    for (const k of hidden) shown.add(`hidden_${k}`)
    for (let j = 0; j < g.outputs; j++) shown.add(`output_${j}`)
    const maxAbs = weightScale(g.edges)
    const rescaled = Math.abs(maxAbs - this.maxAbs) > 1e-12
    this.maxAbs = maxAbs
    const preset = opts.layout === "hierarchical" || opts.layout === "staggered"
    const positions = this.positions(g.inputs, hidden, g.outputs, opts.layout)
    const layoutChanged = this.lastLayout !== opts.layout
    const weightsToggled = this.lastShowWeights !== opts.showWeights
    let added = false
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        if (!shown.has(n.id())) n.remove()
      })
      for (const id of shown) {
        let n = cy.getElementById(id)
        if (n.empty()) {
          n = cy.add({ group: "nodes", data: { id, label: labelOf(id) }, classes: typeOf(id), position: positions.get(id) ?? { x: 0, y: 0 } })
          added = true
        } else if (preset || layoutChanged) {
          const p = positions.get(id)
          if (p) n.position(p)
        }
        const glow = typeOf(id) === "hidden" && newest !== null && hiddenIndex(id) === newest
        if (n.hasClass("newest") !== glow) n.toggleClass("newest", glow)
      }
      const wanted = new Map<string, number>()
      for (const e of g.edges) if (shown.has(e.from) && shown.has(e.to)) wanted.set(`${e.from}->${e.to}`, e.weight)
      cy.edges().forEach((e) => {
        if (!wanted.has(e.id())) e.remove()
      })
      for (const [id, w] of wanted) {
        const e = cy.getElementById(id)
        if (e.empty()) {
          const [source, target] = id.split("->") as [string, string]
          cy.add({ group: "edges", data: { id, source, target, ...this.edgeData(w, t) }, classes: (w === 0 ? "pending" : "") + (opts.showWeights ? "" : " hidden-edge") })
          continue
        }
        // Only changed weights (or a new scale) touch the element: each data change restyles that edge.
        if (rescaled || e.data("weight") !== w) e.data(this.edgeData(w, t))
        if (e.hasClass("pending") !== (w === 0)) e.toggleClass("pending", w === 0)
      }
      if (weightsToggled) cy.edges().toggleClass("hidden-edge", !opts.showWeights)
    })
    if (!preset) {
      if (layoutChanged || added) cy.layout(opts.layout === "spring" ? { name: "cose", animate: false, randomize: false, fit: true, padding: 24 } : { name: "circle", fit: true, padding: 24 }).run()
    } else if (added || layoutChanged) cy.fit(undefined, 24)
    this.lastLayout = opts.layout
    this.lastShowWeights = opts.showWeights
    if (onPainted && this.visible) cy.one("render", () => onPainted())
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

  private edgeData(w: number, t: ChartTheme = chartTheme()): { weight: number; width: number; color: string } {
    const r = w / this.maxAbs
    return { weight: w, width: 0.6 + 4.4 * Math.min(1, Math.abs(r)), color: weightColor(r, t) }
  }

  /** Hierarchical: the cascade staircase (each unit right of and below the previous one); staggered: two rows. */
  private positions(inputs: number, hidden: ReadonlyArray<number>, outputs: number, layout: LayoutName): Map<string, { x: number; y: number }> {
    const pos = new Map<string, { x: number; y: number }>()
    const H = hidden.length
    const stair = layout === "staggered" ? DY * 1.6 : Math.max(0, H - 1) * STEP
    const mid = layout === "staggered" ? 0 : stair / 2
    const col = (n: number, x: number, prefix: string) => {
      for (let i = 0; i < n; i++) pos.set(`${prefix}_${i}`, { x, y: mid + (i - (n - 1) / 2) * DY })
    }
    col(inputs, 0, "input")
    hidden.forEach((k, i) => pos.set(`hidden_${k}`, { x: (i + 1) * DX, y: layout === "staggered" ? (i % 2 === 0 ? -1 : 1) * DY * 0.8 : i * STEP }))
    col(outputs, (H + 1) * DX, "output")
    return pos
  }

  private style(t: ChartTheme): cytoscape.StylesheetJson {
    return [
      { selector: "node", style: { label: "data(label)", color: t.text, "font-size": 11, "text-valign": "center", "text-halign": "center", width: 30, height: 30, "border-width": 2, "border-color": t.bg, "min-zoomed-font-size": 6 } },
      { selector: "node.input", style: { "background-color": t.input, shape: "round-rectangle" } },
      { selector: "node.hidden", style: { "background-color": t.hidden } },
      { selector: "node.output", style: { "background-color": t.output, shape: "diamond", width: 34, height: 34 } },
      { selector: "node.newest", style: { "underlay-color": t.glow, "underlay-padding": 12, "underlay-opacity": 0.6, "underlay-shape": "ellipse", "border-color": t.glow, "border-width": 4 } },
      { selector: "node:selected", style: { "border-color": t.text, "border-width": 3 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "data(color)", "curve-style": "haystack", "haystack-radius": 0, opacity: 0.85 } },
      { selector: "edge.pending", style: { "line-style": "dashed", "line-color": t.muted, width: 1, opacity: 0.5 } },
      { selector: "edge.hidden-edge", style: { display: "none" } },
      { selector: "edge:selected", style: { opacity: 1, "line-color": t.text } }
    ]
  }
}
