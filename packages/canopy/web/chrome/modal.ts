// Modal dialogs on <dialog>: confirmations (restore, restart) and the one-time welcome.
import { h } from "../util/dom.js"

export const confirmDialog = (title: string, body: string, confirmLabel = "Confirm"): Promise<boolean> =>
  new Promise((resolve) => {
    const ok = h("button", { class: "btn btn-primary", type: "button", text: confirmLabel, data: { testid: "confirm-ok" } })
    const cancel = h("button", { class: "btn", type: "button", text: "Cancel", data: { testid: "confirm-cancel" } })
    const dlg = h(
      "dialog",
      { class: "modal", data: { testid: "confirm-dialog" } },
      h("h2", { class: "modal-title", text: title }),
      h("p", { class: "modal-body", text: body }),
      h("div", { class: "modal-actions" }, cancel, ok)
    )
    const done = (v: boolean) => {
      dlg.close()
      dlg.remove()
      resolve(v)
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
