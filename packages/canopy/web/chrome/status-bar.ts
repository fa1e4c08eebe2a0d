// Status bar: coloured dot, status text (with the completion reason), phase, step, hidden units n / max, and the
// frame latency (server timestamp → arrival).
import type { AppContext } from "../app/context.js"
import type { ViewStatus } from "../api/normalize.js"
import { h, setText } from "../util/dom.js"
import { titleCase } from "../util/format.js"
import { scheduleRender } from "../util/raf.js"

const human = (s: string) => s.replace(/_/g, " ")

export const statusText = (s: ViewStatus): string => {
  switch (s.fsm) {
    case "STARTED":
      return "Running"
    case "PAUSED":
      return "Paused"
    case "COMPLETED":
      return s.completionReason ? `Completed — ${human(s.completionReason)}` : "Completed"
    case "FAILED":
      return s.error ? `Failed — ${s.error}` : s.completionReason ? `Failed — ${human(s.completionReason)}` : "Failed"
    case "STOPPED":
    case "UNKNOWN":
      return "Stopped"
    default:
      return titleCase(s.fsm)
  }
}

/** Dot colour: blue training, orange standby (paused/stopped), green completed/ready, red error. */
export const dotClass = (s: ViewStatus): string =>
  s.fsm === "STARTED" ? "dot-training" : s.fsm === "FAILED" ? "dot-error" : s.fsm === "COMPLETED" ? "dot-active" : "dot-standby"

export const createStatusBar = (ctx: AppContext): HTMLElement => {
  const dot = h("span", { class: "dot dot-standby", aria: { hidden: "true" } })
  const text = h("span", { class: "status-text", text: "Stopped", data: { testid: "status-text" } })
  const phase = h("span", { class: "sb-value", text: "Idle", data: { testid: "status-phase" } })
  const step = h("span", { class: "sb-value", text: "0", data: { testid: "status-step" } })
  const hidden = h("span", { class: "sb-value", text: "0 / —", data: { testid: "status-hidden" } })
  const latency = h("span", { class: "sb-value", text: "—", data: { testid: "status-latency" } })
  const item = (label: string, value: HTMLElement) => h("span", { class: "sb-item" }, h("span", { class: "sb-label", text: label }), value)
  const el = h("div", { class: "statusbar", role: "status", data: { testid: "status-bar" } }, h("span", { class: "sb-item sb-status" }, dot, text), item("Phase:", phase), item("Step:", step), item("Hidden Units:", hidden), item("Latency:", latency))

  const render = () => {
    const s = ctx.status.current
    dot.className = `dot ${dotClass(s)}`
    setText(text, statusText(s))
    el.dataset["fsm"] = s.fsm
    setText(phase, s.phase && s.phase !== "IDLE" ? titleCase(s.phase) : "Idle")
    setText(step, s.step === null ? "0" : String(s.step))
    setText(hidden, `${s.hiddenUnits ?? 0} / ${s.maxHiddenUnits ?? "—"}`)
  }
  ctx.status.changed.subscribe(() => scheduleRender("status-bar", render))
  render()

  // Latency: exponential moving average of (arrival − server timestamp) over broadcast frames.
  let ema: number | null = null
  ctx.socket.on("*", (f) => {
    if (typeof f.seq !== "number" || typeof f.timestamp !== "number") return
    const ms = Date.now() - (f.timestamp < 1e12 ? f.timestamp * 1000 : f.timestamp)
    if (!Number.isFinite(ms) || ms < -5_000 || ms > 600_000) return
    ema = ema === null ? ms : ema * 0.8 + ms * 0.2
    const v = Math.max(0, ema)
    scheduleRender("latency", () => setText(latency, `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`))
  })
  return el
}
