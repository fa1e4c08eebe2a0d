// About: the version as /v1/health reports it (never a stale constant), licence, links and system info.
import type { AppContext } from "../app/context.js"
import { errorText, getJson } from "../api/rest.js"
import type { Health, Readiness } from "../api/types.js"
import { h, replace, setText } from "../util/dom.js"
import { fmtTime } from "../util/format.js"
import type { Tab } from "./tab.js"

export const createAboutTab = (ctx: AppContext): Tab => {
  const version = h("span", { class: "about-version", text: "…", data: { testid: "about-version" } })
  const facts = h("dl", { class: "facts", data: { testid: "about-facts" } })
  const deps = h("dl", { class: "facts", data: { testid: "about-deps" } })
  const el = h(
    "div",
    { class: "tab-about" },
    h(
      "section",
      { class: "card" },
      h("h3", { class: "card-title", text: "Juniper Canopy" }),
      h("p", {}, "Version ", version),
      h("p", { text: "A live monitor for Cascade-Correlation training: JuniperData provides datasets, JuniperCascor trains, Canopy relays and draws." }),
      h("p", { class: "muted", text: "Licence: MIT. Charts: uPlot (MIT). Graphs: Cytoscape.js (MIT). All assets are served by Canopy itself." }),
      h("p", {}, h("a", { attrs: { href: "/v1/health", target: "_blank", rel: "noopener" }, text: "/v1/health" }), " · ", h("a", { attrs: { href: "/v1/health/ready", target: "_blank", rel: "noopener" }, text: "/v1/health/ready" }))
    ),
    h("section", { class: "card" }, h("h3", { class: "card-title", text: "System" }), facts),
    h("section", { class: "card" }, h("h3", { class: "card-title", text: "Dependencies" }), deps)
  )
  const pair = (k: string, v: string) => [h("dt", { text: k }), h("dd", { text: v })]
  const load = async () => {
    try {
      const hl = await getJson<Health>("/v1/health", undefined, 5_000)
      setText(version, hl.version ?? "unknown")
      el.dataset["version"] = hl.version ?? ""
      replace(
        facts,
        ...pair("Service", hl.service ?? "juniper-canopy"),
        ...pair("Mode", hl.mode ?? ctx.status.mode ?? (hl.demo_mode ? "demo" : "—")),
        ...pair("Git SHA", hl.git_sha ?? "—"),
        ...pair("Build date", hl.build_date ?? "—"),
        ...pair("Server time", fmtTime(hl.timestamp ?? null)),
        ...pair("Active connections", String(hl.active_connections ?? "—")),
        ...pair("Training active", String(hl.training_active ?? "—")),
        ...pair("JuniperData available", String(hl.juniper_data_available ?? "—")),
        ...pair("Browser", navigator.userAgent)
      )
    } catch (err) {
      setText(version, `unavailable (${errorText(err)})`)
    }
    try {
      const r = await getJson<Readiness>("/v1/health/ready", undefined, 8_000)
      replace(deps, ...pair("Readiness", r.status ?? "—"), ...Object.entries(r.dependencies ?? {}).flatMap(([k, d]) => pair(d.name ?? k, `${d.status ?? "—"}${d.latency_ms !== null && d.latency_ms !== undefined ? ` · ${Math.round(d.latency_ms)} ms` : ""}${d.message ? ` · ${d.message}` : ""}`)))
    } catch (err) {
      replace(deps, ...pair("Readiness", errorText(err)))
    }
  }
  return {
    id: "about",
    label: "About",
    el,
    sidebar: [],
    show() {
      void load()
    },
    hide() {}
  }
}
