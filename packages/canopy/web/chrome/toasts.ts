// Toasts and alerts in one stack. Control failures auto-dismiss after 8 s; the Apply toast stays until dismissed
// (upstream's was overwritten after ~0.9 s, F-CANOPY-018).
import { h } from "../util/dom.js"

export type ToastKind = "success" | "error" | "info" | "warning"

export interface ToastOptions {
  readonly kind: ToastKind
  readonly title: string
  readonly body?: string
  /** Milliseconds before it closes itself; omitted = stays until dismissed. */
  readonly timeoutMs?: number
  readonly testId?: string
}

export class Toasts {
  readonly el = h("div", { class: "toasts", role: "status", aria: { live: "polite" } })

  show(o: ToastOptions): HTMLElement {
    const close = h("button", { class: "toast-close", type: "button", title: "Dismiss", aria: { label: "Dismiss" }, text: "×" })
    const toast = h(
      "div",
      { class: `toast toast-${o.kind}`, role: o.kind === "error" ? "alert" : "status", data: { testid: o.testId ?? `toast-${o.kind}` } },
      h("div", { class: "toast-text" }, h("strong", { class: "toast-title", text: o.title }), o.body ? h("div", { class: "toast-body", text: o.body }) : null),
      close
    )
    const remove = () => toast.remove()
    close.addEventListener("click", remove)
    if (o.timeoutMs) setTimeout(remove, o.timeoutMs)
    this.el.append(toast)
    return toast
  }
}
