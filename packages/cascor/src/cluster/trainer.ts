/**
 * The `CandidateTrainer` entity's handlers (runner side). Every failure is a typed reply: a malformed job or values
 * upload → `InvalidJob`, an unknown phase key → `ValuesMissing`, a kernel failure or any defect → `JobFailed`. The
 * runner keeps serving; nothing is retried on this side (a defect left to the entity manager would be retried
 * forever and the caller would hang).
 */
import { Effect } from "effect"
import type { CandidateJob } from "../engine/candidate-job.js"
import type { ActivationCode } from "../engine/kernel.js"
import { bytesOf } from "./datasets.js"
import { CandidateCompute, RunnerIdentity, ValuesCache, type PhaseValues } from "./compute.js"
import { CandidateTrainer, InvalidJob, JobFailed, type JobReply, ValuesMissing } from "./protocol.js"

const MAX_VALUES = 2 ** 29 // float32 values per array (2 GiB)
const isInt = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi
const finite = (a: Float32Array): number => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i
  return -1
}

type ValuesInput = {
  key: string
  P: number
  K: number
  O: number
  sse: number
  part: number
  parts: number
  offset: number
  bytes: Uint8Array
}
type JobInput = {
  key: string
  activation: number
  settings: { epsilon: number; mu: number; decay: number; patience: number; changeThreshold: number; maxEpochs: number }
  meanCorrection: string
  weightRange: number
  runSeed: number
  unit: number
  c0: number
  c1: number
  mode: string
}

/** Float32 values of a phase upload: X (P·K), E (P·O), Ē (O). */
export const valuesLength = (P: number, K: number, O: number): number => P * K + P * O + O

/** Checks one part of an upload; returns the problem or null. */
export const valuesProblem = (v: ValuesInput): string | null => {
  if (typeof v.key !== "string" || v.key.length === 0 || v.key.length > 300) return "key must be 1–300 characters"
  if (!isInt(v.P, 1, MAX_VALUES) || !isInt(v.K, 1, 1_000_000) || !isInt(v.O, 1, 1_000_000)) return `bad shape P=${v.P} K=${v.K} O=${v.O}`
  if (v.P * v.K > MAX_VALUES || v.P * v.O > MAX_VALUES) return `values too large (P·K = ${v.P * v.K})`
  if (!Number.isFinite(v.sse) || v.sse < 0) return `sse must be finite and ≥ 0 (got ${v.sse})`
  const total = 4 * valuesLength(v.P, v.K, v.O)
  if (!isInt(v.parts, 1, 1_000_000) || !isInt(v.part, 0, v.parts - 1)) return `bad part ${v.part} of ${v.parts}`
  if (!isInt(v.offset, 0, total) || v.offset % 4 !== 0) return `bad offset ${v.offset}`
  if (v.bytes.byteLength % 4 !== 0 || v.offset + v.bytes.byteLength > total)
    return `part ${v.part} has ${v.bytes.byteLength} bytes at offset ${v.offset}; the values are P·(K+O)+O floats = ${total} bytes`
  if (v.parts === 1 && v.bytes.byteLength !== total) return `the values have ${v.bytes.byteLength} bytes, expected ${total}`
  return null
}

/** Checks a job against its values; returns the problem or null. */
export const jobProblem = (j: JobInput, v: PhaseValues): string | null => {
  if (![0, 1, 2, 4].includes(j.activation)) return `activation ${j.activation} is not a hidden-unit activation code (0, 1, 2, 4)`
  const s = j.settings
  for (const [name, x] of Object.entries(s)) if (!Number.isFinite(x)) return `settings.${name} is not finite`
  if (!isInt(s.patience, 0, 1_000_000) || !isInt(s.maxEpochs, 0, 1_000_000)) return "settings.patience and maxEpochs must be integers in [0, 1e6]"
  if (s.epsilon <= 0 || s.mu <= 0 || s.decay < 0 || s.changeThreshold < 0) return "settings out of range"
  if (j.meanCorrection !== "fahlman" && j.meanCorrection !== "textbook") return `meanCorrection '${j.meanCorrection}'`
  if (j.mode !== "pool" && j.mode !== "trace") return `mode '${j.mode}' (expected pool or trace)`
  if (!Number.isFinite(j.weightRange) || j.weightRange <= 0) return `weightRange ${j.weightRange}`
  if (!isInt(j.runSeed, 0, Number.MAX_SAFE_INTEGER) || !isInt(j.unit, 0, 1_000_000)) return "runSeed and unit must be non-negative integers"
  if (!isInt(j.c0, 0, 1_000_000) || !isInt(j.c1, 1, 1_000_000) || j.c1 <= j.c0) return `bad candidate range [${j.c0}, ${j.c1})`
  const C = j.c1 - j.c0
  if (C * v.K > MAX_VALUES || (j.mode === "trace" && C * (s.maxEpochs + 1) > MAX_VALUES)) return "job too large"
  return null
}

