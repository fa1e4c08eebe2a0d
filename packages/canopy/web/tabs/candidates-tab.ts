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
    { title: "Candidate correlation", xLabel: "Candidate epoch", yLabel: "|correlation|", testId: "chart-candidates", height: 220, series: [{ label: "Best", color: "train", points: true }, { label: "Pool mean", color: "val", dash: [6, 4] }] },
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
    chart.setData(c.trace.epochs, [c.trace.best, c.trace.mean])
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
      ...c.history.map((r) =>
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
