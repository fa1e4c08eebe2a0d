/**
 * Training as an Effect program: a pull-based Stream of TrainingEvents that advances the run one phase per pull.
 *
 * Why a pull stream: a phase only starts when the consumer asks for more, so stopping the consumer (interruption)
 * stops the training between phases, and the control handle is consulted at exactly one place — before a phase is
 * announced. An announced phase always runs to its end, so PhaseStarted is always followed by PhaseEnded.
 */
import { Chunk, Effect, Option, Stream } from "effect"
import type { TrainingControl } from "./control.js"
import type { Dataset } from "./dataset.js"
import type { EngineError } from "./errors.js"
import type { TrainingEvent } from "./events.js"
import type { Kernels } from "./kernel.js"
import { decodeParams } from "./params.js"
import type { CascorRun, RunStatus, StepOptions, StepReport } from "./run.js"
import { createRun, restoreRun } from "./runs.js"
import { CascorKernels } from "./service.js"

export interface TrainingOptions {
  /** Parameters in their input form (defaults filled in, validated). Ignored when `restore` is given. */
  readonly params?: unknown
  readonly dataset: Dataset
  /** An encoded snapshot (`run.snapshot()`): continue that run instead of starting one. */
  readonly restore?: unknown
}

/** Creates (or restores) a run; validation failures are typed (InvalidParameter, InvalidSnapshot). */
export const makeRun = (options: TrainingOptions): Effect.Effect<CascorRun, EngineError, CascorKernels> =>
  Effect.gen(function* () {
    if (options.restore !== undefined) {
      const kernels = yield* CascorKernels
      return yield* restoreRun(options.restore, options.dataset, kernels)
    }
    const params = yield* decodeParams(options.params ?? {})
    return createRun(params, options.dataset)
  })

export interface EventOptions {
  readonly control?: TrainingControl
  readonly step?: StepOptions
  /** Output-phase epoch metrics: every epoch (default) or only each phase's last. */
  readonly epochMetrics?: "all" | "last"
  /** The run was restored (reported in TrainingStarted). */
  readonly restored?: boolean
}

/**
 * Yields to the macrotask queue (setImmediate), not just the microtask queue: a TS-backend phase is synchronous, so
 * without this a run would hold the event loop from start to finish and starve the service's I/O and timers.
 */
export const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  if (typeof setImmediate === "function") {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  }
  const handle = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(handle))
})

const nextPhase = (run: CascorRun): "output" | "candidate" => (run.status().stage === "candidate" ? "candidate" : "output")

/** Turns a step report into the events it stands for. */
export const stepEvents = (
  run: CascorRun,
  report: StepReport,
  epochMetrics: "all" | "last"
): Array<TrainingEvent> => {
  const { P, O } = run.dataset
  const events: Array<TrainingEvent> = []
  if (report.kind === "output") {
    let epoch = report.startEpoch
    const n = report.epochsRun
    for (let i = 0; i < n; i++) {
      const errorBits = report.history[2 * i + 1]!
      if (errorBits > 0 || run.algorithm === "upstream") epoch++ // only updating epochs count (A.5)
      if (epochMetrics === "last" && i < n - 1) continue
      const trueError = report.history[2 * i]!
      events.push({
        _tag: "EpochMetrics", phase: "output", epoch, phaseEpoch: i, hiddenUnits: report.hiddenUnits,
        loss: trueError / (P * O), trueError, errorBits,
        ...(i === n - 1 ? { accuracy: report.accuracy } : {})
      })
    }
    events.push({
      _tag: "PhaseEnded", phase: "output", round: report.round, end: report.end, epochs: report.epochs,
      epoch: report.startEpoch + report.epochs, hiddenUnits: report.hiddenUnits, ms: report.ms
    })
    return events
  }
  const status = run.status()
  const epoch = report.startEpoch + report.epochs
  events.push({
    _tag: "CandidateProgress", unit: report.unit, round: report.round, epochs: report.epochs,
    scores: Array.from(report.scores), best: report.best, bestScore: report.bestScore, end: report.end
  })
  if (report.epochs > 0)
    events.push({
      _tag: "EpochMetrics", phase: "candidate", epoch, phaseEpoch: report.epochs - 1, hiddenUnits: report.hiddenUnits,
      loss: status.trueError / (P * O), trueError: status.trueError, errorBits: Math.max(0, status.errorBits)
    })
  if (report.installed) {
    const u = report.installed
    events.push({
      _tag: "UnitInstalled", index: u.index, fanIn: u.fanIn, weights: Array.from(u.weights),
      outputWeights: Array.from(u.outputWeights), correlations: Array.from(u.correlations), score: u.score, epoch
    })
  }
  events.push({
    _tag: "PhaseEnded", phase: "candidate", round: report.round, end: report.end, epochs: report.epochs, epoch,
    hiddenUnits: report.hiddenUnits, ms: report.ms
  })
  return events
}

