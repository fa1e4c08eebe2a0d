// Network Evolution: one card per growth step (unit, correlation, loss/accuracy at that moment, a thumbnail of the
// network once its topology arrived). Pushed frames only; Clear empties the gallery.
import type { AppContext } from "../app/context.js"
import { miniNetwork } from "../charts/mini-network.js"
import { h, replace } from "../util/dom.js"
import { fmtNum, fmtPct, fmtTime } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"
import type { Tab } from "./tab.js"

export const createEvolutionTab = (ctx: AppContext): Tab => {
  const gallery = h("div", { class: "evolution-gallery", data: { testid: "evolution-gallery" } })
  const clear = h("button", { class: "btn btn-small", type: "button", text: "Clear", data: { testid: "evolution-clear" } })
  clear.addEventListener("click", () => ctx.evolution.clear())
  const empty = h("p", { class: "empty", text: "Each installed hidden unit adds a card here.", data: { testid: "evolution-empty" } })
  const el = h("div", { class: "tab-evolution" }, h("div", { class: "chart-toolbar" }, h("span", { class: "muted", text: "One card per growth step, newest first." }), clear), empty, gallery)
  let visible = false
  const thumbs = new WeakMap<object, HTMLCanvasElement>()

  const render = () => {
    const steps = ctx.evolution.steps
    empty.hidden = steps.length > 0
    el.dataset["cards"] = String(steps.length)
    if (!visible) return
    replace(
      gallery,
      ...[...steps].reverse().map((s) => {
        let thumb: HTMLCanvasElement | null = null
        if (s.graph) {
          thumb = thumbs.get(s.graph) ?? miniNetwork(s.graph)
          thumbs.set(s.graph, thumb)
        }
        return h(
          "article",
          { class: "evo-card", data: { testid: "evolution-card", units: String(s.hiddenUnits) } },
          h("header", { class: "evo-head" }, h("strong", { text: `${s.hiddenUnits} hidden unit${s.hiddenUnits === 1 ? "" : "s"}` }), h("span", { class: "muted", text: s.unit !== null ? `+H${s.unit}` : "" })),
          thumb ?? h("div", { class: "evo-thumb-placeholder muted", text: "waiting for topology…" }),
          h(
            "dl",
            { class: "evo-facts" },
            h("dt", { text: "Correlation" }), h("dd", { text: fmtNum(s.correlation, 4) }),
            h("dt", { text: "Loss" }), h("dd", { text: fmtNum(s.loss, 4) }),
            h("dt", { text: "Accuracy" }), h("dd", { text: `${fmtPct(s.accuracy)}${s.valAccuracy !== null ? ` (val ${fmtPct(s.valAccuracy)})` : ""}` }),
            h("dt", { text: "Step" }), h("dd", { text: s.step === null ? "—" : String(s.step) }),
            h("dt", { text: "At" }), h("dd", { text: fmtTime(s.at / 1000) })
          )
        )
      })
    )
  }
  ctx.evolution.changed.subscribe(() => scheduleRender("evolution", render))
  ctx.theme.changed.subscribe(() => {
    for (const s of ctx.evolution.steps) if (s.graph) thumbs.delete(s.graph)
    scheduleRender("evolution", render)
  })
  return {
    id: "evolution",
    label: "Network Evolution",
    el,
    sidebar: ["network"],
    show() {
      visible = true
      render()
    },
    hide() {
      visible = false
    }
  }
}
