// Training controls (§4.3, §7.1). Commands go over /ws/control; REST /api/train/<cmd> is used only when that socket
// is not open. Buttons are disabled optimistically and re-enabled by the acknowledgement or the next `state` frame,
// whichever comes first. A timed-out command is never re-sent: the client re-reads /api/status instead.
import type { AppContext } from "../app/context.js"
import { loadStatus } from "../app/load.js"
import type { Fsm } from "../api/normalize.js"
import { csrfToken, forgetCsrfToken } from "../api/csrf.js"
import { ApiError, errorText, postJson } from "../api/rest.js"
import type { ControlResult } from "../api/types.js"
import { h, setText } from "../util/dom.js"
import { CommandTimeout, responseError, responseOk } from "../ws/control-socket.js"

export type Command = "start" | "pause" | "resume" | "stop" | "reset"
const COMMANDS: ReadonlyArray<{ readonly cmd: Command; readonly label: string }> = [
  { cmd: "start", label: "Start" },
  { cmd: "pause", label: "Pause" },
  { cmd: "resume", label: "Resume" },
  { cmd: "stop", label: "Stop" },
  { cmd: "reset", label: "Reset" }
]

const IDLE: ReadonlyArray<Fsm> = ["STOPPED", "COMPLETED", "FAILED", "RESUME_READY", "UNKNOWN", "INVESTIGATING"]

/** Which commands make sense in a state (cascor-api §5 transitions). */
export const allowed = (fsm: Fsm, cmd: Command): boolean => {
  switch (cmd) {
    case "start":
      return IDLE.includes(fsm)
    case "pause":
      return fsm === "STARTED"
    case "resume":
      return fsm === "PAUSED"
    case "stop":
      return fsm === "STARTED" || fsm === "PAUSED"
    case "reset":
      return true
  }
}

const DEBOUNCE_MS = 500

export const createControls = (ctx: AppContext): HTMLElement => {
  const buttons = new Map<Command, HTMLButtonElement>()
  for (const { cmd, label } of COMMANDS) {
    const b = h("button", { class: `btn btn-${cmd}`, type: "button", text: label, data: { testid: `btn-${cmd}` } })
    b.addEventListener("click", () => void run(cmd))
    buttons.set(cmd, b)
  }
  const continueBox = h("input", { type: "checkbox", id: "start-continue", data: { testid: "start-continue" } })
  const gate = h("p", { class: "gate-notice", data: { testid: "gate-notice" } })
  const pendingNote = h("p", { class: "control-pending", data: { testid: "control-pending" } })
  let busy: Command | null = null
  /** Last click per command: the 500 ms debounce swallows double clicks, never a different command. */
  const lastClick = new Map<Command, number>()

  const render = () => {
    const fsm = ctx.status.current.fsm
    for (const [cmd, b] of buttons) {
      b.disabled = busy !== null || !allowed(fsm, cmd)
      b.classList.toggle("is-busy", busy === cmd)
    }
    const connected = ctx.socket.state.state === "open" || ctx.control.isOpen
    const startBlocked = !allowed(fsm, "start")
    setText(
      gate,
      !connected
        ? "Not connected to the server: commands will be sent over REST."
        : busy
          ? ""
          : startBlocked
            ? fsm === "PAUSED"
              ? "Start is disabled: training is paused — Resume or Stop it first."
              : "Start is disabled: training is running — Pause or Stop it first."
            : ""
    )
    setText(pendingNote, busy ? `Sending ${busy}…` : "")
  }

  const fail = (cmd: Command, detail: string) =>
    ctx.toasts.show({ kind: "error", title: `${cmd[0]!.toUpperCase()}${cmd.slice(1)} failed`, body: detail, timeoutMs: 8_000, testId: "control-alert" })

  const done = (cmd: Command) => {
    if (busy === cmd) busy = null
    render()
  }

  const viaRest = async (cmd: Command, reset: boolean): Promise<void> => {
    const send = async (refresh: boolean) =>
      postJson<ControlResult>(`/api/train/${cmd}`, undefined, {
        headers: { "X-CSRF-Token": await csrfToken(refresh) },
        ...(cmd === "start" ? { query: { reset } } : {}),
        timeoutMs: cmd === "start" ? 11_000 : 3_000
      })
    let res: ControlResult
    try {
      res = await send(false)
    } catch (err) {
      // 403: the token expired; fetch a new one once (the command was refused, so this is not a double send).
      if (!(err instanceof ApiError && err.status === 403)) throw err
      forgetCsrfToken()
      res = await send(true)
    }
    if (!res.ok) fail(cmd, res.error ?? res.message ?? "the backend refused the command")
    else ctx.status.applyDoc(res.data)
  }

  const run = async (cmd: Command): Promise<void> => {
    const now = performance.now()
    if (busy !== null || now - (lastClick.get(cmd) ?? -Infinity) < DEBOUNCE_MS) return
    lastClick.set(cmd, now)
    busy = cmd
    render()
    const reset = !continueBox.checked
    try {
      if (ctx.control.isOpen) {
        const r = await ctx.control.send(cmd, cmd === "start" ? { reset } : {})
        if (!responseOk(r)) fail(cmd, responseError(r))
        else if (r.state) ctx.status.applyDoc(r.state)
      } else await viaRest(cmd, reset)
      if (cmd === "reset") {
        ctx.metrics.clear()
        ctx.candidates.clear()
        ctx.evolution.clear()
        ctx.reloaded.emit("reset")
      }
      void loadStatus(ctx)
    } catch (err) {
      if (err instanceof CommandTimeout) {
        ctx.toasts.show({ kind: "warning", title: `${cmd}: no acknowledgement`, body: "Re-reading the training status instead of re-sending.", timeoutMs: 8_000, testId: "control-alert" })
        await loadStatus(ctx)
      } else fail(cmd, errorText(err))
    } finally {
      done(cmd)
    }
  }

  // The next state frame re-enables the buttons even if the acknowledgement is slow.
  ctx.status.stateFrame.subscribe(() => {
    if (busy !== null) {
      busy = null
      render()
    }
  })
  ctx.status.changed.subscribe(render)
  ctx.socket.status.subscribe(render)
  ctx.control.openState.subscribe(render)
  render()

  return h(
    "section",
    { class: "sidebar-section controls", data: { testid: "training-controls" } },
    h("h2", { class: "sidebar-title", text: "Training Controls" }),
    h("div", { class: "control-buttons" }, ...buttons.values()),
    h("label", { class: "check", for: "start-continue" }, continueBox, "Start continues the current network"),
    gate,
    pendingNote
  )
}
