// The cluster layer in single mode (one process, in-memory storage): runs as durable workflows, candidate jobs
// through the CandidateTrainer entity (TS kernels on worker threads), control through the run table and the
// resume deferred.
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { defaultClusterSettings } from "../../src/cluster/config.js"
import { clusterLayer } from "../../src/cluster/layers.js"
import { ClusterRuns } from "../../src/cluster/runs.js"
import { twoSpirals } from "../../src/engine/datasets.js"
import { makeParams } from "../../src/engine/params.js"
import { trainSync } from "../../src/engine/runs.js"
import { kernelsLayer } from "../../src/engine/service.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { topologyOf } from "../../src/session/views.js"

const layer = clusterLayer({ ...defaultClusterSettings, candidateChunks: 3, computeWorkers: 2 }).pipe(Layer.provide(kernelsLayer(tsKernels)))
const run = <A, E>(e: Effect.Effect<A, E, ClusterRuns>) =>
  Effect.runPromise(e.pipe(Effect.provide(layer), Effect.timeout("120 seconds")) as Effect.Effect<A, unknown>)

const reference = (params: Record<string, number>) => {
  const r = trainSync(tsKernels, makeParams("twoSpirals", params), twoSpirals()).run
  return { status: r.status(), topology: JSON.parse(JSON.stringify(topologyOf(r.network()))) }
}

const until = <A, E, R>(get: Effect.Effect<A, E, R>, ok: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (;;) {
      const a = yield* get
      if (ok(a)) return a
      yield* Effect.sleep("25 millis")
    }
  })
const terminal = (s: string) => s === "completed" || s === "failed" || s === "stopped"

describe("cluster, single mode", () => {
  it("a run trains to the same network as trainSync, with split candidate jobs", async () => {
    const params = { seed: 11, poolSize: 6, rounds: 3, inLimit: 40, outLimit: 60 }
    const ref = reference(params)
    const out = await run(
      Effect.gen(function* () {
        const runs = yield* ClusterRuns
        yield* runs.create({ run_id: "a", preset: "twoSpirals", params, dataset: { kind: "two_spirals", pairs: 97 } })
        const done = yield* until(runs.get("a"), (r) => terminal(r.state))
        return { done, topology: yield* runs.topology("a"), metrics: yield* runs.metrics("a") }
      })
    )
    expect(out.done.state).toBe("completed")
    expect(out.done.status).toMatchObject({ epoch: ref.status.epoch, hidden_units: ref.status.hiddenUnits, true_error: ref.status.trueError })
    expect(out.topology).toEqual(ref.topology)
    const candidates = out.metrics.phases.filter((p) => p.kind === "candidate")
    for (const p of candidates) expect(p.jobs).toBe(4) // 3 split jobs + the winner's replay
  })

  it("pause suspends the workflow between phases, resume continues it to the same result; stop and delete", async () => {
    const params = { seed: 4, poolSize: 8, rounds: 12, inLimit: 60, outLimit: 60 }
    const ref = reference(params)
    const out = await run(
      Effect.gen(function* () {
        const runs = yield* ClusterRuns
        yield* runs.create({ run_id: "p", preset: "twoSpirals", params, dataset: { kind: "two_spirals" } })
        yield* until(runs.get("p"), (r) => r.phases >= 2)
        yield* runs.pause("p")
        const paused = yield* until(runs.get("p"), (r) => r.state === "paused" || terminal(r.state))
        yield* Effect.sleep("300 millis")
        const still = yield* runs.get("p")
        const resumeWhileDone = yield* Effect.flip(runs.resume("nope"))
        yield* runs.resume("p")
        const done = yield* until(runs.get("p"), (r) => terminal(r.state))
        const topology = yield* runs.topology("p")
        // stop: a long run ends as stopped; delete: gone (404), the id can be used again
        yield* runs.create({ run_id: "s", preset: "twoSpirals", params: { ...params, rounds: 25 }, dataset: { kind: "two_spirals" } })
        yield* until(runs.get("s"), (r) => r.phases >= 1)
        yield* runs.stop("s")
        const stopped = yield* until(runs.get("s"), (r) => terminal(r.state))
        const pauseStopped = yield* Effect.flip(runs.pause("s"))
        yield* runs.remove("s")
        const gone = yield* Effect.flip(runs.get("s"))
        yield* runs.create({ run_id: "s", preset: "twoSpirals", params: { ...params, rounds: 1 }, dataset: { kind: "xor" } })
        const again = yield* until(runs.get("s"), (r) => terminal(r.state))
        return { paused, still, resumeWhileDone, done, topology, stopped, pauseStopped, gone, again }
      })
    )
    expect(out.paused.state).toBe("paused")
    expect(out.still.phases).toBe(out.paused.phases)
    expect(out.still.paused_at).toBe(out.paused.phases)
    expect(out.resumeWhileDone._tag).toBe("RunNotFound")
    expect(out.done.state).toBe("completed")
    expect(out.done.status).toMatchObject({ epoch: ref.status.epoch, hidden_units: ref.status.hiddenUnits })
    expect(out.topology).toEqual(ref.topology)
    expect(out.stopped.state).toBe("stopped")
    expect(out.pauseStopped._tag).toBe("RunConflict")
    expect(out.gone._tag).toBe("RunNotFound")
    expect(out.again.state).toBe("completed")
  })
})
