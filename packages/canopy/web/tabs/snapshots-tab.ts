// Snapshots: create (name, description), a paginated list (limit/offset), a detail view, and Restore behind a
// confirm ("training must be paused or stopped"). Refreshed on state changes and every 10 s while visible.
import type { AppContext } from "../app/context.js"
import { errorText, getJson, postJson } from "../api/rest.js"
import type { SnapshotListResponse, SnapshotMeta } from "../api/types.js"
import { confirmDialog } from "../chrome/modal.js"
import { h, replace, setText } from "../util/dom.js"
import { fmtTime } from "../util/format.js"
import type { Tab } from "./tab.js"

const PAGE = 10

const idOf = (s: Partial<SnapshotMeta>): string => s.snapshot_id ?? (typeof s["id"] === "string" ? s["id"] : "")
const nameOf = (s: SnapshotMeta): string => (typeof s["name"] === "string" && s["name"] ? s["name"] : s.snapshot_id)

export const createSnapshotsTab = (ctx: AppContext): Tab => {
  const name = h("input", { class: "input", id: "snap-name", placeholder: "name (optional)", data: { testid: "snapshot-name" } })
  const description = h("input", { class: "input", id: "snap-desc", placeholder: "description (optional)", data: { testid: "snapshot-description" } })
  const save = h("button", { class: "btn btn-primary", type: "button", text: "Save snapshot", data: { testid: "snapshot-save" } })
  const tbody = h("tbody", { data: { testid: "snapshot-rows" } })
  const prev = h("button", { class: "btn btn-small", type: "button", text: "‹ Newer", data: { testid: "snapshot-prev" } })
  const next = h("button", { class: "btn btn-small", type: "button", text: "Older ›", data: { testid: "snapshot-next" } })
  const pageInfo = h("span", { class: "muted", data: { testid: "snapshot-page" } })
  const statusEl = h("p", { class: "muted", data: { testid: "snapshot-status" } })
  const detail = h("pre", { class: "detail", hidden: true, data: { testid: "snapshot-detail" } })
  const el = h(
    "div",
    { class: "tab-snapshots" },
    h("section", { class: "card" }, h("h3", { class: "card-title", text: "Save the current network" }), h("div", { class: "form-row" }, name, description, save)),
    h(
      "section",
      { class: "card" },
      h("h3", { class: "card-title", text: "Snapshots" }),
      statusEl,
      h("table", { class: "table" }, h("thead", {}, h("tr", {}, ...["Snapshot", "Created", "Hidden units", "Kind", "Description", ""].map((c) => h("th", { text: c })))), tbody),
      h("div", { class: "pager" }, prev, pageInfo, next)
    ),
    detail
  )
  let offset = 0
  let total: number | null = null
  let visible = false

  const refresh = async () => {
    try {
      const doc = await getJson<SnapshotListResponse>("/api/v1/snapshots", { limit: PAGE, offset }, 8_000)
      const items = doc.snapshots ?? []
      total = typeof doc.total === "number" ? doc.total : null
      replace(
        tbody,
        ...items.map((s) => {
          const id = idOf(s)
          const restore = h("button", { class: "btn btn-small", type: "button", text: "Restore", data: { testid: "snapshot-restore" } })
          const view = h("button", { class: "btn btn-small", type: "button", text: "Details" })
          restore.addEventListener("click", () => void doRestore(id))
          view.addEventListener("click", () => void showDetail(id))
          return h(
            "tr",
            { data: { id } },
            h("td", {}, h("code", { text: nameOf(s) })),
            h("td", { text: fmtTime(s.created_at) }),
            h("td", { class: "num", text: String(s.network?.hidden_units ?? "—") }),
            h("td", { text: s.kind ?? "—" }),
            h("td", { text: s.description || "" }),
            h("td", { class: "actions" }, view, restore)
          )
        })
      )
      const shown = items.length
      setText(statusEl, shown === 0 && offset === 0 ? "No snapshots yet." : "")
      setText(pageInfo, total !== null ? `${offset + 1}–${offset + shown} of ${total}` : `${offset + 1}–${offset + shown}`)
      prev.disabled = offset === 0
      next.disabled = total !== null ? offset + shown >= total : shown < PAGE
      el.dataset["rows"] = String(shown)
    } catch (err) {
      setText(statusEl, `Snapshots unavailable: ${errorText(err)}`)
    }
  }

  const showDetail = async (id: string) => {
    try {
      const d = await getJson<unknown>(`/api/v1/snapshots/${encodeURIComponent(id)}`, undefined, 8_000)
      detail.hidden = false
      detail.textContent = JSON.stringify(d, null, 2)
    } catch (err) {
      ctx.toasts.show({ kind: "error", title: "Snapshot detail failed", body: errorText(err), timeoutMs: 8_000 })
    }
  }

  const doRestore = async (id: string) => {
    const ok = await confirmDialog(`Restore snapshot ${id}?`, "Training must be paused or stopped. The current network is replaced by the snapshot.", "Restore")
    if (!ok) return
    try {
      await postJson(`/api/v1/snapshots/${encodeURIComponent(id)}/restore`, undefined, { timeoutMs: 15_000 })
      ctx.toasts.show({ kind: "success", title: "Snapshot restored", body: id, timeoutMs: 8_000, testId: "snapshot-toast" })
    } catch (err) {
      ctx.toasts.show({ kind: "error", title: "Restore failed", body: errorText(err), timeoutMs: 8_000, testId: "snapshot-toast" })
    }
    void refresh()
  }

  save.addEventListener("click", async () => {
    save.disabled = true
    try {
      const q = new URLSearchParams()
      if (name.value.trim()) q.set("name", name.value.trim())
      if (description.value.trim()) q.set("description", description.value.trim())
      const created = await postJson<Partial<SnapshotMeta>>(`/api/v1/snapshots${q.size ? `?${q}` : ""}`, undefined, { timeoutMs: 15_000 })
      ctx.toasts.show({ kind: "success", title: "Snapshot saved", body: idOf(created) || name.value, timeoutMs: 8_000, testId: "snapshot-toast" })
      name.value = ""
      description.value = ""
      offset = 0
      await refresh()
    } catch (err) {
      ctx.toasts.show({ kind: "error", title: "Snapshot failed", body: errorText(err), timeoutMs: 8_000, testId: "snapshot-toast" })
    } finally {
      save.disabled = false
    }
  })
  prev.addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE)
    void refresh()
  })
  next.addEventListener("click", () => {
    offset += PAGE
    void refresh()
  })
  let lastFsm = ctx.status.current.fsm
  ctx.status.changed.subscribe((s) => {
    if (visible && s.fsm !== lastFsm) void refresh()
    lastFsm = s.fsm
  })
  setInterval(() => {
    if (visible && document.visibilityState === "visible") void refresh()
  }, 10_000)
  return {
    id: "snapshots",
    label: "Snapshots",
    el,
    sidebar: [],
    show() {
      visible = true
      void refresh()
    },
    hide() {
      visible = false
    }
  }
}
