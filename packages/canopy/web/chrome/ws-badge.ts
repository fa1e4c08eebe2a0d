// WS badge (§7.1): `WS: --` grey, `Demo` grey, `Connected` green, `Upstream reconnecting` / `Upstream degraded` /
// `Reconnecting` amber, `Offline` red. Inputs: the browser socket state and /api/stream_health (polled while the
// page is visible, and at once when the socket state changes).
import type { AppContext } from "../app/context.js"
import { getJson } from "../api/rest.js"
import type { StreamHealth } from "../api/types.js"
import { h, setText } from "../util/dom.js"
import type { SocketStatus } from "../ws/training-socket.js"

export type BadgeState = { readonly label: string; readonly tone: "grey" | "green" | "amber" | "red" }

/** Attempts after which a reconnecting socket is shown as Offline. */
const OFFLINE_AFTER = 4

export const badgeFor = (sock: SocketStatus, health: StreamHealth | null, mode: string | null, online = true): BadgeState => {
  if (!online) return { label: "Offline", tone: "red" }
  if (sock.state === "connecting" && sock.attempts === 0) return { label: "WS: --", tone: "grey" }
  // A first connection that keeps failing reads the same as a lost one.
  if (sock.state === "reconnecting" || sock.state === "connecting") return sock.attempts >= OFFLINE_AFTER ? { label: "Offline", tone: "red" } : { label: "Reconnecting", tone: "amber" }
  if (sock.state === "closed") return { label: "WS: --", tone: "grey" }
  const overall = health?.overall
  if (overall === "reconnecting") return { label: "Upstream reconnecting", tone: "amber" }
  if (overall === "degraded") return { label: "Upstream degraded", tone: "amber" }
  if (overall === "n/a" || mode === "demo") return { label: "Demo", tone: "grey" }
  return { label: "Connected", tone: "green" }
}

export const createWsBadge = (ctx: AppContext, pollMs = 3_000): HTMLElement => {
  const el = h("span", { class: "badge badge-grey ws-badge", text: "WS: --", data: { testid: "ws-badge" }, role: "status" })
  let health: StreamHealth | null = null
  const render = () => {
    const b = badgeFor(ctx.socket.state, health, ctx.status.mode, navigator.onLine)
    setText(el, b.label)
    el.className = `badge badge-${b.tone} ws-badge`
    el.dataset["tone"] = b.tone
    el.title = `Browser socket: ${ctx.socket.state.state}; stream: ${health?.overall ?? "unknown"}`
  }
  let inflight = false
  const poll = async () => {
    if (inflight) return
    inflight = true
    try {
      health = await getJson<StreamHealth>("/api/stream_health", undefined, 2_500)
    } catch {
      health = null
    } finally {
      inflight = false
    }
    ctx.streamHealth.emit(health)
    render()
  }
  ctx.socket.status.subscribe(() => {
    render()
    if (ctx.socket.state.state === "open") void poll()
  })
  window.addEventListener("online", render)
  window.addEventListener("offline", render)
  setInterval(() => {
    if (document.visibilityState === "visible" && ctx.socket.state.state === "open") void poll()
  }, pollMs)
  render()
  return el
}
