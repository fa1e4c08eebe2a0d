// Columnar metric history for the charts. Frames append O(1); charts read the columns once per animation frame.
// Rows are deduplicated by (timestamp, kind, step, engine epoch) so that history, initial_metrics and replayed
// frames can overlap freely.
import { metricPoint, type MetricPoint } from "../api/normalize.js"
import type { MetricsEntry } from "../api/types.js"
import { Emitter } from "../util/emitter.js"

export type SeriesKey = "loss" | "valLoss" | "accuracy" | "valAccuracy" | "f1" | "precision" | "recall" | "rocAuc"
export const SERIES_KEYS: ReadonlyArray<SeriesKey> = ["loss", "valLoss", "accuracy", "valAccuracy", "f1", "precision", "recall", "rocAuc"]

export interface MetricsChange {
  /** "append": rows from `from` on are new; "reset": everything changed. */
  readonly kind: "append" | "reset"
  readonly from: number
}

const MAX_POINTS = 10_000
const TRIM_BLOCK = 2_000
const SEEN_CAP = 20_000

export class MetricsStore {
  readonly changed = new Emitter<MetricsChange>()
  /** x: the cumulative engine epoch (or the row index when the server sends none). */
  x: number[] = []
  cols: Record<SeriesKey, Array<number | null>> = MetricsStore.emptyCols()
  hidden: Array<number | null> = []
  /** x positions where the hidden-unit count grew (chart markers). */
  markers: Array<{ x: number; units: number }> = []
  latest: MetricPoint | null = null
  /** Instrumentation: metrics rows accepted from live frames (not history). */
  liveAppended = 0
  private seen = new Set<string>()
  private epochOffset = 0
  private lastEngineEpoch: number | null = null

  private static emptyCols(): Record<SeriesKey, Array<number | null>> {
    return { loss: [], valLoss: [], accuracy: [], valAccuracy: [], f1: [], precision: [], recall: [], rocAuc: [] }
  }

  get length(): number {
    return this.x.length
  }

  /** Append live rows (metrics frames); returns how many were new. */
  append(entries: ReadonlyArray<MetricsEntry>, live = true): number {
    const from = this.x.length
    let added = 0
    for (const e of entries) if (this.push(metricPoint(e))) added++
    if (added === 0) return 0
    if (live) this.liveAppended += added
    // Trim in blocks (amortised O(1) per row) rather than shifting 10,000-long columns on every frame.
    if (this.x.length > MAX_POINTS + TRIM_BLOCK) {
      this.trim(this.x.length - MAX_POINTS)
      this.changed.emit({ kind: "reset", from: 0 })
    } else this.changed.emit({ kind: "append", from })
    return added
  }

  /** Replace with a history document merged with whatever already arrived live. */
  replaceWithHistory(history: ReadonlyArray<MetricsEntry>): void {
    const live = this.snapshotRows()
    this.clear(false)
    for (const e of history) this.push(metricPoint(e))
    for (const p of live) this.push(p)
    this.changed.emit({ kind: "reset", from: 0 })
  }

  clear(emit = true): void {
    this.x = []
    this.cols = MetricsStore.emptyCols()
    this.hidden = []
    this.markers = []
    this.latest = null
    this.seen = new Set()
    this.epochOffset = 0
    this.lastEngineEpoch = null
    if (emit) this.changed.emit({ kind: "reset", from: 0 })
  }

  private rows: MetricPoint[] = []

  private snapshotRows(): MetricPoint[] {
    return this.rows.slice()
  }

  private push(p: MetricPoint): boolean {
    if (this.seen.has(p.key)) return false
    this.seen.add(p.key)
    if (this.seen.size > SEEN_CAP) this.seen = new Set([...this.seen].slice(-SEEN_CAP / 2))
    // x: cumulative engine epochs; a smaller epoch means a new run, which continues after the previous one.
    let x: number
    const last = this.x.length ? this.x[this.x.length - 1]! : -1
    if (p.engineEpoch !== null) {
      if (this.lastEngineEpoch !== null && p.engineEpoch < this.lastEngineEpoch) this.epochOffset = last + 1
      this.lastEngineEpoch = p.engineEpoch
      x = Math.max(this.epochOffset + p.engineEpoch, last)
    } else x = last + 1
    const prevHidden = this.hidden.length ? this.hidden[this.hidden.length - 1] : null
    if (p.hiddenUnits !== null && prevHidden !== null && prevHidden !== undefined && p.hiddenUnits > prevHidden) this.markers.push({ x, units: p.hiddenUnits })
    this.x.push(x)
    for (const k of Object.keys(this.cols) as SeriesKey[]) this.cols[k].push(p[k])
    this.hidden.push(p.hiddenUnits)
    this.rows.push(p)
    if (this.rows.length > MAX_POINTS * 2) this.rows = this.rows.slice(-MAX_POINTS)
    this.latest = p
    return true
  }

  private trim(n: number): void {
    this.x = this.x.slice(n)
    for (const k of Object.keys(this.cols) as SeriesKey[]) this.cols[k] = this.cols[k].slice(n)
    this.hidden = this.hidden.slice(n)
    const first = this.x[0] ?? 0
    this.markers = this.markers.filter((m) => m.x >= first)
  }

  /** The last value of a column that is not null (the classification scalars come only on some rows). */
  lastValue(k: SeriesKey): number | null {
    const col = this.cols[k]
    for (let i = col.length - 1; i >= 0 && i >= col.length - 200; i--) {
      const v = col[i]
      if (v !== null && v !== undefined) return v
    }
    return null
  }
}
