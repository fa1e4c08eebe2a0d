// Everything a tab or chrome component needs, created once in main.ts. Each store has one owner (app/wire.ts
// writes them from frames and REST); components only read and subscribe.
import type { StreamHealth } from "../api/types.js"
import type { Theme } from "../chrome/theme.js"
import type { Toasts } from "../chrome/toasts.js"
import type { CandidateStore } from "../store/candidate-store.js"
import type { EvolutionStore } from "../store/evolution-store.js"
import type { MetricsStore } from "../store/metrics-store.js"
import type { ParamsStore } from "../store/params-store.js"
import type { StatusStore } from "../store/status-store.js"
import type { TopologyStore } from "../store/topology-store.js"
import type { Emitter } from "../util/emitter.js"
import type { ControlSocket } from "../ws/control-socket.js"
import type { TrainingSocket } from "../ws/training-socket.js"

export interface AppContext {
  readonly socket: TrainingSocket
  readonly control: ControlSocket
  readonly status: StatusStore
  readonly metrics: MetricsStore
  readonly topology: TopologyStore
  readonly candidates: CandidateStore
  readonly evolution: EvolutionStore
  readonly params: ParamsStore
  readonly theme: Theme
  readonly toasts: Toasts
  /** /api/stream_health, polled by the WS badge. */
  readonly streamHealth: Emitter<StreamHealth | null>
  /** Installed units, for panels that refresh on growth (decision boundary). */
  readonly cascade: Emitter<{ readonly index: number; readonly total: number | null }>
  /** A snapshot restore or a reset: panels reload their documents. */
  readonly reloaded: Emitter<string>
}
