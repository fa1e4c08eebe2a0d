// The welcome modal: shown once, until "Get Started" (local flag juniper_canopy_welcomed).
import { h } from "../util/dom.js"
import { KEYS, load, save } from "../util/storage.js"

export const showWelcomeOnce = (): void => {
  if (load(KEYS.welcomed) === "true") return
  const start = h("button", { class: "btn btn-primary", type: "button", text: "Get Started", data: { testid: "welcome-start" } })
  const dlg = h(
    "dialog",
    { class: "modal welcome", data: { testid: "welcome" } },
    h("h2", { class: "modal-title", text: "Welcome to Juniper Canopy" }),
    h(
      "p",
      { class: "modal-body" },
      "Watch Cascade-Correlation networks grow live: start training from the sidebar, follow loss and accuracy on Training Metrics, the candidate pool on Candidate Metrics, and every installed hidden unit on Network Topology."
    ),
    h("div", { class: "modal-actions" }, start)
  )
  start.addEventListener("click", () => {
    save(KEYS.welcomed, "true")
    dlg.close()
    dlg.remove()
  })
  document.body.append(dlg)
  dlg.showModal()
}
