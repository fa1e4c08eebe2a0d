// Training Metrics: status pill, phase detail and duration, KPI tiles, classification tiles, progress bars, and the
// loss / accuracy charts (train solid, validation dashed, F1/precision/recall/ROC-AUC overlaid). Points are appended
// by metrics frames; the charts repaint at most once per animation frame and only while the tab is visible.
import type { AppContext } from "../app/context.js"
import { LineChart } from "../charts/line-chart.js"
import { statusText } from "../chrome/status-bar.js"
import { perf } from "../perf/instrument.js"
import type { SeriesKey } from "../store/metrics-store.js"
import { h, setText, tile } from "../util/dom.js"
import { fmtDuration, fmtNum, fmtPct, titleCase } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"
import { KEYS, loadJson, saveJson } from "../util/storage.js"
import type { Tab } from "./tab.js"

type ViewMode = "window" | "full" | "since-unit"
interface ViewPrefs {
  mode: ViewMode
  window: number
}

const progress = (label: string, testId: string) => {
  const bar = h("progress", { class: "progress", attrs: { max: "1", value: "0" }, data: { testid: testId } })
  const text = h("span", { class: "progress-text", text: "—" })
  return { el: h("div", { class: "progress-row" }, h("span", { class: "progress-label", text: label }), bar, text), bar, text }
}

