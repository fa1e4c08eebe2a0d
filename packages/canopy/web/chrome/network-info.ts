// Network Information (collapsible): counts, threshold function, optimizer, growth iteration and weight statistics
// from /api/network/stats, read when opened and after each installed unit while open.
import type { AppContext } from "../app/context.js"
import { errorText, getJson } from "../api/rest.js"
import { h, replace } from "../util/dom.js"
import { fmtNum } from "../util/format.js"

type Obj = Readonly<Record<string, unknown>>

export const createNetworkInfo = (ctx: AppContext): HTMLElement => {
  const dl = h("dl", { class: "facts facts-compact", data: { testid: "network-info" } })
  const el = h("details", { class: "sidebar-section" }, h("summary", { class: "sidebar-title", text: "Network Information" }), dl)
  const pair = (k: string, v: unknown) => [h("dt", { text: k }), h("dd", { text: typeof v === "number" ? fmtNum(v, 4) : v === undefined || v === null ? "—" : String(v) })]
  const load = async () => {
    try {
      const s = await getJson<Obj>("/api/network/stats", undefined, 5_000)
      const w = (s["weight_statistics"] ?? {}) as Obj
      const st = ctx.status.current
      replace(
        dl,
        ...pair("Nodes", s["total_nodes"]),
        ...pair("Edges", s["total_edges"] ?? s["total_connections"]),
        ...pair("Hidden units", st.hiddenUnits),
        ...pair("Threshold", s["threshold_function"] ?? st.thresholdFunction),
        ...pair("Optimizer", s["optimizer"] ?? st.optimizer),
        ...pair("Growth iteration", st.growIteration),
        ...pair("Weights", w["total_weights"]),
        ...pair("Positive / negative", `${w["positive_weights"] ?? "—"} / ${w["negative_weights"] ?? "—"}`),
        ...pair("Mean ± std", `${fmtNum(w["mean"] as number, 3)} ± ${fmtNum(w["std_dev"] as number, 3)}`),
        ...pair("Min … max", `${fmtNum(w["min"] as number, 3)} … ${fmtNum(w["max"] as number, 3)}`),
        ...pair("Median", w["median"])
      )
    } catch (err) {
      replace(dl, ...pair("Status", errorText(err)))
    }
  }
  el.addEventListener("toggle", () => {
    if ((el as HTMLDetailsElement).open) void load()
  })
  ctx.cascade.subscribe(() => {
    if ((el as HTMLDetailsElement).open) void load()
  })
  return el
}
