// The editable meta-parameter sections of the sidebar (Neural Network, Candidate Nodes) and the Apply button.
// Apply is enabled only when a field differs from the applied value; out-of-bounds or empty fields are refused with
// a visible message next to the field and in the Apply area; the result toast stays until dismissed.
import type { AppContext } from "../app/context.js"
import { errorText } from "../api/rest.js"
import { h, setText } from "../util/dom.js"
import { applySummary, setParams } from "./apply.js"
import { GROUP_TITLES, PARAMS, withBounds, type ParamDef, type ParamGroup } from "./param-defs.js"
import { parseField, sameValue, selectionErrors } from "./validate.js"

/** Keys whose cross-field rules (§6 selection) are checked when one of them changes. */
const SELECTION_KEYS = new Set(["cn_pool_size", "cn_selected_candidates", "cn_top_candidates", "cn_random_candidates", "cn_multi_candidate"])

interface Field {
  readonly def: ParamDef
  readonly input: HTMLInputElement | HTMLSelectElement
  readonly error: HTMLElement
  readonly row: HTMLElement
}

const fieldValue = (f: Field): string | boolean => (f.input instanceof HTMLInputElement && f.input.type === "checkbox" ? f.input.checked : f.input.value)

const setFieldValue = (f: Field, v: unknown): void => {
  if (f.input instanceof HTMLInputElement && f.input.type === "checkbox") f.input.checked = v === true
  else if (f.def.key === "cn_candidate_selection") f.input.value = v === "top_tier" ? "top" : String(v ?? f.def.default)
  else f.input.value = v === undefined || v === null ? String(f.def.default) : String(v)
}

export interface ParamsForm {
  readonly sections: ReadonlyMap<ParamGroup, HTMLElement>
  readonly applyArea: HTMLElement
}