export const createMetricsTab = (ctx: AppContext): Tab => {
  const prefs = loadJson<ViewPrefs>(KEYS.metricsView, { mode: "window", window: 500 })
  const pill = h("span", { class: "pill", text: "Stopped", data: { testid: "metrics-status-pill" } })
  const phaseDetail = h("span", { class: "phase-detail", data: { testid: "phase-detail" } })
  const phaseDuration = h("span", { class: "phase-duration", data: { testid: "phase-duration" } })

  const tStep = tile("Step", "kpi-step")
  const tLoss = tile("Loss", "kpi-loss")
  const tAcc = tile("Accuracy", "kpi-accuracy")
  const tHidden = tile("Hidden Units", "kpi-hidden")
  const tLr = tile("Learning Rate", "kpi-lr")
  const tF1 = tile("F1", "kpi-f1")
  const tPrec = tile("Precision", "kpi-precision")
  const tRec = tile("Recall", "kpi-recall")
  const tAuc = tile("ROC-AUC", "kpi-roc-auc")
  const pGrow = progress("Growth iteration", "progress-growth")
  const pEpoch = progress("Phase epoch", "progress-epoch")

  const loss = new LineChart(
    { title: "Loss", xLabel: "Epoch", yLabel: "MSE loss", testId: "chart-loss", series: [{ label: "Train loss", color: "train" }, { label: "Validation loss", color: "val", dash: [6, 4], spanGaps: true }] },
    ctx.theme
  )
  const acc = new LineChart(
    {
      title: "Accuracy",
      xLabel: "Epoch",
      yLabel: "Score",
      yRange: [0, 1],
      testId: "chart-accuracy",
      series: [
        { label: "Train accuracy", color: "accuracy" },
        { label: "Validation accuracy", color: "valAccuracy", dash: [6, 4], spanGaps: true },
        { label: "F1", color: "f1", width: 1.25, spanGaps: true, points: true },
        { label: "Precision", color: "precision", width: 1.25, spanGaps: true },
        { label: "Recall", color: "recall", width: 1.25, spanGaps: true },
        { label: "ROC-AUC", color: "rocAuc", width: 1.25, spanGaps: true }
      ]
    },
    ctx.theme
  )

  const modeSel = h(
    "select",
    { class: "input input-inline", id: "metrics-mode", data: { testid: "metrics-mode" } },
    h("option", { value: "window", text: "Sliding window" }),
    h("option", { value: "full", text: "Full history" }),
    h("option", { value: "since-unit", text: "Since last hidden unit" })
  )
  const windowInput = h("input", { class: "input input-inline", type: "number", id: "metrics-window", attrs: { min: "10", max: "1000", step: "10" }, value: String(prefs.window), data: { testid: "metrics-window" } })
  modeSel.value = prefs.mode
  const onPrefs = () => {
    prefs.mode = modeSel.value as ViewMode
    prefs.window = Math.min(1000, Math.max(10, Number(windowInput.value) || 500))
    windowInput.disabled = prefs.mode !== "window"
    saveJson(KEYS.metricsView, prefs)
    scheduleRender("metrics-charts", renderCharts)
  }
  modeSel.addEventListener("change", onPrefs)
  windowInput.addEventListener("change", onPrefs)
  windowInput.disabled = prefs.mode !== "window"

  const pointCount = h("span", { class: "muted", data: { testid: "metrics-points" } })
  const el = h(
    "div",
    { class: "tab-metrics" },
    h("div", { class: "phase-row" }, pill, phaseDetail, phaseDuration),
    h("div", { class: "tiles" }, tStep.el, tLoss.el, tAcc.el, tHidden.el, tLr.el),
    h("div", { class: "tiles tiles-small" }, tF1.el, tPrec.el, tRec.el, tAuc.el),
    h("div", { class: "progress-block" }, pGrow.el, pEpoch.el),
    h("div", { class: "chart-toolbar" }, h("label", { for: "metrics-mode", text: "View" }), modeSel, h("label", { for: "metrics-window", text: "Window" }), windowInput, pointCount),
    h("div", { class: "charts-grid" }, loss.el, acc.el)
  )

  let visible = false

  const renderCharts = () => {
    if (!visible) return
    const m = ctx.metrics
    const n = m.length
    let start = 0
    if (prefs.mode === "window") start = Math.max(0, n - prefs.window)
    else if (prefs.mode === "since-unit") {
      const last = m.markers[m.markers.length - 1]
      if (last) start = Math.max(0, m.x.findIndex((x) => x >= last.x))
    }
    const x = start ? m.x.slice(start) : m.x
    const col = (k: SeriesKey) => (start ? m.cols[k].slice(start) : m.cols[k])
    const x0 = x[0] ?? 0
    const markers = m.markers.filter((mk) => mk.x >= x0).map((mk) => ({ x: mk.x, label: `unit ${mk.units}` }))
    loss.setData(x, [col("loss"), col("valLoss")], markers)
    acc.setData(x, [col("accuracy"), col("valAccuracy"), col("f1"), col("precision"), col("recall"), col("rocAuc")], markers)
    perf.metricsRenders++
    perf.metricsPointsDrawn = m.liveAppended
    setText(pointCount, `${n.toLocaleString("en-US")} points`)
    el.dataset["points"] = String(n)
  }

  const renderTiles = () => {
    const s = ctx.status.current
    const p = ctx.metrics.latest
    setText(pill, statusText(s))
    pill.dataset["fsm"] = s.fsm
    const parts: string[] = []
    if (s.phase && s.phase !== "IDLE") parts.push(titleCase(s.phase))
    if (s.growIteration !== null && s.growMax) parts.push(`Growth Iteration ${s.growIteration}/${s.growMax}`)
    if (s.bestCorrelation !== null) parts.push(`best correlation ${fmtNum(s.bestCorrelation, 4)}`)
    if (s.phase === "CANDIDATE" && s.candidatesTotal) parts.push(`Candidates ${s.candidatesTrained ?? 0}/${s.candidatesTotal}`)
    setText(phaseDetail, parts.join(" · "))
    setText(tStep.value, s.step === null ? (p?.step !== null && p?.step !== undefined ? String(p.step) : "—") : String(s.step))
    setText(tLoss.value, fmtNum(p?.loss ?? null, 4))
    setText(tLoss.sub, p?.valLoss !== null && p?.valLoss !== undefined ? `val ${fmtNum(p.valLoss, 4)}` : "")
    setText(tAcc.value, fmtPct(p?.accuracy ?? null))
    setText(tAcc.sub, p?.valAccuracy !== null && p?.valAccuracy !== undefined ? `val ${fmtPct(p.valAccuracy)}` : "")
    setText(tHidden.value, `${s.hiddenUnits ?? p?.hiddenUnits ?? 0} / ${s.maxHiddenUnits ?? "—"}`)
    setText(tLr.value, fmtNum(p?.learningRate ?? s.learningRate, 5))
    setText(tF1.value, fmtNum(ctx.metrics.lastValue("f1"), 3))
    setText(tPrec.value, fmtNum(ctx.metrics.lastValue("precision"), 3))
    setText(tRec.value, fmtNum(ctx.metrics.lastValue("recall"), 3))
    setText(tAuc.value, fmtNum(ctx.metrics.lastValue("rocAuc"), 3))
    const grow = s.growMax ? (s.growIteration ?? 0) / s.growMax : 0
    pGrow.bar.value = Math.min(1, grow)
    setText(pGrow.text, s.growMax ? `${s.growIteration ?? 0} / ${s.growMax}` : "—")
    const cand = s.phase === "CANDIDATE"
    const e = cand ? s.candidateEpoch : s.outputEpoch
    const te = cand ? s.candidateTotalEpochs : s.outputTotalEpochs
    pEpoch.bar.value = te ? Math.min(1, (e ?? 0) / te) : 0
    setText(pEpoch.text, te ? `${cand ? "candidate" : "output"} ${e ?? 0} / ${te}` : "—")
  }

  ctx.metrics.changed.subscribe(() => {
    scheduleRender("metrics-tiles", renderTiles)
    if (visible) scheduleRender("metrics-charts", renderCharts)
  })
  ctx.status.changed.subscribe(() => scheduleRender("metrics-tiles", renderTiles))
  setInterval(() => {
    const s = ctx.status.current
    setText(phaseDuration, s.phaseStartedAt && s.fsm === "STARTED" ? `in phase ${fmtDuration(Date.now() / 1000 - (s.phaseStartedAt > 1e12 ? s.phaseStartedAt / 1000 : s.phaseStartedAt))}` : "")
  }, 1000)
  renderTiles()

  return {
    id: "metrics",
    label: "Training Metrics",
    el,
    sidebar: ["network", "candidates"],
    show() {
      visible = true
      loss.resize()
      acc.resize()
      renderCharts()
    },
    hide() {
      visible = false
    }
  }
}