export const toJob = (j: JobInput, v: PhaseValues): CandidateJob => ({
  P: v.P,
  K: v.K,
  O: v.O,
  ldx: v.K,
  X: v.X,
  E: v.E,
  errMean: v.errMean,
  sse: v.sse,
  activation: j.activation as ActivationCode,
  settings: j.settings,
  meanCorrection: j.meanCorrection as "fahlman" | "textbook",
  weightRange: j.weightRange,
  runSeed: j.runSeed,
  unit: j.unit,
  c0: j.c0,
  c1: j.c1,
  mode: j.mode as "pool" | "trace"
})

/** The entity on this runner: handlers over the runner's values cache and compute service. */
export const layerCandidateTrainer = (o: { readonly concurrency: number }) =>
  CandidateTrainer.toLayer(
    Effect.gen(function* () {
      const cache = yield* ValuesCache
      const compute = yield* CandidateCompute
      const runner = yield* RunnerIdentity
      const invalid = (message: string) => new InvalidJob({ message, runner })
      const guard = <A, E>(what: string, e: Effect.Effect<A, E>) =>
        e.pipe(Effect.catchAllDefect((d) => Effect.fail(new JobFailed({ message: `${what}: ${String(d)}`, runner }))))
      return CandidateTrainer.of({
        LoadValues: ({ payload: v }) =>
          guard(
            "LoadValues",
            Effect.suspend((): Effect.Effect<{ runner: string; bytes: number; complete: boolean }, InvalidJob> => {
              const problem = valuesProblem(v)
              if (problem) return Effect.fail(invalid(`values: ${problem}`))
              const now = Date.now()
              for (const [k, a] of cache.pending) if (now - a.startedAt > 600_000) cache.pending.delete(k)
              let a = cache.pending.get(v.key)
              if (a && (a.P !== v.P || a.K !== v.K || a.O !== v.O || a.parts !== v.parts)) {
                cache.pending.delete(v.key)
                return Effect.fail(invalid(`values: part ${v.part} of '${v.key}' does not match the upload's shape`))
              }
              if (!a) {
                a = { P: v.P, K: v.K, O: v.O, sse: v.sse, parts: v.parts, received: new Set(), data: cache.alloc(valuesLength(v.P, v.K, v.O)), startedAt: now }
                cache.pending.set(v.key, a)
              }
              // Copied into aligned memory (the part's bytes may sit at any offset of a socket buffer).
              new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength).set(v.bytes, v.offset)
              a.received.add(v.part)
              if (a.received.size < a.parts) return Effect.succeed({ runner, bytes: 0, complete: false })
              cache.pending.delete(v.key)
              const PK = a.P * a.K
              const PO = a.P * a.O
              const X = a.data.subarray(0, PK)
              const E = a.data.subarray(PK, PK + PO)
              const errMean = a.data.subarray(PK + PO)
              const badX = finite(X)
              if (badX >= 0) return Effect.fail(invalid(`values: X[${badX}] is not finite`))
              const badE = finite(E)
              if (badE >= 0) return Effect.fail(invalid(`values: E[${badE}] is not finite`))
              if (finite(errMean) >= 0) return Effect.fail(invalid("values: errMean is not finite"))
              cache.put(v.key, { P: a.P, K: a.K, O: a.O, X, E, errMean, sse: a.sse, bytes: a.data.byteLength })
              return Effect.succeed({ runner, bytes: a.data.byteLength, complete: true })
            })
          ),
        TrainJob: ({ payload: j }) =>
          guard(
            "TrainJob",
            Effect.gen(function* () {
              const v = cache.get(j.key)
              if (!v) return yield* Effect.fail(new ValuesMissing({ key: j.key, runner }))
              const problem = jobProblem(j, v)
              if (problem) return yield* Effect.fail(invalid(`job: ${problem}`))
              const t0 = performance.now()
              yield* Effect.logInfo(`candidate job started ${j.key} [${j.c0}, ${j.c1}) ${j.mode}`)
              const r = yield* compute
                .run(toJob(j, v))
                .pipe(Effect.mapError((e) => new JobFailed({ message: e.message, runner })))
              const ms = performance.now() - t0
              yield* Effect.logInfo(`candidate job finished ${j.key} [${j.c0}, ${j.c1}) in ${ms.toFixed(1)} ms`)
              const reply: JobReply = {
                c0: r.c0,
                c1: r.c1,
                weights: bytesOf(r.weights),
                correlations: bytesOf(r.correlations),
                scores: bytesOf(r.scores),
                best: r.best,
                bestScore: r.bestScore,
                epochs: r.epochs,
                end: r.end,
                ...(r.trace ? { trace: bytesOf(r.trace) } : {}),
                runner,
                ms
              }
              return reply
            })
          ),
        DropValues: ({ payload }) => Effect.sync(() => cache.drop(payload.key))
      })
    }),
    { concurrency: o.concurrency, maxIdleTime: "10 minutes" }
  )
