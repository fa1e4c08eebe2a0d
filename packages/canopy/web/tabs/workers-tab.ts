// Workers: badge LOADING / NO WORKERS / DEGRADED / HEALTHY, a "Worker data degraded" alert that really renders,
// six tiles, and the roster (local and remote). Polled every 10 s while the tab is visible.
import type { AppContext } from "../app/context.js"
import { errorText, getJson } from "../api/rest.js"
import type { Worker, WorkerListResponse } from "../api/types.js"
import { h, replace, setText, tile } from "../util/dom.js"
import { fmtTime } from "../util/format.js"
import type { Tab } from "./tab.js"

type Obj = Readonly<Record<string, unknown>>
const numOr = (o: Obj, k: string): number | null => (typeof o[k] === "number" ? (o[k] as number) : null)

export const createWorkersTab = (ctx: AppContext): Tab => {
  void ctx
  const badge = h("span", { class: "badge badge-grey", text: "LOADING", data: { testid: "workers-badge" } })
  const alert = h("div", { class: "alert alert-warning", role: "alert", hidden: true, data: { testid: "workers-alert" } })
  const tTotal = tile("Workers", "workers-total")
  const tIdle = tile("Idle", "workers-idle")
  const tBusy = tile("Busy", "workers-busy")
  const tStale = tile("Stale", "workers-stale")
  const tTasks = tile("Tasks done / failed", "workers-tasks")
  const tHealth = tile("Average health", "workers-health")
  const tbody = h("tbody", { data: { testid: "workers-rows" } })
  const el = h(
    "div",
    { class: "tab-workers" },
    h("div", { class: "phase-row" }, badge),
    alert,
    h("div", { class: "tiles" }, tTotal.el, tIdle.el, tBusy.el, tStale.el, tTasks.el, tHealth.el),
    h(
      "section",
      { class: "card" },
      h("h3", { class: "card-title", text: "Roster" }),
      h("table", { class: "table" }, h("thead", {}, h("tr", {}, ...["Worker", "Kind", "Status", "Health", "Last heartbeat", "Current task"].map((c) => h("th", { text: c })))), tbody)
    )
  )
  let visible = false

  const refresh = async () => {
    let workers: Worker[] = []
    let stats: Obj = {}
    const problems: string[] = []
    try {
      // An upstream failure answers {"error":"Upstream error","error_id"} instead of the list.
      const doc = await getJson<Partial<WorkerListResponse> & { error?: string }>("/api/v1/workers/list", undefined, 8_000)
      if (doc.error) problems.push(doc.error)
      workers = [...(doc.workers ?? [])]
    } catch (err) {
      problems.push(`list: ${errorText(err)}`)
    }
    try {
      const s = await getJson<Obj>("/api/v1/workers/stats", undefined, 8_000)
      if (typeof s["error"] === "string") problems.push(s["error"])
      stats = s
    } catch (err) {
      problems.push(`stats: ${errorText(err)}`)
    }
    const count = (st: string) => workers.filter((w) => w.status === st).length
    const degraded = problems.length > 0 || workers.some((w) => w.status === "stale" || (w.health_score ?? 1) < 0.5)
    setText(badge, problems.length && !workers.length ? "DEGRADED" : workers.length === 0 ? "NO WORKERS" : degraded ? "DEGRADED" : "HEALTHY")
    badge.className = `badge ${workers.length === 0 && !problems.length ? "badge-grey" : degraded ? "badge-amber" : "badge-green"}`
    alert.hidden = problems.length === 0
    setText(alert, problems.length ? `Worker data degraded: ${problems.join("; ")}` : "")
    setText(tTotal.value, String(numOr(stats, "total") ?? workers.length))
    setText(tIdle.value, String(numOr(stats, "idle") ?? count("idle")))
    setText(tBusy.value, String(numOr(stats, "busy") ?? count("busy")))
    setText(tStale.value, String(numOr(stats, "stale") ?? count("stale")))
    const done = numOr(stats, "total_tasks_completed") ?? workers.reduce((a, w) => a + (w.tasks_completed ?? 0), 0)
    const failed = numOr(stats, "total_tasks_failed") ?? workers.reduce((a, w) => a + (w.tasks_failed ?? 0), 0)
    setText(tTasks.value, `${done} / ${failed}`)
    const avg = numOr(stats, "average_health_score") ?? (workers.length ? workers.reduce((a, w) => a + (w.health_score ?? 0), 0) / workers.length : null)
    setText(tHealth.value, avg === null ? "—" : `${Math.round((avg <= 1 ? avg * 100 : avg))}%`)
    replace(
      tbody,
      ...workers.map((w) =>
        h(
          "tr",
          { data: { id: w.worker_id } },
          h("td", {}, h("code", { text: w.worker_id })),
          h("td", { text: w.kind ?? "—" }),
          h("td", {}, h("span", { class: `badge badge-${w.status === "busy" ? "blue" : w.status === "stale" ? "amber" : "green"}`, text: w.status ?? "—" })),
          h("td", { class: "num", text: w.health_score === undefined ? "—" : `${Math.round(w.health_score * 100)}%` }),
          h("td", { text: fmtTime(w.last_heartbeat_at ?? null) }),
          h("td", { text: w.current_task_id ?? "—" })
        )
      )
    )
    el.dataset["workers"] = String(workers.length)
  }
  setInterval(() => {
    if (visible && document.visibilityState === "visible") void refresh()
  }, 10_000)
  return {
    id: "workers",
    label: "Workers",
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
