/**
 * Where a phase's candidate jobs go: ONE Effect service, `CandidateTransport`, so the cluster entity below could be
 * replaced by another transport (a JetStream work queue: publish jobs, pull results) without touching the workflow.
 *
 * `phase(label)` gives an executor for the engine (`CascorRun.step(kernels, { executor })`): it ships the phase's
 * values once per worker (lazily, before that worker's first job), spreads the jobs over the workers in order, and
 * drops the cached values when the phase's scope closes. Results come back as the engine's `CandidateJobResult`,
 * so `runCandidatePool` merges and ranks them exactly as for a local pool.
 *
 * Cluster implementation: workers are `CandidateTrainer` entity ids chosen so that each lands on a different runner
 * (the shard → runner assignment is recomputed from the runner table with the cluster's own hash ring; if that view
 * is stale a job still runs — on whichever runner owns the id — and only the balance suffers). Volatile sends to a
 * runner that dies are resent by the cluster to the shard's new owner, which answers `ValuesMissing`: the values
 * are sent again and the job retried.
 */
import { randomUUID } from "node:crypto"
import { EntityId, RunnerStorage, Sharding, ShardingConfig } from "@effect/cluster"
import { Context, Effect, Either, HashRing, Layer, Option, type Scope } from "effect"
import { type CandidateExecutor, type CandidateJob, type CandidateJobResult, compactCandidateJob } from "../engine/candidate-job.js"
import { KernelFailure } from "../engine/errors.js"
import type { PhaseEndCode } from "../engine/kernel.js"
import { bytesOf, float32Of } from "./datasets.js"
import { CandidateCompute } from "./compute.js"
import { CandidateTrainer, type JobReply, type TrainerError, VALUES_PART_BYTES } from "./protocol.js"

export interface PhaseExecutor {
  readonly executor: CandidateExecutor<KernelFailure>
  /** Jobs sent so far, and the runners that answered them. */
  readonly stats: () => {
    readonly jobs: number
    readonly loads: number
    readonly runners: ReadonlyArray<string>
    /** Kernel time of each job as its runner measured it (wall minus this is transport and queueing). */
    readonly kernelMs: ReadonlyArray<number>
  }
}

export interface CandidateTransportShape {
  readonly name: string
  /** Workers a phase can spread over right now (≥ 1): the default number of jobs per phase. */
  readonly workers: Effect.Effect<number>
  /** An executor for one phase; its cached values are released when the scope closes. */
  readonly phase: (label: string) => Effect.Effect<PhaseExecutor, never, Scope.Scope>
}

export class CandidateTransport extends Context.Tag("@juniper/cascor/cluster/CandidateTransport")<
  CandidateTransport,
  CandidateTransportShape
>() {}

const failure = (message: string) => new KernelFailure({ backend: "cluster", phase: "candidate", message })

// ---------------------------------------------------------------------------------------------------------------
// Local: jobs on this process's compute service (single process without the entity hop; benchmarks' baseline)
// ---------------------------------------------------------------------------------------------------------------

export const layerLocalTransport: Layer.Layer<CandidateTransport, never, CandidateCompute> = Layer.effect(
  CandidateTransport,
  Effect.map(CandidateCompute, (compute) => ({
    name: "local",
    workers: Effect.succeed(1),
    phase: () =>
      Effect.sync(() => {
        let jobs = 0
        return {
          executor: (job: CandidateJob) => Effect.suspend(() => (jobs++, compute.run(job))),
          stats: () => ({ jobs, loads: 0, runners: ["local"], kernelMs: [] })
        }
      })
  }))
)

// ---------------------------------------------------------------------------------------------------------------
// Cluster: the CandidateTrainer entity
// ---------------------------------------------------------------------------------------------------------------

