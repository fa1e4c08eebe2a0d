/**
 * Engine events → session state, metrics rows and broadcast frames (§5 cadence, §6.3 types): a training step's row
 * (with validation and classification metrics) and the current topology after every output phase, `output_epoch`
 * rows every 25th output epoch, `candidate_progress` (every 50 candidate epochs from the native backend's progress
 * callback, and once per phase with the winner), `cascade_add` + `topology` per installed unit, lifecycle `event`s,
 * and `state` frames on transitions.
 */
import { Cause, Effect, Option } from "effect"
import type { MetricsRow } from "../api/schema.js"
import type { TrainingEvent } from "../engine/events.js"
import type { Kernels } from "../engine/kernel.js"
import type { CascorRun } from "../engine/run.js"
import { type Broadcaster, nowMs } from "./broadcaster.js"
import { decisionThreshold } from "./dataset.js"
import { evaluate } from "./metrics.js"
import type { HyperParameters } from "../api/schema.js"
import type { SessionState } from "./state.js"
import { topologyOf } from "./views.js"

export interface EventSettings {
  readonly evalMetricsEnabled: boolean
  /** Output epochs between two sampled `output_epoch` rows (§4.4: about every 25th). */
  readonly outputEpochSampling: number
  /** Candidate epochs between two `candidate_progress` frames (§5: every 50). */
  readonly candidateProgressEvery: number
  readonly candidateProgressMinMs?: number
}

export interface EventContext {
  readonly st: SessionState
  readonly broadcaster: Broadcaster
  readonly settings: EventSettings
  /** Publishes a `state` frame (coalesced unless immediate). */
  readonly publishState: (immediate: boolean) => void
  /** The run ended (completed, stopped or failed): the session forgets its fiber. */
  readonly runEnded: () => void
  /** A training step improved on the best loss (`auto_snap_best`). */
  readonly autoSnapshot: (row: MetricsRow) => void
}

/** `completion_reason` (§5) of an engine reason. */
export const completionReasonOf = (hyper: HyperParameters | undefined, reason: string): string => {
  const limit = hyper && hyper.max_hidden_units <= hyper.max_iterations ? "max_hidden_units" : "max_iterations"
  switch (reason) {
    case "victory":
      return "target_accuracy"
    case "rounds":
    case "max_iterations":
      return limit
    case "maxUnits":
      return "max_hidden_units"
    default:
      return reason
  }
}

const candidateEpochsOf = (run: Pick<CascorRun, "params">) =>
  run.params.algorithm === "upstream" ? run.params.upstream.candidateEpochs : run.params.inLimit

export const publishEvent = (ctx: EventContext, event: string, extra: Record<string, unknown> = {}): void =>
  ctx.broadcaster.publish("event", { event, current_epoch: ctx.st.step, hidden_units: ctx.st.run?.status().hiddenUnits ?? 0, ...extra })

const row = (st: SessionState, kind: MetricsRow["kind"], fields: Partial<MetricsRow>): MetricsRow => ({
  epoch: st.step,
  timestamp: new Date().toISOString(),
  loss: null,
  accuracy: null,
  learning_rate: st.config?.hyper.learning_rate ?? null,
  hidden_units: st.run?.status().hiddenUnits ?? 0,
  phase: st.phase,
  validation_loss: null,
  validation_accuracy: null,
  kind,
  f1: null,
  precision: null,
  recall: null,
  roc_auc: null,
  engine_epoch: st.progress.engineEpoch,
  ...fields
})

const pushRow = (ctx: EventContext, r: MetricsRow, at: number): void => {
  ctx.st.history.push(r)
  ctx.broadcaster.publish("metrics", r, at)
}

/** The terminal row of a training step: training loss/accuracy, validation and classification metrics. */
const trainingStepRow = (ctx: EventContext, run: CascorRun): MetricsRow => {
  const st = ctx.st
  const s = run.status()
  const { P, O } = run.dataset
  const engine = st.engine!
  const net = run.network()
  const threshold = decisionThreshold(engine.transform)
  const enabled = ctx.settings.evalMetricsEnabled
  const val = engine.val
  const v = val ? evaluate(net, val.inputs, val.targets, val.P, threshold, "validation", enabled) : null
  const cls = v ?? evaluate(net, run.dataset.inputs, run.dataset.targets, P, threshold, "train", enabled)
  st.latestEval = cls.eval
  const finite = (x: number) => (Number.isFinite(x) ? x : null)
  return row(st, "training_step", {
    loss: finite(s.trueError / (P * O)),
    accuracy: finite(s.accuracy),
    validation_loss: v?.loss ?? null,
    validation_accuracy: v?.accuracy ?? null,
    f1: cls.f1,
    precision: cls.precision,
    recall: cls.recall,
    roc_auc: cls.roc_auc
  })
}

