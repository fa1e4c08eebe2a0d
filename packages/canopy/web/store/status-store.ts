// The one owner of the training status shown by the chrome (status bar, controls, KPI tiles). Patched from
// initial_status, state frames, events, metrics rows and REST reads.
import { EMPTY_STATUS, statusPatch, type ViewStatus } from "../api/normalize.js"
import { Emitter } from "../util/emitter.js"

export class StatusStore {
  readonly changed = new Emitter<ViewStatus>()
  /** Fires on every `state` frame (the controls re-enable on it). */
  readonly stateFrame = new Emitter<ViewStatus>()
  private value: ViewStatus = EMPTY_STATUS
  /** The server's mode from readiness / health ("demo", "service", "fake"). */
  mode: string | null = null

  get current(): ViewStatus {
    return this.value
  }

  patch(p: Partial<ViewStatus>): void {
    let changed = false
    for (const [k, v] of Object.entries(p)) {
      if (v === undefined) continue
      const cur = (this.value as unknown as Record<string, unknown>)[k]
      if (cur !== v && !(Array.isArray(v) && Array.isArray(cur) && v.length === cur.length && v.every((x, i) => x === cur[i]))) {
        changed = true
        break
      }
    }
    if (!changed) return
    const next = { ...this.value } as Record<string, unknown>
    for (const [k, v] of Object.entries(p)) if (v !== undefined) next[k] = v
    // A new run clears the previous run's completion reason.
    if (p.fsm === "STARTED" && p.completionReason === undefined) next["completionReason"] = null
    this.value = next as unknown as ViewStatus
    this.changed.emit(this.value)
  }

  applyDoc(doc: unknown): void {
    this.patch(statusPatch(doc))
  }
}
