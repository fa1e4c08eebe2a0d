// Candidate-pool view: per-candidate correlations of the running pool (candidate_progress and state frames), the
// best-correlation trace over candidate epochs, and capped history cards of finished pools.
import type { CandidateProgress } from "../api/types.js"
import { Emitter } from "../util/emitter.js"

export interface PoolRecord {
  readonly unit: number | null
  readonly best: number | null
  readonly bestId: number | null
  readonly candidates: number
  readonly epochs: number
  readonly installed: boolean
  readonly at: number
}

/** Pools kept (the trend chart); the tab shows the newest few as cards. */
const MAX_HISTORY = 300

export class CandidateStore {
  readonly changed = new Emitter<void>()
  /** Latest correlation per candidate id in the current pool. */
  readonly correlations = new Map<number, number>()
  /** Best correlation over candidate epochs in the current pool. */
  trace: { epochs: number[]; best: Array<number | null>; mean: Array<number | null> } = { epochs: [], best: [], mean: [] }
  epoch = 0
  totalEpochs = 0
  unit: number | null = null
  active = false
  history: PoolRecord[] = []
  progressFrames = 0
  /** The current pool already has a history card (final progress or cascade_add seen). */
  private closed = false

  progress(p: CandidateProgress): void {
    this.progressFrames++
    if (p.unit !== undefined && p.unit !== this.unit) this.newPool(p.unit)
    this.active = !p.final
    if (typeof p.epoch === "number") this.epoch = p.epoch
    if (typeof p.total_epochs === "number") this.totalEpochs = p.total_epochs
    if (Array.isArray(p.all_correlations)) p.all_correlations.forEach((c, i) => this.correlations.set(i, c))
    if (typeof p.candidate_id === "number" && typeof p.correlation === "number") this.correlations.set(p.candidate_id, p.correlation)
    else if (p.candidate_id === null && typeof p.correlation === "number" && this.correlations.size === 0) this.correlations.set(0, p.correlation)
    const vals = [...this.correlations.values()].map(Math.abs)
    const best = vals.length ? Math.max(...vals) : typeof p.correlation === "number" ? Math.abs(p.correlation) : null
    const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null
    const last = this.trace.epochs[this.trace.epochs.length - 1]
    if (typeof p.epoch === "number" && last === p.epoch) {
      this.trace.best[this.trace.best.length - 1] = best
      this.trace.mean[this.trace.mean.length - 1] = mean
    } else if (typeof p.epoch === "number" && (last === undefined || p.epoch > last)) {
      this.trace.epochs.push(p.epoch)
      this.trace.best.push(best)
      this.trace.mean.push(mean)
    } else if (typeof p.epoch === "number") {
      // Epochs went backwards: a new pool started without a unit tag.
      this.newPool(this.unit)
      this.trace = { epochs: [p.epoch], best: [best], mean: [mean] }
    }
    if (p.final) this.closePool(false)
    this.changed.emit()
  }

  /** A state frame's selection fields (all_correlations, pool size). */
  state(all: ReadonlyArray<number> | null, phase: string): void {
    if (all && all.length) {
      all.forEach((c, i) => this.correlations.set(i, c))
      this.changed.emit()
    }
    this.active = phase === "CANDIDATE"
  }

  /** The pool produced a unit (cascade_add). */
  installed(unit: number, correlation: number | null): void {
    this.closePool(true, unit, correlation)
    this.changed.emit()
  }

  private newPool(unit: number | null): void {
    if (this.trace.epochs.length && !this.closed) this.closePool(false)
    this.closed = false
    this.correlations.clear()
    this.trace = { epochs: [], best: [], mean: [] }
    this.unit = unit
  }

  private closePool(installed: boolean, unit: number | null = this.unit, correlation: number | null = null): void {
    const vals = [...this.correlations.entries()]
    if (!vals.length && correlation === null) return
    let bestId: number | null = null
    let bestAbs = -1
    for (const [id, c] of vals) if (Math.abs(c) > bestAbs) {
      bestAbs = Math.abs(c)
      bestId = id
    }
    const best = correlation ?? (bestId === null ? null : (this.correlations.get(bestId) ?? null))
    const rec: PoolRecord = { unit, best, bestId, candidates: vals.length, epochs: this.epoch, installed, at: Date.now() }
    const prev = this.history[0]
    // A final candidate_progress then a cascade_add describe the same pool: keep one card, marked installed.
    if (prev && (this.closed || (prev.unit === unit && unit !== null))) this.history[0] = { ...prev, ...rec, installed: prev.installed || installed }
    else this.history.unshift(rec)
    this.closed = true
    if (this.history.length > MAX_HISTORY) this.history.length = MAX_HISTORY
  }

  clear(): void {
    this.correlations.clear()
    this.trace = { epochs: [], best: [], mean: [] }
    this.history = []
    this.unit = null
    this.closed = false
    this.changed.emit()
  }
}
