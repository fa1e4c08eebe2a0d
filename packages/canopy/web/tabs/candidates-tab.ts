// Candidate Metrics: pool status, phase, pool size, candidate epoch e/T, the current pool (bars + collapsible table),
// best/mean |correlation| over candidate epochs, and capped cards of past pools. Fed by candidate_progress, state
// and cascade_add frames.
import type { AppContext } from "../app/context.js"
import { CorrelationBars } from "../charts/bars.js"
import { LineChart } from "../charts/line-chart.js"
import { h, replace, setText, tile } from "../util/dom.js"
import { fmtNum, fmtTime, titleCase } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"
import type { Tab } from "./tab.js"

export const createCandidatesTab = (ctx: AppContext): Tab => {
  const badge = h("span", { class: "badge badge-grey", text: "Idle", data: { testid: "pool-badge" } })
  const tPhase = tile("Phase", "cand-phase")
  const tPool = tile("Pool size", "cand-pool-size")
  const tEpoch = tile("Candidate epoch", "cand-epoch")
  const tBest = tile("Best |correlation|", "cand-best")
  const bars = new CorrelationBars()
  const chart = new LineChart(
    { title: "Best candidate correlation per growth step", xLabel: "Hidden unit", yLabel: "|correlation|", testId: "chart-candidates", height: 220, integerX: true, series: [{ label: "Best |corr| of the pool", color: "train", points: true, spanGaps: true }] },
    ctx.theme
  )
  const tableBody = h("tbody")
  const pool = h(
    "details",
    { class: "card", data: { testid: "candidate-pool" } },
    h("summary", { class: "card-title", text: "Current pool" }),
    h("table", { class: "table" }, h("thead", {}, h("tr", {}, h("th", { text: "Candidate" }), h("th", { text: "Correlation" }), h("th", { text: "|corr| share" }))), tableBody)
  )
  const historyEl = h("div", { class: "cards-row", data: { testid: "pool-history" } })
  const empty = h("p", { class: "empty", text: "No candidate phase yet: candidates are trained after the first output pass.", data: { testid: "candidates-empty" } })
  const el = h(
    "div",
    { class: "tab-candidates" },
    h("div", { class: "phase-row" }, badge),
    h("div", { class: "tiles" }, tPhase.el, tPool.el, tEpoch.el, tBest.el),
    empty,
    h("section", { class: "card" }, h("h3", { class: "card-title", text: "Per-candidate correlation" }), h("div", { class: "bars-host" }, bars.canvas)),
    chart.el,
    pool,
    h("h3", { class: "section-title", text: "Pool history" }),
    historyEl
  )
  let visible = false

  const render = () => {
    const c = ctx.candidates
    const s = ctx.status.current
    const active = s.phase === "CANDIDATE" || c.active
    setText(badge, active ? "Training candidates" : c.history.length ? "Pool complete" : "Idle")
    badge.className = `badge ${active ? "badge-blue" : c.history.length ? "badge-green" : "badge-grey"}`
    setText(tPhase.value, titleCase(s.phase || "IDLE"))
    setText(tPool.value, String(s.poolSize ?? s.candidatesTotal ?? (c.correlations.size || "—")))
    setText(tEpoch.value, c.totalEpochs ? `${c.epoch} / ${c.totalEpochs}` : s.candidateTotalEpochs ? `${s.candidateEpoch ?? 0} / ${s.candidateTotalEpochs}` : "—")
    const vals = [...c.correlations.entries()].map(([id, corr]) => ({ id, corr }))
    const best = vals.length ? Math.max(...vals.map((v) => Math.abs(v.corr))) : s.bestCorrelation
    setText(tBest.value, fmtNum(best ?? null, 4))
    el.dataset["candidates"] = String(vals.length)
    empty.hidden = vals.length > 0 || c.history.length > 0
    if (!visible) return
    bars.draw(vals, s.bestCandidateId)
    // One point per finished pool (oldest first): how well the pool could still explain the residual.
    // Only the current run: the newest pools back to where the unit index last went down (a new run).
    const pools = c.history.filter((r) => r.unit !== null && r.best !== null)
    let n = pools.length ? 1 : 0
    while (n < pools.length && pools[n]!.unit! < pools[n - 1]!.unit!) n++
    const use = pools.slice(0, n).reverse()
    chart.setData(use.map((r) => r.unit!), [use.map((r) => Math.abs(r.best!))])
    const sum = vals.reduce((a, v) => a + Math.abs(v.corr), 0) || 1
    replace(
      tableBody,
      ...vals
        .sort((a, b) => Math.abs(b.corr) - Math.abs(a.corr))
        .slice(0, 100)
        .map((v) => h("tr", {}, h("td", { text: `#${v.id}` }), h("td", { text: fmtNum(v.corr, 5) }), h("td", { text: `${((Math.abs(v.corr) / sum) * 100).toFixed(1)}%` })))
    )
    replace(
      historyEl,
      ...c.history.slice(0, 12).map((r) =>
        h(
          "div",
          { class: `mini-card ${r.installed ? "installed" : ""}` },
          h("div", { class: "mini-card-title", text: r.unit !== null ? `Unit ${r.unit}` : "Pool" }),
          h("div", { text: `best ${fmtNum(r.best, 4)}${r.bestId !== null ? ` (#${r.bestId})` : ""}` }),
          h("div", { class: "muted", text: `${r.candidates} candidates · ${r.epochs} epochs` }),
          h("div", { class: "muted", text: r.installed ? `installed · ${fmtTime(r.at / 1000)}` : fmtTime(r.at / 1000) })
        )
      )
    )
  }
  ctx.candidates.changed.subscribe(() => scheduleRender("candidates", render))
  ctx.status.changed.subscribe(() => scheduleRender("candidates", render))
  render()
  return {
    id: "candidates",
    label: "Candidate Metrics",
    el,
    sidebar: ["candidates"],
    show() {
      visible = true
      chart.resize()
      render()
    },
    hide() {
      visible = false
    }
  }
}
