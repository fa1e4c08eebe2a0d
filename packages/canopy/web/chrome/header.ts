// Header: the title, the WS badge and the theme toggle (its icon follows the persisted theme on reload).
import type { Theme } from "./theme.js"
import { h, setText } from "../util/dom.js"

export const createHeader = (theme: Theme, badge: HTMLElement): HTMLElement => {
  const toggle = h("button", { class: "btn btn-icon theme-toggle", type: "button", data: { testid: "theme-toggle" } })
  const sync = () => {
    const dark = theme.current === "dark"
    setText(toggle, dark ? "☀" : "☾")
    toggle.title = dark ? "Switch to light theme" : "Switch to dark theme"
    toggle.setAttribute("aria-label", toggle.title)
    toggle.setAttribute("aria-pressed", String(dark))
  }
  toggle.addEventListener("click", () => theme.toggle())
  theme.changed.subscribe(sync)
  sync()
  return h(
    "header",
    { class: "topbar" },
    h("div", { class: "brand" }, h("span", { class: "brand-mark", aria: { hidden: "true" } }), h("h1", { class: "brand-title", text: "Juniper Canopy Monitor" })),
    h("div", { class: "topbar-right" }, badge, toggle)
  )
}
