// Network Evolution: one card per growth step, deduplicated on an unchanged hidden count, cleared when the input
// width changes, capped. Fed only by pushed frames (cascade_add, topology, metrics).
import type { GraphModel } from "../api/normalize.js"
import { Emitter } from "../util/emitter.js"

export interface GrowthStep {
  readonly hiddenUnits: number
  readonly unit: number | null
  readonly correlation: number | null
  readonly loss: number | null
  readonly accuracy: number | null
  readonly valAccuracy: number | null
  readonly step: number | null
  readonly at: number
  graph: GraphModel | null
}

const MAX_CARDS = 60

export class EvolutionStore {
  readonly changed = new Emitter<void>()
  steps: GrowthStep[] = []
  private inputs: number | null = null

  add(step: Omit<GrowthStep, "graph">): void {
    const last = this.steps[this.steps.length - 1]
    if (last && last.hiddenUnits === step.hiddenUnits) return
    this.steps.push({ ...step, graph: null })
    if (this.steps.length > MAX_CARDS) this.steps.splice(0, this.steps.length - MAX_CARDS)
    this.changed.emit()
  }

  /** Attach the full graph to the card with the same hidden count (topology follows cascade_add). */
  topology(g: GraphModel): void {
    if (this.inputs !== null && g.inputs !== this.inputs) this.steps = []
    this.inputs = g.inputs
    const H = g.hidden.length
    const card = [...this.steps].reverse().find((s) => s.hiddenUnits === H)
    if (card && !card.graph) {
      card.graph = g
      this.changed.emit()
    } else if (!card && H > 0 && (this.steps[this.steps.length - 1]?.hiddenUnits ?? 0) < H) {
      // Growth we saw no cascade_add for (page loaded mid-run, or a missed frame): a card without the unit facts.
      this.steps.push({ hiddenUnits: H, unit: g.hidden[H - 1] ?? null, correlation: null, loss: null, accuracy: null, valAccuracy: null, step: null, at: Date.now(), graph: g })
      if (this.steps.length > MAX_CARDS) this.steps.splice(0, this.steps.length - MAX_CARDS)
      this.changed.emit()
    }
  }

  clear(): void {
    this.steps = []
    this.changed.emit()
  }
}
