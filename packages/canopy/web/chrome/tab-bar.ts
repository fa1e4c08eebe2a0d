// The tab bar: ARIA tabs, the active tab persisted locally and restored on mount (default `metrics`).
import type { Tab } from "../tabs/tab.js"
import { h } from "../util/dom.js"
import { Emitter } from "../util/emitter.js"
import { KEYS, load, save } from "../util/storage.js"

export class TabBar {
  readonly el: HTMLElement
  readonly panels: HTMLElement
  readonly changed = new Emitter<Tab>()
  private active: Tab | null = null
  private readonly buttons = new Map<string, HTMLButtonElement>()

  constructor(private readonly tabs: ReadonlyArray<Tab>) {
    this.el = h("nav", { class: "tabbar", role: "tablist", aria: { label: "Dashboard tabs" } })
    this.panels = h("div", { class: "panels" })
    for (const tab of tabs) {
      const b = h("button", { class: "tab", type: "button", role: "tab", id: `tab-${tab.id}`, text: tab.label, data: { tab: tab.id, testid: `tab-${tab.id}` }, aria: { selected: "false", controls: `panel-${tab.id}` } })
      b.addEventListener("click", () => this.select(tab.id))
      this.buttons.set(tab.id, b)
      this.el.append(b)
      tab.el.id = `panel-${tab.id}`
      tab.el.setAttribute("role", "tabpanel")
      tab.el.setAttribute("aria-labelledby", `tab-${tab.id}`)
      tab.el.dataset["testid"] = `panel-${tab.id}`
      tab.el.hidden = true
      tab.el.classList.add("panel")
      this.panels.append(tab.el)
    }
    this.el.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return
      const i = this.tabs.findIndex((t) => t === this.active)
      const next = this.tabs[(i + (e.key === "ArrowRight" ? 1 : this.tabs.length - 1)) % this.tabs.length]
      if (next) {
        this.select(next.id)
        this.buttons.get(next.id)?.focus()
      }
    })
  }

  mount(): void {
    const saved = load(KEYS.tab)
    this.select(this.tabs.some((t) => t.id === saved) ? saved! : "metrics")
  }

  get current(): Tab | null {
    return this.active
  }

  select(id: string): void {
    const tab = this.tabs.find((t) => t.id === id)
    if (!tab || tab === this.active) return
    if (this.active) {
      this.active.el.hidden = true
      this.active.hide()
      this.buttons.get(this.active.id)?.setAttribute("aria-selected", "false")
    }
    this.active = tab
    tab.el.hidden = false
    this.buttons.get(id)?.setAttribute("aria-selected", "true")
    save(KEYS.tab, id)
    tab.show()
    this.changed.emit(tab)
  }
}
