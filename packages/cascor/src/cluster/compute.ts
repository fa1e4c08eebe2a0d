/**
 * The runner side of candidate jobs: the cache of phase values and the compute service that trains a job off the
 * event loop — on the native addon's own threads (`candidatePhaseAsync`), or, on the TypeScript backend, on a pool
 * of worker threads reading the cached values from shared memory.
 */
import { hostname } from "node:os"
import { Worker } from "node:worker_threads"
import { Context, Effect, Layer, Queue } from "effect"
import { type CandidateJob, type CandidateJobResult, runCandidateJob } from "../engine/candidate-job.js"
import { KernelFailure } from "../engine/errors.js"
import type { Kernels } from "../engine/kernel.js"
import { CascorKernels } from "../engine/service.js"
import { builtWorkerEntry } from "../backend/worker-entry.js"

/** Who this runner is, for replies and logs. */
export class RunnerIdentity extends Context.Tag("@juniper/cascor/cluster/RunnerIdentity")<RunnerIdentity, string>() {}
export const runnerIdentity = (host: string, port: number): string => `${host}:${port}/${hostname()}/${process.pid}`

// ---------------------------------------------------------------------------------------------------------------
// The values cache
// ---------------------------------------------------------------------------------------------------------------

export interface PhaseValues {
  readonly P: number
  readonly K: number
  readonly O: number
  /** P×K, ldx = K. */
  readonly X: Float32Array
  readonly E: Float32Array
  readonly errMean: Float32Array
  readonly sse: number
  readonly bytes: number
}

/** Values being uploaded in parts. */
export interface ValuesAssembly {
  readonly P: number
  readonly K: number
  readonly O: number
  readonly sse: number
  readonly parts: number
  readonly received: Set<number>
  /** X|E|Ē as one float32 buffer (shared memory when jobs run on worker threads). */
  readonly data: Float32Array
  readonly startedAt: number
}

export interface ValuesCacheShape {
  /** Uploads in progress, by key (dropped after 10 minutes without completing). */
  readonly pending: Map<string, ValuesAssembly>
  readonly put: (key: string, v: PhaseValues) => void
  readonly get: (key: string) => PhaseValues | undefined
  readonly drop: (key: string) => void
  readonly size: () => { readonly entries: number; readonly bytes: number }
  /** Float32Arrays for new values: on shared memory when jobs run on worker threads. */
  readonly alloc: (n: number) => Float32Array
}

export class ValuesCache extends Context.Tag("@juniper/cascor/cluster/ValuesCache")<ValuesCache, ValuesCacheShape>() {}

/** Least-recently-used beyond `maxBytes` (a Map keeps insertion order; a hit re-inserts). */
export const makeValuesCache = (maxBytes: number, shared: boolean): ValuesCacheShape => {
  const entries = new Map<string, PhaseValues>()
  let total = 0
  const drop = (key: string) => {
    const v = entries.get(key)
    if (!v) return
    entries.delete(key)
    total -= v.bytes
  }
  return {
    pending: new Map(),
    put: (key, v) => {
      drop(key)
      entries.set(key, v)
      total += v.bytes
      for (const [k] of entries) {
        if (total <= maxBytes || entries.size <= 1) break
        drop(k)
      }
    },
    get: (key) => {
      const v = entries.get(key)
      if (v) {
        entries.delete(key)
        entries.set(key, v)
      }
      return v
    },
    drop,
    size: () => ({ entries: entries.size, bytes: total }),
    alloc: (n) => (shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n))
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------------------------

export interface CandidateComputeShape {
  /** Where jobs run: "native-async" (the addon's threads) or "worker-threads" (TS kernels). */
  readonly mode: string
  readonly backend: string
  readonly run: (job: CandidateJob) => Effect.Effect<CandidateJobResult, KernelFailure>
}

export class CandidateCompute extends Context.Tag("@juniper/cascor/cluster/CandidateCompute")<CandidateCompute, CandidateComputeShape>() {}

/** The worker entry: next to this module in dist; from the sources (vitest), the built copy in dist. */
export const workerEntry = (): URL | undefined => builtWorkerEntry(import.meta.url, "compute-worker.js")

interface PoolWorker {
  worker: Worker
  pending: Map<number, (r: { result?: CandidateJobResult; error?: string }) => void>
}

/** A fixed pool of worker threads (a crashed worker fails its job with a typed error and is replaced). */
const makeWorkerPool = (size: number, entry: URL) =>
  Effect.gen(function* () {
    const idle = yield* Queue.unbounded<PoolWorker>()
    let nextId = 0
    const spawn = (): PoolWorker => {
      const w: PoolWorker = { worker: new Worker(entry), pending: new Map() }
      w.worker.on("message", (m: { id: number; result?: CandidateJobResult; error?: string }) => {
        const k = w.pending.get(m.id)
        w.pending.delete(m.id)
        k?.(m)
      })
      const died = (why: string) => {
        for (const k of w.pending.values()) k({ error: `worker thread failed: ${why}` })
        w.pending.clear()
      }
      w.worker.on("error", (e) => died(String(e)))
      w.worker.on("exit", (code) => died(`exit ${code}`))
      w.worker.unref()
      return w
    }
    const all: Array<PoolWorker> = []
    for (let i = 0; i < size; i++) {
      const w = spawn()
      all.push(w)
      yield* Queue.offer(idle, w)
    }
    yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all(all.map((w) => w.worker.terminate()))))
    const runOn = (w: PoolWorker, job: CandidateJob) =>
      Effect.async<CandidateJobResult, KernelFailure>((resume) => {
        const id = nextId++
        w.pending.set(id, (m) =>
          resume(
            m.result
              ? Effect.succeed(m.result)
              : Effect.fail(new KernelFailure({ backend: "ts", phase: "candidate", message: m.error ?? "job failed" }))
          )
        )
        w.worker.postMessage({ id, job })
      })
    return (job: CandidateJob): Effect.Effect<CandidateJobResult, KernelFailure> =>
      Effect.acquireUseRelease(
        Queue.take(idle),
        (w) => runOn(w, job),
        (w) => {
          // A worker that died is replaced before it goes back to the pool.
          if (w.worker.threadId >= 0) return Queue.offer(idle, w)
          const fresh = spawn()
          all.push(fresh)
          return Queue.offer(idle, fresh)
        }
      )
  })

export const makeCandidateCompute = (kernels: Kernels, workers: number) =>
  Effect.gen(function* () {
    if (kernels.backend !== "ts")
      return { mode: "native-async", backend: kernels.backend, run: (job: CandidateJob) => runCandidateJob(kernels, job) } satisfies CandidateComputeShape
    const entry = workerEntry()
    if (!entry) {
      yield* Effect.logWarning("cluster: the compute worker is not built; TypeScript candidate jobs run on the event loop")
      return { mode: "event-loop", backend: "ts", run: (job: CandidateJob) => runCandidateJob(kernels, job) } satisfies CandidateComputeShape
    }
    const run = yield* makeWorkerPool(workers, entry)
    return { mode: "worker-threads", backend: "ts", run } satisfies CandidateComputeShape
  })

/** The compute service and the values cache of a runner. */
export const layerCompute = (o: { readonly workers: number; readonly cacheBytes: number }) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const kernels = yield* CascorKernels
      const compute = yield* makeCandidateCompute(kernels, o.workers)
      const cache = makeValuesCache(o.cacheBytes, compute.mode === "worker-threads")
      return Context.make(CandidateCompute, compute).pipe(Context.add(ValuesCache, cache))
    })
  )
