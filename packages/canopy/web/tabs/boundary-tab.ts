// Decision Boundary: /api/decision_boundary (resolution 50–200 in steps of 25) with the dataset overlaid. Fetched
// when the tab becomes visible, after each cascade_add while visible, and on Refresh.
import type { AppContext } from "../app/context.js"
import { errorText, getJson } from "../api/rest.js"
import { classOf } from "../api/normalize.js"
import type { DatasetDoc, DecisionBoundary } from "../api/types.js"
import { BoundaryPlot } from "../charts/boundary.js"
import type { ScatterPoint } from "../charts/plot-canvas.js"
import { h, setText } from "../util/dom.js"
import { fmtTime } from "../util/format.js"
import type { Tab } from "./tab.js"

export const createBoundaryTab = (ctx: AppContext): Tab => {
  const plot = new BoundaryPlot()
  const res = h("input", { type: "range", class: "range", id: "boundary-resolution", attrs: { min: "50", max: "200", step: "25", value: "100" }, data: { testid: "boundary-resolution" } })
  const resText = h("span", { class: "muted", text: "100", data: { testid: "boundary-resolution-value" } })
  const refresh = h("button", { class: "btn btn-small", type: "button", text: "Refresh", data: { testid: "boundary-refresh" } })
  const statusEl = h("p", { class: "muted", text: "Open this tab to compute the boundary.", data: { testid: "boundary-status" } })
  const host = h("div", { class: "canvas-host" }, plot.plot.canvas)
  const legend = h("p", { class: "muted", text: "Regions: predicted class (Viridis). Points: training data (filled) and test data (hollow)." })
  const el = h(
    "div",
    { class: "tab-boundary" },
    h("div", { class: "chart-toolbar" }, h("label", { for: "boundary-resolution", text: "Resolution" }), res, resText, refresh),
    statusEl,
    host,
    legend
  )
  let visible = false
  let points: ReadonlyArray<ScatterPoint> = []
  let last: DecisionBoundary | null = null
  let inflight = false
  let again = false

  const loadPoints = async () => {
    try {
      const d = await getJson<DatasetDoc>("/api/dataset", undefined, 8_000)
      const tr = (d.X_train ?? []).map((x, i) => ({ x: x[0] ?? 0, y: x[1] ?? 0, cls: classOf(d.y_train?.[i]) }))
      const te = (d.X_val ?? []).map((x, i) => ({ x: x[0] ?? 0, y: x[1] ?? 0, cls: classOf(d.y_val?.[i]), hollow: true }))
      points = [...tr, ...te]
    } catch {
      points = []
    }
  }

  const fetchBoundary = async () => {
    if (!visible) return
    if (inflight) {
      again = true
      return
    }
    inflight = true
    setText(statusEl, "Computing…")
    try {
      if (points.length === 0) await loadPoints()
      const r = Number(res.value)
      last = await getJson<DecisionBoundary>("/api/decision_boundary", { resolution: r }, 15_000)
      const ok = plot.draw(last, points)
      const hidden = ctx.status.current.hiddenUnits ?? 0
      setText(statusEl, ok ? `Resolution ${last.resolution ?? r} · ${hidden} hidden unit${hidden === 1 ? "" : "s"} · updated ${fmtTime(Date.now() / 1000)}` : "The server returned an empty grid.")
      el.dataset["resolution"] = String(last.resolution ?? r)
      el.dataset["drawn"] = String(ok)
    } catch (err) {
      setText(statusEl, `No boundary yet: ${errorText(err)}`)
      el.dataset["drawn"] = "false"
    } finally {
      inflight = false
      if (again) {
        again = false
        void fetchBoundary()
      }
    }
  }

  res.addEventListener("input", () => setText(resText, res.value))
  res.addEventListener("change", () => void fetchBoundary())
  refresh.addEventListener("click", () => void fetchBoundary())
  ctx.cascade.subscribe(() => {
    if (visible) void fetchBoundary()
  })
  ctx.reloaded.subscribe(() => {
    points = []
    if (visible) void fetchBoundary()
  })
  ctx.theme.changed.subscribe(() => {
    if (visible && last) plot.draw(last, points)
  })
  return {
    id: "boundaries",
    label: "Decision Boundary",
    el,
    sidebar: ["network"],
    show() {
      visible = true
      void fetchBoundary()
    },
    hide() {
      visible = false
    }
  }
}
