// Dataset View: tiles (samples, features, classes, balance), split All/Train/Test, the 2-D scatter by class,
// per-feature histograms, and the generator form. /api/dataset is read when the tab opens and on Load.
import type { AppContext } from "../app/context.js"
import { classOf } from "../api/normalize.js"
import { errorText, getJson } from "../api/rest.js"
import type { DatasetDoc } from "../api/types.js"
import { histogram } from "../charts/histogram.js"
import { chartTheme } from "../charts/palette.js"
import { drawPoints, PlotCanvas, type ScatterPoint } from "../charts/plot-canvas.js"
import { h, replace, setText, tile } from "../util/dom.js"
import { createGeneratorForm } from "./generator-form.js"
import type { Tab } from "./tab.js"

type Split = "all" | "train" | "test"

export const createDatasetTab = (ctx: AppContext): Tab => {
  const plot = new PlotCanvas("dataset-scatter", 0.8)
  const tSamples = tile("Samples", "ds-samples")
  const tFeatures = tile("Features", "ds-features")
  const tClasses = tile("Classes", "ds-classes")
  const tBalance = tile("Balance", "ds-balance")
  const tName = tile("Dataset", "ds-name")
  const splitBtns = new Map<Split, HTMLButtonElement>()
  let split: Split = "all"
  const splitGroup = h("div", { class: "segmented", role: "group", aria: { label: "Split" }, data: { testid: "dataset-split" } })
  for (const s of ["all", "train", "test"] as const) {
    const b = h("button", { class: "seg", type: "button", text: s === "all" ? "All" : s === "train" ? "Train" : "Test", data: { split: s, testid: `split-${s}` }, aria: { pressed: String(s === split) } })
    b.addEventListener("click", () => {
      split = s
      for (const [k, btn] of splitBtns) btn.setAttribute("aria-pressed", String(k === s))
      draw()
    })
    splitBtns.set(s, b)
    splitGroup.append(b)
  }
  const loadBtn = h("button", { class: "btn btn-small", type: "button", text: "Load", title: "Reload the dataset from the server", data: { testid: "dataset-load" } })
  const statusEl = h("p", { class: "muted", data: { testid: "dataset-status" } })
  const hist = h("div", { class: "histograms", data: { testid: "dataset-histograms" } })
  const gen = createGeneratorForm(ctx)
  const el = h(
    "div",
    { class: "tab-dataset" },
    h("div", { class: "tiles" }, tName.el, tSamples.el, tFeatures.el, tClasses.el, tBalance.el),
    h("div", { class: "chart-toolbar" }, h("span", { class: "muted", text: "Split" }), splitGroup, loadBtn),
    statusEl,
    h("div", { class: "dataset-grid" }, h("div", { class: "canvas-host" }, plot.canvas), gen.el),
    h("h3", { class: "section-title", text: "Feature histograms" }),
    hist
  )
  let doc: DatasetDoc | null = null
  let visible = false

  const pointsOf = (d: DatasetDoc, which: Split): ScatterPoint[] => {
    const tr = which === "test" ? [] : (d.X_train ?? []).map((x, i) => ({ x: x[0] ?? 0, y: x[1] ?? 0, cls: classOf(d.y_train?.[i]) }))
    const te = which === "train" ? [] : (d.X_val ?? []).map((x, i) => ({ x: x[0] ?? 0, y: x[1] ?? 0, cls: classOf(d.y_val?.[i]), hollow: true }))
    return [...tr, ...te]
  }

  const draw = () => {
    if (!doc || !visible) return
    const all = pointsOf(doc, "all")
    const pts = pointsOf(doc, split)
    const t = chartTheme()
    const frame = plot.begin(PlotCanvas.boundsOf(all), t)
    if (frame) drawPoints(frame.ctx, pts, frame.px, frame.py, t)
    el.dataset["points"] = String(pts.length)
    const X = [...(split === "test" ? [] : doc.X_train ?? []), ...(split === "train" ? [] : doc.X_val ?? [])]
    const y = pts.map((p) => p.cls)
    const nf = X[0]?.length ?? 0
    replace(hist, ...Array.from({ length: Math.min(nf, 6) }, (_, f) => histogram(`feature ${f}`, X.map((r) => r[f] ?? 0), y)))
  }

  const render = () => {
    const d = doc
    if (!d) return
    const trainN = d.train_samples ?? d.X_train?.length ?? 0
    const testN = d.test_samples ?? d.X_val?.length ?? 0
    setText(tName.value, d.generator ?? "—")
    setText(tName.sub, d.dataset_id ?? "")
    setText(tSamples.value, String(trainN + testN))
    setText(tSamples.sub, `${trainN} train · ${testN} test`)
    setText(tFeatures.value, String(d.input_features ?? d.X_train?.[0]?.length ?? "—"))
    const counts = new Map<number, number>()
    for (const p of pointsOf(d, "all")) counts.set(p.cls, (counts.get(p.cls) ?? 0) + 1)
    setText(tClasses.value, String(counts.size || (d.output_features ?? "—")))
    const total = [...counts.values()].reduce((a, b) => a + b, 0) || 1
    setText(tBalance.value, [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => String(Math.round((n / total) * 100))).join(":") || "—")
    setText(statusEl, d.loaded === false ? "No dataset loaded yet." : "")
    draw()
  }

  const load = async () => {
    setText(statusEl, "Loading…")
    try {
      doc = await getJson<DatasetDoc>("/api/dataset", undefined, 10_000)
      render()
    } catch (err) {
      setText(statusEl, `Dataset unavailable: ${errorText(err)}`)
    }
  }
  loadBtn.addEventListener("click", () => void load())
  ctx.theme.changed.subscribe(() => draw())
  ctx.reloaded.subscribe(() => {
    doc = null
    if (visible) void load()
  })
  let generatorsLoaded = false
  return {
    id: "dataset",
    label: "Dataset View",
    el,
    sidebar: [],
    show() {
      visible = true
      if (!doc) void load()
      else draw()
      if (!generatorsLoaded) {
        generatorsLoaded = true
        void gen.load()
      }
    },
    hide() {
      visible = false
    }
  }
}