/** Entity ids spread over the runners: one per healthy runner (as the cluster assigns shards now), in a fixed order. */
export const makeWorkerDirectory = Effect.gen(function* () {
  const sharding = yield* Sharding.Sharding
  const config = yield* ShardingConfig.ShardingConfig
  const storage = yield* Effect.serviceOption(RunnerStorage.RunnerStorage)
  const idOf = (i: number) => `w${i}`
  const compute = Effect.gen(function* () {
    if (Option.isNone(storage)) return [idOf(0)]
    const runners = yield* storage.value.getRunners
    const healthy = runners.filter(([r, ok]) => ok && r.groups.includes("default")).map(([r]) => r)
    if (healthy.length <= 1) return [idOf(0)]
    const ring = HashRing.make<(typeof healthy)[number]["address"]>()
    for (const r of healthy) HashRing.add(ring, r.address, { weight: r.weight })
    const shards = HashRing.getShards(ring, config.shardsPerGroup)
    if (!shards) return [idOf(0)]
    const chosen = new Map<string, string>()
    for (let i = 0; i < 4096 && chosen.size < healthy.length; i++) {
      const id = idOf(i)
      const shard = sharding.getShardId(EntityId.make(id), "default")
      const owner = shards[shard.id - 1]
      const name = owner ? `${owner.host}:${owner.port}` : "" 
      if (owner && !chosen.has(name)) chosen.set(name, id)
    }
    return [...chosen.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, id]) => id)
  }).pipe(Effect.catchAllCause(() => Effect.succeed([idOf(0)])))
  return yield* Effect.cachedWithTTL(compute, "2 seconds")
})

type TrainerClient = (entityId: string) => Effect.Effect.Success<typeof CandidateTrainer.client> extends (id: string) => infer C ? C : never

const resultOf = (r: JobReply): CandidateJobResult => ({
  c0: r.c0,
  c1: r.c1,
  weights: float32Of(r.weights),
  correlations: float32Of(r.correlations),
  scores: float32Of(r.scores),
  best: r.best,
  bestScore: r.bestScore,
  epochs: r.epochs,
  end: r.end as PhaseEndCode,
  ...(r.trace ? { trace: float32Of(r.trace) } : {})
})

/** Cluster-level send failures worth a resend (the cluster already resends across runner loss). */
const transient = (e: { readonly _tag: string }) =>
  e._tag === "MailboxFull" || e._tag === "AlreadyProcessingMessage" || e._tag === "PersistenceError"

