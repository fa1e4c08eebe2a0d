// Parameters: read-only tables (Network Training / Dataset / Candidate Training) with Pin, Parameter, Current,
// Min, Max, Default. Pins persist locally and are listed first; they survive reloads.
import type { AppContext } from "../app/context.js"
import { PARAMS, withBounds, type ParamDef, type ParamGroup } from "../params/param-defs.js"
import { h, replace } from "../util/dom.js"
import { fmtParam } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"
import { KEYS, loadJson, saveJson } from "../util/storage.js"
import type { Tab } from "./tab.js"

const TABLES: ReadonlyArray<{ readonly group: ParamGroup; readonly title: string }> = [
  { group: "network", title: "Network Training" },
  { group: "dataset", title: "Dataset" },
  { group: "candidates", title: "Candidate Training" }
]

const show = fmtParam

export const createParametersTab = (ctx: AppContext): Tab => {
  const pinned = new Set(loadJson<string[]>(KEYS.pinned, []))
  const body = h("div", { class: "param-tables" })
  const el = h("div", { class: "tab-parameters" }, h("p", { class: "muted", text: "Applied values as the server reports them. Edit them in the sidebar; pin the ones you watch." }), body)

  const row = (base: ParamDef) => {
    const p = withBounds(base, ctx.params.bounds[base.key])
    const pin = h("input", { type: "checkbox", title: `Pin ${p.label}`, aria: { label: `Pin ${p.label}` }, data: { testid: `pin-${p.key}` } })
    pin.checked = pinned.has(p.key)
    pin.addEventListener("change", () => {
      if (pin.checked) pinned.add(p.key)
      else pinned.delete(p.key)
      saveJson(KEYS.pinned, [...pinned])
      render()
    })
    const num = p.kind === "int" || p.kind === "float"
    const current = ctx.params.values[p.key]
    return h(
      "tr",
      { data: { key: p.key } },
      h("td", {}, pin),
      h("td", { title: p.help }, h("code", { text: p.key }), h("div", { class: "muted", text: p.label })),
      h("td", { class: "num", text: show(current), data: { testid: `current-${p.key}` } }),
      h("td", { class: "num", text: num ? show(p.min) : p.kind === "enum" ? p.options.map((o) => o.label).slice(0, 4).join(", ") + (p.options.length > 4 ? "…" : "") : "—" }),
      h("td", { class: "num", text: num ? show(p.max) : "—" }),
      h("td", { class: "num", text: show(p.default) })
    )
  }
  const table = (title: string, defs: ReadonlyArray<ParamDef>, testId: string) =>
    h(
      "section",
      { class: "card", data: { testid: testId } },
      h("h3", { class: "card-title", text: title }),
      h(
        "table",
        { class: "table" },
        h("thead", {}, h("tr", {}, ...["Pin", "Parameter", "Current", "Min", "Max", "Default"].map((c) => h("th", { text: c })))),
        h("tbody", {}, ...defs.map(row))
      )
    )

  const render = () => {
    const pins = PARAMS.filter((p) => pinned.has(p.key))
    replace(
      body,
      pins.length ? table("Pinned", pins, "params-pinned") : null,
      ...TABLES.map((t) => table(t.title, PARAMS.filter((p) => p.group === t.group), `params-table-${t.group}`))
    )
    el.dataset["loaded"] = String(ctx.params.loaded)
  }
  let visible = false
  ctx.params.changed.subscribe(() => {
    if (visible) scheduleRender("parameters", render)
  })
  return {
    id: "parameters",
    label: "Parameters",
    el,
    sidebar: ["network", "candidates"],
    show() {
      visible = true
      render()
    },
    hide() {
      visible = false
    }
  }
}
