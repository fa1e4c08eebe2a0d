// The /ws/control command channel (§4.2): CSRF token as the first frame, commands correlated by command_id, and a
// per-command acknowledgement timeout (start 11 s, set_params 2 s, others 3 s). A timed-out command is never retried
// here: the caller reads /api/status instead (no double send, F-CANOPY-005).
import { csrfToken, forgetCsrfToken } from "../api/csrf.js"
import type { CommandResponseFrame as CommandResponse } from "../api/types.js"
import { Emitter } from "../util/emitter.js"
import { backoffDelay } from "./backoff.js"
import { socketUrl } from "./socket-url.js"

export class CommandTimeout extends Error {
  constructor(readonly command: string) {
    super(`${command}: no acknowledgement in time`)
    this.name = "CommandTimeout"
  }
}

export const ACK_TIMEOUT_MS: Readonly<Record<string, number>> = { start: 11_000, set_params: 2_000 }
const DEFAULT_ACK_TIMEOUT_MS = 3_000

interface Pending {
  readonly command: string
  readonly resolve: (r: CommandResponse) => void
  readonly reject: (e: Error) => void
  readonly timer: ReturnType<typeof setTimeout>
}

let idCounter = 0
const newCommandId = (): string =>
  typeof crypto !== "undefined" && typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `cmd-${Date.now().toString(36)}-${(idCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`

export class ControlSocket {
  readonly openState = new Emitter<boolean>()
  private ws: WebSocket | null = null
  private authed = false
  private attempts = 0
  private readonly pending = new Map<string, Pending>()
  private stopped = false

  constructor(private readonly path = "/ws/control") {}

  get isOpen(): boolean {
    return this.authed && this.ws?.readyState === WebSocket.OPEN
  }

  start(): void {
    this.stopped = false
    void this.open()
  }

  stop(): void {
    this.stopped = true
    this.ws?.close(1000, "client stop")
  }

  /** Send a command; resolves with the server's command_response (which may report an error), rejects on timeout. */
  send(command: string, extra: Readonly<Record<string, unknown>> = {}): Promise<CommandResponse> {
    const ws = this.ws
    if (!ws || !this.isOpen) return Promise.reject(new Error("control socket is not open"))
    const command_id = newCommandId()
    return new Promise<CommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(command_id)
        reject(new CommandTimeout(command))
      }, ACK_TIMEOUT_MS[command] ?? DEFAULT_ACK_TIMEOUT_MS)
      this.pending.set(command_id, { command, resolve, reject, timer })
      ws.send(JSON.stringify({ type: "command", command, command_id, ...extra }))
    })
  }

  private async open(): Promise<void> {
    let token = ""
    try {
      token = await csrfToken()
    } catch {
      this.retry()
      return
    }
    if (this.stopped) return
    const ws = new WebSocket(socketUrl(this.path))
    this.ws = ws
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "auth", csrf_token: token }))
      this.authed = true
      this.attempts = 0
      this.openState.emit(true)
    }
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return
      let msg: CommandResponse | { type: string }
      try {
        msg = JSON.parse(ev.data) as CommandResponse
      } catch {
        return
      }
      if (msg.type === "ping") ws.send(JSON.stringify({ type: "pong" }))
      else if (msg.type === "command_response") this.resolve(msg as CommandResponse)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      const wasOpen = this.authed
      this.ws = null
      this.authed = false
      if (wasOpen) this.openState.emit(false)
      // 1008: the token was missing, invalid or late; fetch a fresh one for the next attempt.
      if (ev.code === 1008) forgetCsrfToken()
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer)
        p.reject(new Error(`${p.command}: control socket closed before the acknowledgement`))
        this.pending.delete(id)
      }
      if (!this.stopped) this.retry()
    }
  }

  private retry(): void {
    setTimeout(() => void this.open(), backoffDelay(this.attempts++))
  }

  private resolve(msg: CommandResponse): void {
    const id = msg.data?.command_id ?? msg.command_id ?? null
    let key: string | undefined = id ?? undefined
    if (!key || !this.pending.has(key)) {
      // No id echoed: the oldest pending command of the same name.
      const name = msg.data?.command ?? msg.command
      key = [...this.pending.entries()].find(([, p]) => p.command === name)?.[0]
    }
    if (!key) return
    const p = this.pending.get(key)
    if (!p) return
    this.pending.delete(key)
    clearTimeout(p.timer)
    p.resolve(msg)
  }
}

/** Success of a command_response in any of its documented spellings. */
export const responseOk = (r: CommandResponse): boolean => (r.ok !== undefined ? r.ok : r.data?.status === "success")

export const responseError = (r: CommandResponse): string => r.data?.error ?? r.error ?? "command failed"
