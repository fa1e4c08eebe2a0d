/**
 * Pause / resume / stop of a running training, honoured between phases (a phase is one kernel call and is never cut).
 * The service builds its run state machine on top of this handle.
 */
import { Effect, Option, Stream, SubscriptionRef } from "effect"

export type ControlState = "running" | "paused" | "stopping"

export interface TrainingControl {
  /** Takes effect before the next phase. No-op once stopping. */
  readonly pause: Effect.Effect<void>
  /** Continues a paused run. No-op once stopping. */
  readonly resume: Effect.Effect<void>
  /** Ends the run before the next phase (also wakes a paused run). */
  readonly stop: Effect.Effect<void>
  readonly state: Effect.Effect<ControlState>
  readonly changes: Stream.Stream<ControlState>
  /** Blocks while paused; then "running" or "stopping". */
  readonly awaitNotPaused: Effect.Effect<Exclude<ControlState, "paused">>
}

export const makeTrainingControl: Effect.Effect<TrainingControl> = Effect.map(
  SubscriptionRef.make<ControlState>("running"),
  (ref) => ({
    pause: SubscriptionRef.update(ref, (s) => (s === "running" ? "paused" : s)),
    resume: SubscriptionRef.update(ref, (s) => (s === "paused" ? "running" : s)),
    stop: SubscriptionRef.set(ref, "stopping"),
    state: SubscriptionRef.get(ref),
    changes: ref.changes,
    awaitNotPaused: ref.changes.pipe(
      Stream.filter((s): s is Exclude<ControlState, "paused"> => s !== "paused"),
      Stream.runHead,
      Effect.map(Option.getOrElse(() => "stopping" as const))
    )
  })
)
