// A list of handlers per frame type (never a single slot: upstream's latency beacon once replaced the metrics
// handler). "*" receives every frame.
import type { Frame } from "../api/types.js"

export type FrameHandler = (frame: Frame) => void

export class HandlerRegistry {
  private readonly byType = new Map<string, FrameHandler[]>()
  /** Optional profiler: main-thread time per dispatched frame type. */
  timing: ((type: string, ms: number) => void) | null = null

  on(type: string, fn: FrameHandler): () => void {
    const list = this.byType.get(type) ?? []
    list.push(fn)
    this.byType.set(type, list)
    return () => {
      const cur = this.byType.get(type)
      if (cur) this.byType.set(type, cur.filter((f) => f !== fn))
    }
  }

  dispatch(frame: Frame): void {
    const t0 = this.timing ? performance.now() : 0
    for (const list of [this.byType.get(frame.type), this.byType.get("*")]) {
      if (!list) continue
      for (const fn of list) {
        try {
          fn(frame)
        } catch (err) {
          console.error(`canopy ws: handler for ${frame.type} failed`, err)
        }
      }
    }
    if (this.timing) this.timing(frame.type, performance.now() - t0)
  }

  count(type: string): number {
    return this.byType.get(type)?.length ?? 0
  }
}
