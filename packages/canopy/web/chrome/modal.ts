// Modal dialogs on <dialog>: confirmations (restore, restart) and the one-time welcome.
import { h } from "../util/dom.js"

export const confirmDialog = (title: string, body: string, confirmLabel = "Confirm"): Promise<boolean> =>
  confirmWithToggle(title, body, confirmLabel, null).then((r) => r.ok)

/** A confirmation with an optional checkbox (e.g. "Start fresh"); resolves with both answers. */
export const confirmWithToggle = (
  title: string,
  body: string,
  confirmLabel: string,
  toggle: { readonly label: string; readonly checked: boolean } | null
): Promise<{ readonly ok: boolean; readonly toggled: boolean }> =>
  new Promise((resolve) => {
    const box = h("input", { type: "checkbox", id: "confirm-toggle", data: { testid: "confirm-toggle" } })
    box.checked = toggle?.checked ?? false
    const ok = h("button", { class: "btn btn-primary", type: "button", text: confirmLabel, data: { testid: "confirm-ok" } })
    const cancel = h("button", { class: "btn", type: "button", text: "Cancel", data: { testid: "confirm-cancel" } })
    const dlg = h(
      "dialog",
      { class: "modal", data: { testid: "confirm-dialog" } },
      h("h2", { class: "modal-title", text: title }),
      h("p", { class: "modal-body", text: body }),
      toggle ? h("label", { class: "check", for: "confirm-toggle" }, box, toggle.label) : null,
      h("div", { class: "modal-actions" }, cancel, ok)
    )
    const done = (v: boolean) => {
      dlg.close()
      dlg.remove()
      resolve({ ok: v, toggled: box.checked })
    }
    ok.addEventListener("click", () => done(true))
    cancel.addEventListener("click", () => done(false))
    dlg.addEventListener("cancel", (e) => {
      e.preventDefault()
      done(false)
    })
    document.body.append(dlg)
    dlg.showModal()
  })