/** One engine event. */
export const onEngineEvent = (ctx: EventContext, run: CascorRun, ev: TrainingEvent): void => {
  const st = ctx.st
  const at = nowMs()
  const pr = st.progress
  switch (ev._tag) {
    case "TrainingStarted":
      pr.engineEpoch = ev.epoch
      publishEvent(ctx, "training_started", { restored: ev.restored, backend: ev.backend })
      ctx.publishState(true)
      return
    case "PhaseStarted":
      if (st.fsm === "STARTED" || st.fsm === "PAUSED") st.phase = ev.phase === "output" ? "OUTPUT" : "CANDIDATE"
      pr.phaseStartedAt = at / 1000
      pr.phaseDetail = ev.phase === "output" ? "training_output" : "training_candidates"
      if (ev.phase === "output") pr.outputEpoch = 0
      else {
        pr.candidateEpoch = 0
        pr.lastProgressEpoch = 0
        pr.bestCorrelation = null
        pr.candidatesTrained = 0
      }
      ctx.publishState(false)
      return
    case "EpochMetrics": {
      pr.engineEpoch = ev.epoch
      if (ev.phase !== "output") return
      pr.outputEpoch = ev.phaseEpoch + 1
      const every = ctx.settings.outputEpochSampling
      // The phase's last epoch (it carries the accuracy) is the training step's row instead.
      if (every > 0 && (ev.phaseEpoch + 1) % every === 0 && ev.accuracy === undefined)
        pushRow(ctx, row(st, "output_epoch", { loss: Number.isFinite(ev.loss) ? ev.loss : null }), at)
      return
    }
    case "CandidateProgress": {
      const order = ev.scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0])
      pr.best = ev.best
      pr.second = order[1]?.[1] ?? null
      pr.allCorrelations = [...ev.scores]
      pr.bestCorrelation = Number.isFinite(ev.bestScore) ? ev.bestScore : null
      pr.candidatesTrained = ev.scores.length
      pr.candidateEpoch = ev.epochs
      ctx.broadcaster.publish(
        "candidate_progress",
        {
          candidate_id: ev.best,
          candidate_uuid: null,
          epoch: ev.epochs,
          total_epochs: candidateEpochsOf(run),
          correlation: pr.bestCorrelation,
          unit: ev.unit,
          final: true,
          all_correlations: ev.scores
        },
        at
      )
      return
    }
    case "UnitInstalled":
      pr.phaseDetail = "adding_candidate"
      ctx.broadcaster.publish(
        "cascade_add",
        { timestamp: at / 1000, hidden_unit_index: ev.index, correlation: ev.score, total_hidden_units: ev.index + 1 },
        at
      )
      ctx.broadcaster.publish("topology", topologyOf(run.network()), at)
      return
    case "PhaseEnded": {
      pr.engineEpoch = ev.epoch
      if (ev.phase === "candidate") {
        pr.lastCandidateSeconds = ev.ms / 1000
        pr.candidateTasks++
        return
      }
      st.step++
      const r = trainingStepRow(ctx, run)
      pushRow(ctx, r, at)
      // The output weights changed: dashboards keep the drawn network current (§6.3 "grew or changed").
      ctx.broadcaster.publish("topology", topologyOf(run.network()), at)
      ctx.autoSnapshot(r)
      ctx.publishState(false)
      return
    }
    case "TrainingPaused":
    case "TrainingResumed":
      ctx.publishState(false)
      return
    case "TrainingCompleted":
      ctx.runEnded()
      st.phase = "IDLE"
      st.pausedPhase = null
      if (ev.outcome === "stopped") {
        st.fsm = "STOPPED"
        publishEvent(ctx, "training_stopped")
      } else {
        st.fsm = "COMPLETED"
        st.completionReason = completionReasonOf(st.config?.hyper, ev.reason)
        publishEvent(ctx, "training_complete", { completion_reason: st.completionReason })
      }
      ctx.publishState(true)
      return
  }
}

/** The native backend's progress callback during a candidate phase: a frame every `candidateProgressEvery` epochs. */
export const onCandidateEpoch = (ctx: EventContext, epoch: number, best: number): void => {
  const pr = ctx.st.progress
  pr.candidateEpoch = epoch
  pr.bestCorrelation = Number.isFinite(best) ? best : null
  const every = ctx.settings.candidateProgressEvery
  if (epoch - pr.lastProgressEpoch < every) return
  // A time floor too: each frame is one write per subscriber; the phase's final frame is always sent (onEngineEvent).
  const now = Date.now()
  if (now - pr.lastProgressAt < (ctx.settings.candidateProgressMinMs ?? 0)) return
  pr.lastProgressAt = now
  pr.lastProgressEpoch = epoch - (epoch % every)
  const run = ctx.st.run
  ctx.broadcaster.publish("candidate_progress", {
    candidate_id: null,
    candidate_uuid: null,
    epoch,
    total_epochs: run ? candidateEpochsOf(run) : 0,
    correlation: pr.bestCorrelation,
    unit: run?.status().hiddenUnits ?? 0,
    final: false
  })
}

/** The training fiber failed (interruption is not a failure): FSM → FAILED, `training_failed`. */
export const onTrainingFailure = (ctx: EventContext, cause: Cause.Cause<unknown>): void => {
  if (Cause.isInterruptedOnly(cause)) return
  const st = ctx.st
  const message = Option.match(Cause.failureOption(cause), {
    onNone: () => Cause.pretty(cause).split("\n")[0] ?? "training failed",
    onSome: (e) => (e as { message?: string }).message ?? String(e)
  })
  ctx.runEnded()
  const inCandidates = st.progress.phaseDetail === "training_candidates"
  st.fsm = "FAILED"
  st.phase = "IDLE"
  st.pausedPhase = null
  st.error = message
  st.completionReason = inCandidates ? "candidate_training_failed" : null
  if (inCandidates) st.progress.candidateFailures++
  Effect.runFork(Effect.logError(`training failed: ${message}`))
  publishEvent(ctx, "training_failed", { error: message })
  ctx.publishState(true)
}

/** The kernels with the native backend's progress callback wired to `onProgress` (other backends unchanged). */
export const withProgress = (kernels: Kernels, onProgress: (epoch: number, best: number) => void): Kernels => {
  const native = kernels as Kernels & { readonly addon?: unknown }
  if (native.addon === undefined) return kernels
  const async = kernels.candidatePhaseAsync as unknown as (input: unknown, progress: (e: number, b: number) => void) => ReturnType<Kernels["candidatePhaseAsync"]>
  return { ...kernels, candidatePhaseAsync: (input) => async(input, onProgress) }
}
