// The network graph the Topology and Evolution tabs draw. A `cascade_add` frame adds the new unit at once (its
// weights follow in the `topology` frame), so the page shows growth with the lowest possible latency.
import { graphOf, type GraphModel } from "../api/normalize.js"
import { Emitter } from "../util/emitter.js"

export interface TopologyChange {
  readonly kind: "full" | "unit-added"
  /** The hidden unit that was just installed (glow), if any. */
  readonly newest: number | null
  /** Server timestamp (ms since the epoch) of the cascade_add that added `newest`. */
  readonly cascadeAtMs: number | null
}

export class TopologyStore {
  readonly changed = new Emitter<TopologyChange>()
  graph: GraphModel | null = null
  newest: number | null = null

  /** A full topology document (frame or REST), either shape. */
  setTopology(doc: unknown): void {
    const g = graphOf(doc)
    if (!g) return
    const prev = this.graph
    this.graph = g
    // A hidden unit we had not seen yet (e.g. the cascade_add frame was missed) is the newest one too.
    if (prev && g.hidden.length > prev.hidden.length) this.newest = g.hidden[g.hidden.length - 1] ?? this.newest
    if (g.hidden.length === 0) this.newest = null
    this.changed.emit({ kind: "full", newest: this.newest, cascadeAtMs: null })
  }

  /** A cascade_add: the unit exists now; connect it to every input and earlier unit with unknown (0) weights. */
  addUnit(index: number, cascadeAtMs: number | null): void {
    const g = this.graph
    if (!g || g.hidden.includes(index)) {
      this.newest = index
      this.changed.emit({ kind: "unit-added", newest: index, cascadeAtMs })
      return
    }
    const id = `hidden_${index}`
    const edges = [...g.edges]
    for (let i = 0; i < g.inputs; i++) edges.push({ from: `input_${i}`, to: id, weight: 0 })
    for (const k of g.hidden) edges.push({ from: `hidden_${k}`, to: id, weight: 0 })
    for (let j = 0; j < g.outputs; j++) edges.push({ from: id, to: `output_${j}`, weight: 0 })
    this.graph = { ...g, hidden: [...g.hidden, index], edges }
    this.newest = index
    this.changed.emit({ kind: "unit-added", newest: index, cascadeAtMs })
  }

  clear(): void {
    this.graph = null
    this.newest = null
    this.changed.emit({ kind: "full", newest: null, cascadeAtMs: null })
  }
}