const completed = (status: RunStatus, stopped: boolean, ms: number): TrainingEvent => ({
  _tag: "TrainingCompleted",
  outcome: stopped ? "stopped" : (status.outcome ?? "lose"),
  reason: stopped ? "stopped" : (status.reason ?? "unknown"),
  epoch: status.epoch,
  hiddenUnits: status.hiddenUnits,
  crossings: status.crossings,
  trueError: status.trueError,
  errorBits: Math.max(0, status.errorBits),
  accuracy: status.accuracy,
  ms
})

/**
 * The events of a run from its current state to its end (or a stop). Ends after TrainingCompleted. Interrupting the
 * consumer leaves the run between phases, ready to snapshot or to continue with a new stream.
 */
export const trainingEvents = (
  run: CascorRun,
  options: EventOptions = {}
): Stream.Stream<TrainingEvent, EngineError, CascorKernels> =>
  Stream.unwrap(
    Effect.map(CascorKernels, (kernels: Kernels) => {
      const epochMetrics = options.epochMetrics ?? "all"
      let started = false
      let finished = false
      let announced = false
      let pausedAnnounced = false
      let ms = 0
      const emit = (events: ReadonlyArray<TrainingEvent>) => Effect.succeed(Chunk.fromIterable(events))
      const pull: Effect.Effect<Chunk.Chunk<TrainingEvent>, Option.Option<EngineError>> = Effect.suspend(() => {
        if (finished) return Effect.fail(Option.none())
        const status = run.status()
        if (!started) {
          started = true
          return emit([{
            _tag: "TrainingStarted", algorithm: run.algorithm, backend: kernels.backend, seed: run.params.seed,
            patterns: run.dataset.P, inputs: run.dataset.I, outputs: run.dataset.O, poolSize: run.params.poolSize,
            restored: options.restored ?? false, epoch: status.epoch, hiddenUnits: status.hiddenUnits
          }])
        }
        if (announced) {
          // The announced phase runs whatever the control says meanwhile.
          announced = false
          return yieldToEventLoop.pipe(
            Effect.zipRight(run.step(kernels, options.step)),
            Effect.mapError(Option.some),
            Effect.map((report) => {
              if (!report) return Chunk.empty<TrainingEvent>()
              ms += report.ms
              return Chunk.fromIterable(stepEvents(run, report, epochMetrics))
            })
          )
        }
        const finish = (stopped: boolean) => {
          finished = true
          return emit([completed(run.status(), stopped, ms)])
        }
        const control = options.control
        if (!control) {
          if (status.done) return finish(false)
          announced = true
          return emit([phaseStarted(run)])
        }
        return Effect.flatMap(control.state, (state) => {
          // A stop asked for during the last phase wins over that phase's natural end: the caller was told the run
          // stops, so it must not turn up COMPLETED afterwards.
          if (state === "stopping") return finish(true)
          if (status.done) return finish(false)
          if (state === "paused") {
            if (!pausedAnnounced) {
              pausedAnnounced = true
              return emit([{ _tag: "TrainingPaused", epoch: status.epoch, hiddenUnits: status.hiddenUnits }])
            }
            return Effect.map(control.awaitNotPaused, (next) => {
              pausedAnnounced = false
              if (next === "stopping") return Chunk.empty<TrainingEvent>() // the next pull reports the stop
              return Chunk.of<TrainingEvent>({ _tag: "TrainingResumed", epoch: status.epoch, hiddenUnits: status.hiddenUnits })
            })
          }
          announced = true
          return emit([phaseStarted(run)])
        })
      })
      return Stream.repeatEffectChunkOption(pull)
    })
  )

const phaseStarted = (run: CascorRun): TrainingEvent => {
  const s = run.status()
  return {
    _tag: "PhaseStarted", phase: nextPhase(run), round: s.round, final: s.stage === "final", epoch: s.epoch,
    hiddenUnits: s.hiddenUnits
  }
}

/**
 * Trains to the end, handing every event to `onEvent` (e.g. a PubSub publish); returns the final status and
 * whether a stop request ended it.
 */
export const runTraining = <E = never, R = never>(
  run: CascorRun,
  options: EventOptions & { readonly onEvent?: (event: TrainingEvent) => Effect.Effect<void, E, R> } = {}
): Effect.Effect<{ readonly status: RunStatus; readonly stopped: boolean }, EngineError | E, CascorKernels | R> =>
  Effect.gen(function* () {
    let stopped = false
    const onEvent = options.onEvent
    yield* Stream.runForEach(trainingEvents(run, options), (event) => {
      if (event._tag === "TrainingCompleted" && event.outcome === "stopped") stopped = true
      return onEvent ? onEvent(event) : Effect.void
    })
    return { status: run.status(), stopped }
  })