export const createParamsForm = (ctx: AppContext): ParamsForm => {
  const fields = new Map<string, Field>()
  const sections = new Map<ParamGroup, HTMLElement>()
  const applied = (key: string): unknown => ctx.params.values[key] ?? PARAMS.find((p) => p.key === key)?.default

  const makeInput = (def: ParamDef): HTMLInputElement | HTMLSelectElement => {
    const id = `param-${def.key}`
    if (def.kind === "enum") return h("select", { id, class: "input", data: { testid: id } }, ...def.options.map((o) => h("option", { value: o.value, text: o.label })))
    if (def.kind === "bool") return h("input", { id, type: "checkbox", data: { testid: id } })
    // step="any" accepts typed floats; bounds are checked by us so that the message can name them.
    return h("input", { id, class: "input", type: "number", attrs: { step: "any", inputmode: "decimal" }, data: { testid: id }, disabled: def.readOnly === true })
  }

  for (const group of ["network", "candidates"] as const) {
    const body = h("div", { class: "param-fields" })
    for (const def of PARAMS.filter((p) => p.group === group)) {
      const input = makeInput(def)
      const error = h("div", { class: "field-error", role: "alert", data: { testid: `error-${def.key}` } })
      const bounds = def.kind === "int" || def.kind === "float" ? ` [${def.min} … ${def.max}]` : ""
      const label = h("label", { class: "field-label", for: input.id, title: `${def.help}${bounds}`, text: def.label })
      const row = h("div", { class: `field field-${def.kind}`, data: { key: def.key } }, label, input, error)
      const f: Field = { def, input, error, row }
      fields.set(def.key, f)
      setFieldValue(f, applied(def.key))
      input.addEventListener("input", () => refresh())
      input.addEventListener("change", () => refresh())
      body.append(row)
    }
    sections.set(group, h("details", { class: "sidebar-section params-section", attrs: { open: "" }, data: { testid: `section-${group}` } }, h("summary", { class: "sidebar-title", text: GROUP_TITLES[group] }), body))
  }

  const applyBtn = h("button", { class: "btn btn-primary", type: "button", text: "Apply", title: "Send the changed parameters to the training service", data: { testid: "params-apply" }, disabled: true })
  const applyMsg = h("div", { class: "apply-message", role: "alert", data: { testid: "params-refused" } })
  const changedNote = h("div", { class: "apply-changed", data: { testid: "params-changed" } })

  /**
   * Changed keys and their parsed values, plus the validation errors of the changed fields. A value the server
   * applied itself is never held against the user (cascor may legitimately report one outside the UI bounds).
   */
  const collect = (): { changed: Map<string, unknown>; errors: string[] } => {
    const changed = new Map<string, unknown>()
    const errors: string[] = []
    const all: Record<string, unknown> = {}
    for (const [key, f] of fields) {
      if (f.def.kind !== "enum" && f.def.kind !== "bool" && f.def.readOnly) continue
      const raw = fieldValue(f)
      const dirty = isDirty(key, f)
      const parsed = parseField(withBounds(f.def, ctx.params.bounds[key]), raw)
      const bad = dirty && !parsed.ok
      setText(f.error, bad && !parsed.ok ? parsed.error : "")
      f.row.classList.toggle("invalid", bad)
      if (bad) f.input.setAttribute("aria-invalid", "true")
      else f.input.removeAttribute("aria-invalid")
      if (!parsed.ok) {
        if (dirty) errors.push(parsed.error)
        all[key] = applied(key)
        continue
      }
      all[key] = parsed.value
      if (dirty) changed.set(key, parsed.value)
    }
    if ([...changed.keys()].some((k) => SELECTION_KEYS.has(k))) errors.push(...selectionErrors(all))
    return { changed, errors }
  }

  const isDirty = (key: string, f: Field): boolean => {
    if (f.def.kind !== "enum" && f.def.kind !== "bool" && f.def.readOnly) return false
    const raw = fieldValue(f)
    return raw === "" || !sameValue(key, raw, applied(key))
  }
  const dirtyCount = (): number => [...fields].filter(([key, f]) => isDirty(key, f)).length

  const refresh = () => {
    const { errors } = collect()
    const dirty = dirtyCount()
    applyBtn.disabled = dirty === 0
    setText(changedNote, dirty ? `${dirty} changed` : "")
    if (errors.length === 0) setText(applyMsg, "")
  }

  applyBtn.addEventListener("click", async () => {
    const { changed, errors } = collect()
    if (errors.length) {
      setText(applyMsg, `Not applied: ${errors.join("; ")}`)
      applyMsg.classList.add("visible")
      return
    }
    if (changed.size === 0) return
    setText(applyMsg, "")
    applyBtn.disabled = true
    const body = Object.fromEntries(changed)
    try {
      const r = await setParams(body)
      ctx.params.merge({ ...body, ...(r.state ?? {}) })
      const text = applySummary([...changed.keys()], r)
      ctx.toasts.show({ kind: (r.skipped_detail?.length ?? r.skipped?.length ?? 0) > 0 ? "warning" : "success", title: "Parameters", body: text, testId: "params-toast" })
    } catch (err) {
      ctx.toasts.show({ kind: "error", title: "Apply failed", body: errorText(err), testId: "params-toast" })
    } finally {
      refresh()
    }
  })

  // Server-side changes update the fields the user has not touched.
  let lastApplied: Record<string, unknown> = {}
  const syncFromStore = () => {
    for (const [key, f] of fields) {
      const def = withBounds(f.def, ctx.params.bounds[key])
      const label = f.row.querySelector("label")
      if (label && (def.kind === "int" || def.kind === "float")) label.title = `${def.help} [${def.min} … ${def.max}]`
      const prev = lastApplied[key] ?? f.def.default
      if (sameValue(key, fieldValue(f), prev)) setFieldValue(f, applied(key))
    }
    lastApplied = { ...Object.fromEntries(PARAMS.map((p) => [p.key, p.default])), ...ctx.params.values }
    refresh()
  }
  ctx.params.changed.subscribe(syncFromStore)
  syncFromStore()

  const applyArea = h("div", { class: "sidebar-section apply-area" }, h("div", { class: "apply-row" }, applyBtn, changedNote), applyMsg)
  return { sections, applyArea }
}