/** `partBytes`: the size of the parts a phase's values are uploaded in (default 1 MiB, see protocol.ts). */
export const makeClusterTransport = (o: { readonly partBytes?: number } = {}) => Effect.gen(function* () {
  const PART = o.partBytes ?? VALUES_PART_BYTES
  const makeClient = yield* CandidateTrainer.client
  const workerIds = yield* makeWorkerDirectory
  const client = makeClient as unknown as TrainerClient

  const phase = (label: string) =>
    Effect.gen(function* () {
      const ids = yield* workerIds
      const key = `${label}/${randomUUID()}`
      let source: { X: Float32Array; E: Float32Array } | null = null
      let upload: { P: number; K: number; O: number; sse: number; data: Uint8Array } | null = null
      const loads = new Map<string, Effect.Effect<void, KernelFailure>>()
      const runners = new Set<string>()
      const kernelMs: Array<number> = []
      let jobs = 0
      let loadCount = 0
      // Start each phase at another worker, so the extra replay job of split pools does not always land on the same one.
      let next = [...label].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % ids.length

      const load = (id: string): Effect.Effect<void, KernelFailure> => {
        const hit = loads.get(id)
        if (hit) return hit
        const once = Effect.runSync(
          Effect.cached(
            Effect.suspend(() => {
              loadCount++
              const u = upload!
              const parts = Math.max(1, Math.ceil(u.data.byteLength / PART))
              return Effect.forEach(
                Array.from({ length: parts }, (_, part) => part),
                (part) => {
                  const offset = part * PART
                  const bytes = u.data.subarray(offset, Math.min(u.data.byteLength, offset + PART))
                  return client(id)
                    .LoadValues({ key, P: u.P, K: u.K, O: u.O, sse: u.sse, part, parts, offset, bytes })
                    .pipe(Effect.retry({ while: transient, times: 5 }))
                },
                { concurrency: 4 }
              ).pipe(
                Effect.flatMap((replies) =>
                  replies.some((r) => r.complete) ? Effect.void : Effect.fail({ _tag: "Incomplete", message: `${parts} parts sent, the runner did not complete them` })
                )
              )
            }).pipe(
              Effect.mapError((e: TrainerError | { _tag: string; message?: string }) => failure(`LoadValues on ${id}: ${e._tag}: ${"message" in e ? e.message : ""}`)),
              Effect.catchAllDefect((d) => Effect.fail(failure(`LoadValues on ${id}: ${String(d)}`))),
              Effect.tapError(() => Effect.sync(() => loads.delete(id))),
              Effect.asVoid
            )
          )
        )
        loads.set(id, once)
        return once
      }

      const train = (id: string, job: CandidateJob, attempt: number): Effect.Effect<CandidateJobResult, KernelFailure> =>
        load(id).pipe(
          Effect.zipRight(
            client(id).TrainJob({
              key,
              activation: job.activation,
              settings: job.settings,
              meanCorrection: job.meanCorrection,
              weightRange: job.weightRange,
              runSeed: job.runSeed,
              unit: job.unit,
              c0: job.c0,
              c1: job.c1,
              mode: job.mode
            }).pipe(Effect.retry({ while: transient, times: 5 }), Effect.either)
          ),
          Effect.flatMap((e): Effect.Effect<CandidateJobResult, KernelFailure> => {
            if (Either.isRight(e)) {
              runners.add(e.right.runner)
              kernelMs.push(e.right.ms)
              return Effect.succeed(resultOf(e.right))
            }
            const err = e.left as TrainerError | { _tag: string }
            if (err._tag === "ValuesMissing" && attempt < 3) {
              // The entity moved (failover) or the runner evicted the values: send them again.
              loads.delete(id)
              return train(id, job, attempt + 1)
            }
            const message = "message" in err ? String(err.message) : err._tag
            return Effect.fail(failure(`TrainJob on ${id}: ${err._tag}: ${message}`))
          }),
          Effect.catchAllDefect((d) => Effect.fail(failure(`TrainJob on ${id}: ${String(d)}`)))
        )

      yield* Effect.addFinalizer(() =>
        Effect.forEach([...loads.keys()], (id) => client(id).DropValues({ key }, { discard: true }).pipe(Effect.ignore), {
          discard: true
        }).pipe(Effect.catchAllCause(() => Effect.void))
      )

      const executor: CandidateExecutor<KernelFailure> = (job) =>
        Effect.suspend(() => {
          if (source === null) {
            const c = compactCandidateJob(job)
            source = { X: job.X, E: job.E }
            // X|E|Ē as one byte string, sent in parts (see protocol.ts).
            const data = new Uint8Array(4 * (c.X.length + c.E.length + c.errMean.length))
            data.set(bytesOf(c.X), 0)
            data.set(bytesOf(c.E), 4 * c.X.length)
            data.set(bytesOf(c.errMean), 4 * (c.X.length + c.E.length))
            upload = { P: c.P, K: c.K, O: c.O, sse: c.sse, data }
          } else if (job.X !== source.X || job.E !== source.E) {
            return Effect.fail(failure("a phase executor was reused for other values"))
          }
          const id = ids[next++ % ids.length]!
          jobs++
          return train(id, job, 0)
        })
      return { executor, stats: () => ({ jobs, loads: loadCount, runners: [...runners], kernelMs: [...kernelMs] }) } satisfies PhaseExecutor
    })

  return {
    name: "cluster",
    workers: Effect.map(workerIds, (ids) => ids.length),
    phase
  } satisfies CandidateTransportShape
})

export const layerClusterTransport = (o: { readonly partBytes?: number } = {}): Layer.Layer<
  CandidateTransport,
  never,
  Sharding.Sharding | ShardingConfig.ShardingConfig
> => Layer.effect(CandidateTransport, makeClusterTransport(o))

