// One dashboard-like scenario written against the interfaces only (JuniperCascorClient + CascorTrainingStreams):
// run unchanged against the fakes and against real `node dist/data` + `node dist/cascor` processes.
import { expect } from "vitest"
import { Duration, Effect, Either, Fiber, Ref, Stream } from "effect"
import { CascorTrainingStreams, JuniperCascorClient, TWO_SPIRAL_DATASET, type TrainingFrame } from "../../src/client/index.js"

const waitFor = <A, E>(label: string, probe: Effect.Effect<A | undefined, E>, timeoutMs = 60_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const v = yield* probe
      if (v !== undefined) return v
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${label}`))
      yield* Effect.sleep(Duration.millis(20))
    }
  })

export const seqsOf = (frames: ReadonlyArray<TrainingFrame>) => frames.flatMap((f) => ("seq" in f && typeof f.seq === "number" ? [f.seq] : []))

export const dashboardScenario = Effect.gen(function* () {
  const c = yield* JuniperCascorClient
  const streams = yield* CascorTrainingStreams

  expect((yield* c.healthCheck()).status).toBe("ok")
  expect(yield* c.isAlive()).toBe(true)
  expect(yield* c.waitForReady({ requireNetwork: false, timeoutMs: 5_000 })).toBe(true)
  const missing = yield* Effect.either(c.getNetwork())
  expect(Either.isLeft(missing) && { tag: missing.left._tag, message: missing.left.message }).toEqual({ tag: "CascorNotFoundError", message: "No network created" })

  const net = yield* c.createNetwork({ input_size: 2, output_size: 2, random_seed: 42, max_hidden_units: 30, max_iterations: 30 })
  expect(net).toMatchObject({ input_size: 2, output_size: 2, hidden_units: 0 })
  expect(yield* c.isReady()).toBe(true)

  // The dashboard's stream, collected in the background.
  const frames = yield* Ref.make<ReadonlyArray<TrainingFrame>>([])
  const reader = yield* Effect.fork(Stream.runForEach(streams.training(), (f) => Ref.update(frames, (fs) => [...fs, f])))
  yield* waitFor("greeting", Effect.map(Ref.get(frames), (fs) => (fs.some((f) => f.type === "initial_metrics") ? true : undefined)))

  expect((yield* c.startTraining({ dataset: { ...TWO_SPIRAL_DATASET, params: { ...TWO_SPIRAL_DATASET.params } } })).status).toBe("training_started")
  yield* waitFor("two cascade_add frames", Effect.map(Ref.get(frames), (fs) => (fs.filter((f) => f.type === "cascade_add").length >= 2 ? true : undefined)))
  expect((yield* c.pauseTraining()).status).toBe("paused")
  const paused = yield* c.getTrainingStatus()
  expect(paused.state_machine.status).toBe("PAUSED")

  const got = yield* Ref.get(frames)
  expect(got.slice(0, 4).map((f) => f.type)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
  const seqs = seqsOf(got)
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!)
  const types = new Set(got.map((f) => f.type))
  for (const t of ["metrics", "state", "cascade_add", "topology", "candidate_progress", "event"]) expect(types.has(t as never), t).toBe(true)
  const started = got.find((f) => f.type === "event")
  expect(started?.type === "event" && started.data.event).toBe("training_started")

  // Consistent views of the paused network (a phase under way when the pause came finishes first).
  const { status, topology, history } = yield* waitFor(
    "the paused run to settle",
    Effect.map(Effect.all({ status: c.getTrainingStatus(), topology: c.getTopology(), history: Effect.map(c.getMetricsHistory(), (h) => h.metrics) }), (v) =>
      v.topology.hidden_units.length === v.status.monitor.current_hidden_units &&
      v.history.filter((r) => r.kind === "training_step").length === v.status.current_epoch
        ? v
        : undefined
    ),
    10_000
  )
  expect(topology.hidden_units.map((u) => u.weights.length)).toEqual(topology.hidden_units.map((_, k) => 2 + k))
  expect(topology.output_weights.length).toBe(2 + topology.hidden_units.length)
  expect((yield* c.getStatistics()).total_hidden_units).toBe(topology.hidden_units.length)
  const boundary = yield* c.getDecisionBoundary(20)
  expect(boundary.predictions.length).toBe(20)
  expect(new Set(boundary.predictions.flat()).size).toBeLessThanOrEqual(2)
  expect((yield* c.getMetrics()).epoch).toBe(history.at(-1)!.epoch)
  expect(yield* c.getDataset()).toMatchObject({ loaded: true, input_features: 2, output_features: 2 })
  expect((yield* c.getDatasetData()).X_train.length).toBe(320)

  // Control commands, correlated by command_id.
  const control = yield* Effect.scoped(
    Effect.gen(function* () {
      const ctl = yield* streams.control()
      const [set, again] = yield* Effect.all([ctl.execute("set_params", { candidate_epochs: 80 }), Effect.either(ctl.execute("pause"))], { concurrency: 2 })
      const resumed = yield* ctl.command("resume")
      return { set, again, resumed }
    })
  )
  expect((control.set as { applied: ReadonlyArray<string> }).applied).toContain("candidate_epochs")
  // A repeated pause is idempotent (the run stays paused); a command invalid in the state is a 409 (below).
  expect(Either.isRight(control.again)).toBe(true)
  expect(control.resumed).toMatchObject({ command: "resume", status: "success" })
  expect((yield* c.getTrainingParams()).candidate_epochs).toBe(80)
  expect((yield* c.getTrainingStatus()).state_machine.status).toBe("STARTED")

  // Stop, snapshot, restore.
  expect(yield* c.stopTraining()).toMatchObject({ status: "stop_requested", stopped: true })
  yield* waitFor("stopped", Effect.map(c.getTrainingStatus(), (s) => (s.state_machine.status === "STOPPED" ? true : undefined)))
  const refused = yield* Effect.either(c.resumeTraining())
  expect(Either.isLeft(refused) && refused.left._tag).toBe("CascorConflictError")
  const snap = yield* c.saveSnapshot("scenario")
  expect((yield* c.listSnapshots()).snapshots.map((s) => s.snapshot_id)).toContain(snap.snapshot_id)
  expect((yield* c.getSnapshot(snap.snapshot_id)).description).toBe("scenario")
  expect((yield* c.loadSnapshot(snap.snapshot_id)).fsm_state).toBe("INVESTIGATING")

  // Metrics clear and its undo (one level), on the restored history.
  const rows = (yield* c.getMetricsHistory()).metrics
  expect(rows.length).toBeGreaterThan(0)
  expect(yield* c.clearMetrics()).toEqual({ status: "cleared", cleared_count: rows.length, undo_available: true })
  expect((yield* c.getMetricsHistory()).metrics).toEqual([])
  expect((yield* c.getTrainingStatus()).metrics_clear_undo_available).toBe(true)
  expect(yield* c.undoClearMetrics()).toEqual({ status: "restored", restored_count: rows.length, undo_available: false })
  expect((yield* c.getMetricsHistory()).metrics).toEqual(rows)
  const nothing = yield* Effect.either(c.undoClearMetrics())
  expect(Either.isLeft(nothing) && nothing.left._tag).toBe("CascorConflictError")
  const transport = yield* c.getTransportMetrics()
  expect(transport.total_messages).toBe(transport.current_seq)
  expect(transport.messages_by_type["cascade_add"]).toBeGreaterThanOrEqual(2)

  const workers = yield* c.listWorkers()
  expect(workers.count).toBeGreaterThanOrEqual(1)
  expect((yield* c.getWorker(workers.workers[0]!.worker_id)).worker_id).toBe(workers.workers[0]!.worker_id)
  expect((yield* c.getWorkerStats()).total).toBe(workers.count)

  expect((yield* c.resetTraining()).status).toBe("reset")
  expect(yield* c.deleteNetwork()).toEqual({ deleted: true })
  yield* Fiber.interrupt(reader)
  return { frames: got.length, hiddenUnits: topology.hidden_units.length }
})
