// Dataset generator form driven by JuniperData's JSON Schema (default, minimum, maximum, exclusive bounds, enum):
// the fields follow the selected generator. "Apply dataset" stages it (applies on restart; a banner offers Restart
// with a start-fresh toggle, or Cancel).
import type { AppContext } from "../app/context.js"
import { loadStatus } from "../app/load.js"
import { csrfToken } from "../api/csrf.js"
import { ApiError, errorText, getJson, postJson, request } from "../api/rest.js"
import type { GeneratorInfo, GeneratorsResponse, JsonSchema, JsonSchemaProp, RestartResponse } from "../api/types.js"
import { confirmWithToggle } from "../chrome/modal.js"
import { h, replace, setText } from "../util/dom.js"

interface GenField {
  readonly name: string
  readonly label: string
  readonly prop: JsonSchemaProp
  readonly input: HTMLInputElement | HTMLSelectElement
  readonly error: HTMLElement
}

/** The non-null branch of an `anyOf: [{type: X}, {type: "null"}]`. */
const effective = (p: JsonSchemaProp): JsonSchemaProp & { nullable?: boolean } => {
  if (p.anyOf) {
    const main = p.anyOf.find((a) => a.type !== "null") ?? {}
    return { ...main, ...p, type: main.type ?? "string", nullable: p.anyOf.some((a) => a.type === "null") }
  }
  return p
}

export const parseGenField = (f: { name: string; prop: JsonSchemaProp }, raw: string | boolean): { ok: true; value: unknown } | { ok: false; error: string } => {
  const p = effective(f.prop)
  const label = p.title ?? f.name
  if (p.type === "boolean") return { ok: true, value: raw === true }
  if (p.enum) return { ok: true, value: p.enum.find((e) => String(e) === String(raw)) ?? raw }
  const text = String(raw).trim()
  if (text === "") return (p as { nullable?: boolean }).nullable ? { ok: true, value: null } : { ok: false, error: `${label}: a value is required` }
  if (p.type === "integer" || p.type === "number") {
    const v = Number(text)
    if (!Number.isFinite(v)) return { ok: false, error: `${label}: "${text}" is not a number` }
    if (p.type === "integer" && !Number.isInteger(v)) return { ok: false, error: `${label}: must be a whole number` }
    if (p.minimum !== undefined && v < p.minimum) return { ok: false, error: `${label}: ${v} is below the minimum ${p.minimum}` }
    if (p.maximum !== undefined && v > p.maximum) return { ok: false, error: `${label}: ${v} is above the maximum ${p.maximum}` }
    if (p.exclusiveMinimum !== undefined && v <= p.exclusiveMinimum) return { ok: false, error: `${label}: must be greater than ${p.exclusiveMinimum}` }
    if (p.exclusiveMaximum !== undefined && v >= p.exclusiveMaximum) return { ok: false, error: `${label}: must be less than ${p.exclusiveMaximum}` }
    return { ok: true, value: v }
  }
  if (p.type === "array") {
    try {
      const v = JSON.parse(text.startsWith("[") ? text : `[${text}]`) as unknown
      return Array.isArray(v) ? { ok: true, value: v } : { ok: false, error: `${label}: expected a list` }
    } catch {
      return { ok: false, error: `${label}: expected a comma-separated list` }
    }
  }
  return { ok: true, value: text }
}

