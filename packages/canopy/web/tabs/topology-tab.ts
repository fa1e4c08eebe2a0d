// Network Topology: the Cytoscape graph (or the weight matrix), layouts, weights toggle, hidden-depth slider,
// selection with clear, PNG export, and a stats bar. A cascade_add paints the new unit at once, with a glow; the
// topology frame that follows fills in its weights.
import type { AppContext } from "../app/context.js"
import { TopologyGraph, type LayoutName } from "../charts/topology-graph.js"
import { WeightMatrix } from "../charts/weight-matrix.js"
import { nowMs, perf } from "../perf/instrument.js"
import { h, setText } from "../util/dom.js"
import { fmtNum } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"
import type { Tab } from "./tab.js"

export const createTopologyTab = (ctx: AppContext): Tab => {
  const graphHost = h("div", { class: "graph-host", data: { testid: "topology-graph" } })
  const matrixHost = h("div", { class: "matrix-host", hidden: true })
  const matrix = new WeightMatrix()
  matrixHost.append(matrix.canvas)
  const layoutSel = h(
    "select",
    { class: "input input-inline", id: "topo-layout", data: { testid: "topology-layout" } },
    ...(["hierarchical", "staggered", "spring", "circular"] as const).map((l) => h("option", { value: l, text: l[0]!.toUpperCase() + l.slice(1) }))
  )
  const viewSel = h("select", { class: "input input-inline", id: "topo-view", data: { testid: "topology-view" } }, h("option", { value: "graph", text: "Node graph" }), h("option", { value: "matrix", text: "Weight matrix" }))
  const weights = h("input", { type: "checkbox", id: "topo-weights", data: { testid: "topology-weights" } })
  weights.checked = true
  const depth = h("input", { type: "range", id: "topo-depth", class: "range", attrs: { min: "0", max: "0", step: "1", value: "0" }, data: { testid: "topology-depth" } })
  const depthText = h("span", { class: "muted", text: "all" })
  const clearSel = h("button", { class: "btn btn-small", type: "button", text: "Clear selection" })
  const exportBtn = h("button", { class: "btn btn-small", type: "button", text: "Export PNG", data: { testid: "topology-export" } })
  const stats = h("div", { class: "stats-bar", data: { testid: "topology-stats" } })
  const selection = h("div", { class: "selection-info muted", data: { testid: "topology-selection" } })
  const empty = h("p", { class: "empty", text: "No network yet: start training to build one.", data: { testid: "topology-empty" } })
  const el = h(
    "div",
    { class: "tab-topology" },
    h(
      "div",
      { class: "chart-toolbar" },
      h("label", { for: "topo-view", text: "View" }), viewSel,
      h("label", { for: "topo-layout", text: "Layout" }), layoutSel,
      h("label", { class: "check", for: "topo-weights" }, weights, "Weights"),
      h("label", { for: "topo-depth", text: "Hidden depth" }), depth, depthText,
      clearSel, exportBtn
    ),
    stats,
    empty,
    graphHost,
    matrixHost,
    selection
  )
  const graph = new TopologyGraph(graphHost)
  let visible = false
  let dirty = true

  const opts = () => ({ layout: layoutSel.value as LayoutName, showWeights: weights.checked, depth: Number(depth.value) })

  const render = (paintedUnit: number | null = null) => {
    const g = ctx.topology.graph
    empty.hidden = !!g
    if (!g) {
      graph.clear()
      setText(stats, "")
      return
    }
    const H = g.hidden.length
    depth.max = String(H)
    if (Number(depth.value) > H) depth.value = "0"
    setText(depthText, Number(depth.value) === 0 || Number(depth.value) === H ? "all" : `first ${depth.value}`)
    let pos = 0, neg = 0
    for (const e of g.edges) e.weight > 0 ? pos++ : e.weight < 0 && neg++
    const newest = ctx.topology.newest
    setText(stats, `Inputs ${g.inputs} · Hidden ${H} · Outputs ${g.outputs} · Connections ${g.edges.length} (${pos} positive, ${neg} negative)${newest !== null ? ` · newest: H${newest}` : ""}`)
    el.dataset["hiddenUnits"] = String(H)
    if (!visible) {
      dirty = true
      return
    }
    dirty = false
    if (viewSel.value === "matrix") {
      matrix.draw(g)
      return
    }
    const record = paintedUnit === null ? undefined : () => {
      const t = nowMs()
      perf.topologyHiddenShown = H
      for (let i = perf.cascades.length - 1; i >= 0; i--) {
        const c = perf.cascades[i]!
        if (c.unit === paintedUnit) {
          if (c.shownMs === null) c.shownMs = t
          break
        }
      }
    }
    if (paintedUnit !== null) graph.addUnit(g, paintedUnit, opts(), record)
    else graph.update(g, newest, opts())
    if (paintedUnit !== null) {
      const t = nowMs()
      for (let i = perf.cascades.length - 1; i >= 0; i--) {
        const c = perf.cascades[i]!
        if (c.unit === paintedUnit) {
          if (c.appliedMs === null) c.appliedMs = t
          break
        }
      }
    }
    perf.topologyHiddenShown = H
  }

  ctx.topology.changed.subscribe((c) => {
    // A new unit is painted synchronously (lowest latency); full documents are coalesced per frame.
    if (c.kind === "unit-added") render(c.newest)
    else scheduleRender("topology", () => render())
  })
  for (const input of [layoutSel, weights, depth, viewSel]) input.addEventListener("change", () => {
    graphHost.hidden = viewSel.value === "matrix"
    matrixHost.hidden = viewSel.value !== "matrix"
    if (viewSel.value === "graph") graph.setVisible(visible)
    render()
  })
  depth.addEventListener("input", () => render())
  clearSel.addEventListener("click", () => {
    graph.cy.elements().unselect()
    setText(selection, "")
  })
  exportBtn.addEventListener("click", () => graph.exportPng())
  graph.cy.on("select unselect", () => {
    const sel = graph.cy.elements(":selected")
    if (sel.empty()) return setText(selection, "")
    const nodes = sel.nodes().map((n) => n.id())
    const edges = sel.edges().map((e) => `${e.id()} = ${fmtNum(Number(e.data("weight")), 4)}`)
    setText(selection, `Selected: ${[...nodes, ...edges.slice(0, 8)].join(", ")}${edges.length > 8 ? ` … (+${edges.length - 8})` : ""}`)
  })
  ctx.theme.changed.subscribe(() => {
    graph.restyle()
    if (visible && viewSel.value === "matrix") render()
  })

  return {
    id: "topology",
    label: "Network Topology",
    el,
    sidebar: ["network"],
    show() {
      visible = true
      graph.setVisible(true)
      if (dirty) render()
      graph.setVisible(true)
    },
    hide() {
      visible = false
      graph.setVisible(false)
    }
  }
}
