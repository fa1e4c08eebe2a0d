// The cluster layer in single mode (one process, in-memory storage): runs as durable workflows with candidate
// jobs through the CandidateTrainer entity give exactly the network of a plain single-process run.
import { Effect, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ClusterRuns } from "../../src/cluster/runs.js"
import { clusterLayer } from "../../src/cluster/layers.js"
import { defaultClusterSettings } from "../../src/cluster/config.js"
import { twoSpirals } from "../../src/engine/datasets.js"
import { Network } from "../../src/engine/network.js"
import { makeParams } from "../../src/engine/params.js"
import { trainSync } from "../../src/engine/runs.js"
import { kernelsLayer } from "../../src/engine/service.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"

const PARAMS = { seed: 11, poolSize: 6, rounds: 3, inLimit: 40, outLimit: 60 } as const

const layer = clusterLayer({ ...defaultClusterSettings, candidateChunks: 3, computeWorkers: 2 }).pipe(Layer.provide(kernelsLayer(tsKernels)))

const waitDone = (runs: typeof ClusterRuns.Service, id: string) =>
  Effect.gen(function* () {
    for (;;) {
      const r = yield* runs.get(id)
      if (r.state === "completed" || r.state === "failed" || r.state === "stopped") return r
      yield* Effect.sleep("50 millis")
    }
  })

describe("cluster, single mode", () => {
  it("a run trains to the same network as trainSync, with split candidate jobs", async () => {
    const reference = trainSync(tsKernels, makeParams("twoSpirals", PARAMS), twoSpirals()).run
    const out = await Effect.runPromise(
      Effect.gen(function* () {
        const runs = yield* ClusterRuns
        yield* runs.create({ run_id: "a", preset: "twoSpirals", params: PARAMS, dataset: { kind: "two_spirals", pairs: 97 } })
        const done = yield* waitDone(runs, "a")
        const topo = yield* runs.topology("a")
        const metrics = yield* runs.metrics("a")
        return { done, topo, metrics }
      }).pipe(Effect.scoped, Effect.provide(layer), Effect.timeout("60 seconds"))
    )
    expect(out.done.state).toBe("completed")
    expect(out.done.status?.hidden_units).toBe(reference.status().hiddenUnits)
    expect(out.done.status?.epoch).toBe(reference.status().epoch)
    expect(out.topo.hidden_units.length).toBe(reference.status().hiddenUnits)
    console.log(out.metrics.phases.map((p) => `${p.phase}:${p.kind}:${p.jobs ?? ""}:${p.attempts}`).join(" "))
  })
})
