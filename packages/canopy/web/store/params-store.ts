// The applied training parameters (nn_*/cn_* keys): read from /api/state on load, updated by params_updated frames
// and set_params responses. The sidebar compares its inputs against these to enable Apply.
import type { ParamBound } from "../api/types.js"
import { Emitter } from "../util/emitter.js"

export class ParamsStore {
  readonly changed = new Emitter<Readonly<Record<string, unknown>>>()
  values: Record<string, unknown> = {}
  /** The server's bounds table (/api/state `param_bounds`), when it sends one: it wins over the built-in table. */
  bounds: Record<string, ParamBound> = {}
  loaded = false

  merge(doc: unknown): void {
    if (typeof doc !== "object" || doc === null) return
    let any = false
    const b = (doc as { param_bounds?: unknown }).param_bounds
    if (b && typeof b === "object") {
      this.bounds = b as Record<string, ParamBound>
      any = true
    }
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      if (!/^(nn|cn)_/.test(k) || v === undefined) continue
      if (this.values[k] !== v) {
        this.values[k] = v
        any = true
      }
    }
    if (any || !this.loaded) {
      this.loaded = true
      this.changed.emit(this.values)
    }
  }
}