export const createGeneratorForm = (ctx: AppContext): { readonly el: HTMLElement; readonly load: () => Promise<void> } => {
  const select = h("select", { class: "input", id: "generator-select", data: { testid: "generator-select" } })
  const fieldsEl = h("div", { class: "param-fields generator-fields", data: { testid: "generator-fields" } })
  const apply = h("button", { class: "btn btn-primary", type: "button", text: "Apply dataset", data: { testid: "generator-apply" } })
  const msg = h("div", { class: "apply-message", role: "alert", data: { testid: "generator-message" } })
  const desc = h("p", { class: "muted" })
  const banner = h("div", { class: "pending-banner", hidden: true, data: { testid: "pending-banner" } })
  let generators: GeneratorInfo[] = []
  let fields: GenField[] = []

  const renderFields = () => {
    const g = generators.find((x) => x.name === select.value)
    setText(desc, g?.description ?? "")
    const schema = (g?.schema ?? {}) as JsonSchema
    fields = Object.entries(schema.properties ?? {}).map(([name, prop]) => {
      const p = effective(prop)
      const id = `gen-${name}`
      let input: HTMLInputElement | HTMLSelectElement
      if (p.enum) input = h("select", { class: "input", id }, ...p.enum.map((e) => h("option", { value: String(e), text: String(e) })))
      else if (p.type === "boolean") input = h("input", { type: "checkbox", id })
      else input = h("input", { class: "input", id, type: p.type === "integer" || p.type === "number" ? "number" : "text", attrs: { step: "any" } })
      const d = prop.default
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = d === true
      else input.value = d === undefined || d === null ? "" : Array.isArray(d) ? d.join(", ") : String(d)
      const bounds = [p.minimum ?? p.exclusiveMinimum, p.maximum ?? p.exclusiveMaximum]
      const hint = bounds[0] !== undefined || bounds[1] !== undefined ? ` [${bounds[0] ?? "−∞"} … ${bounds[1] ?? "∞"}]` : ""
      return { name, prop, input, error: h("div", { class: "field-error", role: "alert" }), label: `${p.title ?? name}${hint}` }
    })
    replace(
      fieldsEl,
      ...fields.map((f) =>
        h("div", { class: f.input instanceof HTMLInputElement && f.input.type === "checkbox" ? "field field-bool" : "field", data: { key: f.name } }, h("label", { class: "field-label", for: f.input.id, text: f.label, title: f.prop.description ?? "" }), f.input, f.error)
      )
    )
  }

  const collect = (): { params: Record<string, unknown>; errors: string[] } => {
    const params: Record<string, unknown> = {}
    const errors: string[] = []
    for (const f of fields) {
      const raw = f.input instanceof HTMLInputElement && f.input.type === "checkbox" ? f.input.checked : f.input.value
      const r = parseGenField(f, raw)
      setText(f.error, r.ok ? "" : r.error)
      if (r.ok) params[f.name] = r.value
      else errors.push(r.error)
    }
    return { params, errors }
  }

  const renderBanner = () => {
    const p = ctx.status.current.pendingDataset
    banner.hidden = !p
    if (!p) return
    const name = typeof p === "object" && p !== null ? String((p as Record<string, unknown>)["nn_dataset_type"] ?? (p as Record<string, unknown>)["generator"] ?? "dataset") : String(p)
    const restart = h("button", { class: "btn btn-primary btn-small", type: "button", text: "Restart", data: { testid: "pending-restart" } })
    const cancel = h("button", { class: "btn btn-small", type: "button", text: "Cancel", data: { testid: "pending-cancel" } })
    restart.addEventListener("click", async () => {
      const answer = await confirmWithToggle(
        "Restart training with the staged dataset?",
        "Training stops, the staged dataset is loaded, and training starts again.",
        "Restart",
        { label: "Start fresh (discard the current network)", checked: true }
      )
      if (!answer.ok) return
      try {
        const r = await postJson<RestartResponse>("/api/train/restart", { start_fresh: answer.toggled, reset: true }, { headers: { "X-CSRF-Token": await csrfToken() }, timeoutMs: 30_000 })
        if (r.success) {
          ctx.toasts.show({ kind: "success", title: "Restarted", body: `Training restarted with ${name}`, timeoutMs: 8_000, testId: "dataset-toast" })
          ctx.reloaded.emit("dataset")
        } else {
          const failed = r.steps.filter((st) => !st.ok).map((st) => `${st.step}${st.detail ? `: ${st.detail}` : ""}`)
          ctx.toasts.show({ kind: "error", title: "Restart failed", body: failed.join("; ") || "the backend refused", timeoutMs: 8_000, testId: "dataset-toast" })
        }
      } catch (err) {
        ctx.toasts.show({ kind: "error", title: "Restart failed", body: errorText(err), timeoutMs: 8_000, testId: "dataset-toast" })
      }
      void loadStatus(ctx)
    })
    cancel.addEventListener("click", async () => {
      try {
        await request("/api/cancel_pending_dataset", { method: "DELETE" })
      } catch (err) {
        ctx.toasts.show({ kind: "error", title: "Cancel failed", body: errorText(err), timeoutMs: 8_000 })
      }
      void loadStatus(ctx)
    })
    replace(banner, h("span", { text: `Pending dataset: ${name} — applies when training restarts.` }), restart, cancel)
  }

  apply.addEventListener("click", async () => {
    const { params, errors } = collect()
    if (errors.length) {
      setText(msg, `Not applied: ${errors.join("; ")}`)
      return
    }
    setText(msg, "")
    const body: Record<string, unknown> = { nn_dataset_type: select.value, nn_dataset_params: params }
    if (typeof params["noise"] === "number") body["nn_dataset_noise"] = params["noise"]
    if (typeof params["n_rotations"] === "number") body["nn_spiral_rotations"] = params["n_rotations"]
    if (typeof params["n_spirals"] === "number") body["nn_spiral_number"] = params["n_spirals"]
    apply.disabled = true
    try {
      try {
        await postJson("/api/stage_dataset", body, { timeoutMs: 15_000 })
        ctx.toasts.show({ kind: "success", title: "Dataset staged", body: `${select.value}: applies when training restarts`, timeoutMs: 8_000, testId: "dataset-toast" })
      } catch (err) {
        // Servers without staging (S tier) may offer the demo-only generate route instead.
        if (!(err instanceof ApiError && (err.status === 404 || err.status === 405))) throw err
        await postJson("/api/dataset/generate", { generator: select.value, params }, { timeoutMs: 30_000 })
        ctx.toasts.show({ kind: "success", title: "Dataset generated", body: select.value, timeoutMs: 8_000, testId: "dataset-toast" })
        ctx.reloaded.emit("dataset")
      }
      await loadStatus(ctx)
    } catch (err) {
      setText(msg, `Dataset not applied: ${errorText(err)}`)
    } finally {
      apply.disabled = false
    }
  })
  select.addEventListener("change", renderFields)
  ctx.status.changed.subscribe(renderBanner)

  const el = h(
    "section",
    { class: "card generator-form", data: { testid: "generator-form" } },
    h("h3", { class: "card-title", text: "Choose or generate a dataset" }),
    banner,
    h("div", { class: "field" }, h("label", { class: "field-label", for: "generator-select", text: "Generator" }), select),
    desc,
    fieldsEl,
    h("div", { class: "apply-row" }, apply),
    msg
  )

  const load = async () => {
    try {
      const doc = await getJson<GeneratorsResponse>("/api/dataset/generators", undefined, 8_000)
      generators = (doc.generators ?? []).filter((g) => g && typeof g.name === "string")
      replace(select, ...generators.map((g) => h("option", { value: g.name, text: g["available"] === false ? `${g.name} (unavailable)` : g.name, disabled: g["available"] === false })))
      el.dataset["source"] = doc.source
      const current = ctx.status.current.datasetName
      const pick = generators.find((g) => current && current.toLowerCase().includes(g.name))?.name ?? generators.find((g) => g.name === "spiral")?.name ?? generators[0]?.name
      if (pick) select.value = pick
      renderFields()
      el.dataset["generators"] = String(generators.length)
    } catch (err) {
      setText(msg, `Generators unavailable: ${errorText(err)}`)
    }
  }
  renderBanner()
  return { el, load }
}
