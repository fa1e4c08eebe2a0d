// Training as an Effect program: the event stream, its schemas, and pause / resume / stop between phases.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Schema, Stream } from "effect"
import {
  CascorKernels,
  makeRun,
  makeTrainingControl,
  runTraining,
  TrainingEvent,
  trainingEvents,
  TsKernelsLive,
  twoSpirals,
  xor
} from "@juniper/cascor"
import type { TrainingEvent as Ev } from "@juniper/cascor"

const tags = (events: ReadonlyArray<Ev>) => events.map((e) => e._tag)

describe("training events", () => {
  it.effect("a run's stream: started, phases in pairs, metrics, installs, completed", () =>
    Effect.gen(function* () {
      const run = yield* makeRun({ params: { seed: 1, rounds: 10 }, dataset: xor() })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(trainingEvents(run)))
      expect(events[0]?._tag).toBe("TrainingStarted")
      const last = events[events.length - 1]
      expect(last).toMatchObject({ _tag: "TrainingCompleted", outcome: "win", reason: "victory" })
      // Every PhaseStarted is closed by a PhaseEnded of the same phase before the next one starts.
      let open: string | undefined
      for (const e of events) {
        if (e._tag === "PhaseStarted") (expect(open).toBeUndefined(), (open = e.phase))
        if (e._tag === "PhaseEnded") (expect(e.phase).toBe(open), (open = undefined))
      }
      const installs = events.filter((e) => e._tag === "UnitInstalled")
      expect(installs.length).toBe(run.status().hiddenUnits)
      // The epoch axis is monotone and ends at the run's count.
      const epochs = events.filter((e) => e._tag === "EpochMetrics").map((e) => e.epoch)
      expect(epochs).toEqual([...epochs].sort((a, b) => a - b))
      expect(epochs[epochs.length - 1]).toBe(run.status().epoch)
      // Every event survives the wire (the schemas the service publishes with).
      const wire = JSON.parse(JSON.stringify(events.map((e) => Schema.encodeSync(TrainingEvent)(e))))
      expect(wire.map((w: unknown) => Schema.decodeUnknownSync(TrainingEvent)(w))).toEqual(events)
    }).pipe(Effect.provide(TsKernelsLive))
  )

  it.effect("epochMetrics 'last' gives one metrics line per phase", () =>
    Effect.gen(function* () {
      const run = yield* makeRun({ params: { seed: 2 }, dataset: xor() })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(trainingEvents(run, { epochMetrics: "last" })))
      const phases = events.filter((e) => e._tag === "PhaseEnded").length
      expect(events.filter((e) => e._tag === "EpochMetrics").length).toBe(phases)
    }).pipe(Effect.provide(TsKernelsLive))
  )

  it.effect("interrupting the consumer leaves the run between phases", () =>
    Effect.gen(function* () {
      const run = yield* makeRun({ params: { seed: 3 }, dataset: twoSpirals() })
      const firstFive = yield* Stream.runCollect(Stream.take(trainingEvents(run), 5))
      expect(Chunk.size(firstFive)).toBe(5)
      const s = run.status()
      expect(s.done).toBe(false)
      // A new stream continues the same run.
      const more = yield* Stream.runCollect(Stream.take(trainingEvents(run), 30))
      expect(run.status().epoch).toBeGreaterThan(s.epoch)
      expect(Chunk.toReadonlyArray(more)[0]?._tag).toBe("TrainingStarted")
    }).pipe(Effect.provide(TsKernelsLive))
  )
})

describe("control", () => {
  it.live("pause holds the run between phases, resume continues, stop ends it", () =>
    Effect.gen(function* () {
      const control = yield* makeTrainingControl
      const run = yield* makeRun({ params: { seed: 4 }, dataset: twoSpirals() })
      const seen: Array<Ev> = []
      yield* control.pause
      const fiber = yield* Effect.fork(runTraining(run, { control, onEvent: (e) => Effect.sync(() => seen.push(e)) }))
      yield* Effect.sleep("50 millis")
      expect(tags(seen)).toEqual(["TrainingStarted", "TrainingPaused"])
      expect(run.status().epoch).toBe(0)
      yield* control.resume
      // Let a few phases run, then stop.
      while (run.status().hiddenUnits < 2) yield* Effect.sleep("5 millis")
      yield* control.stop
      const result = yield* Fiber.join(fiber)
      expect(result.stopped).toBe(true)
      expect(tags(seen)).toContain("TrainingResumed")
      expect(seen[seen.length - 1]).toMatchObject({ _tag: "TrainingCompleted", outcome: "stopped" })
      expect(run.status().done).toBe(false) // stopped, not finished: can be snapshotted and continued
    }).pipe(Effect.provide(TsKernelsLive))
  )

  it.live("stop while paused ends the run", () =>
    Effect.gen(function* () {
      const control = yield* makeTrainingControl
      const run = yield* makeRun({ params: { seed: 5 }, dataset: xor() })
      yield* control.pause
      const fiber = yield* Effect.fork(runTraining(run, { control }))
      yield* Effect.sleep("20 millis")
      yield* control.stop
      expect((yield* Fiber.join(fiber)).stopped).toBe(true)
    }).pipe(Effect.provide(TsKernelsLive))
  )

  it.effect("a stop asked for during the last phase wins over the run's natural end", () =>
    Effect.gen(function* () {
      // The uninterrupted run: how many phases it has.
      const ref = yield* makeRun({ params: { seed: 1, rounds: 10 }, dataset: xor() })
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(trainingEvents(ref)))
      const phases = all.filter((e) => e._tag === "PhaseStarted").length
      expect(all.at(-1)).toMatchObject({ _tag: "TrainingCompleted", outcome: "win" })
      // The same run, stopped as its last phase starts: that phase runs to its end, the run reports the stop.
      const control = yield* makeTrainingControl
      const run = yield* makeRun({ params: { seed: 1, rounds: 10 }, dataset: xor() })
      let started = 0
      const seen: Array<Ev> = []
      const result = yield* runTraining(run, {
        control,
        onEvent: (e) => Effect.sync(() => seen.push(e)).pipe(Effect.zipRight(e._tag === "PhaseStarted" && ++started === phases ? control.stop : Effect.void))
      })
      expect(run.status().done).toBe(true)
      expect(result.stopped).toBe(true)
      expect(seen.at(-1)).toMatchObject({ _tag: "TrainingCompleted", outcome: "stopped", reason: "stopped" })
      expect(seen.filter((e) => e._tag === "PhaseEnded").length).toBe(phases)
    }).pipe(Effect.provide(TsKernelsLive))
  )

  it.effect("makeRun validates parameters with typed errors", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(makeRun({ params: { poolSize: 0 }, dataset: xor() }))
      expect(error).toMatchObject({ _tag: "InvalidParameter", parameter: "poolSize" })
      const kernels = yield* CascorKernels
      expect(kernels.backend).toBe("ts")
    }).pipe(Effect.provide(TsKernelsLive))
  )
})
