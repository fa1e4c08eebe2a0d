/**
 * `npm run bench -- cluster [--json] [case…]`: JuniperCascor on Effect Cluster with PostgreSQL (real runner processes,
 * `node dist/cascor` with CLUSTER__ROLE=runner, on a fresh database; this process is a client-only cluster member).
 *
 *   candidate   one candidate phase of the large B3 shape (P=100000, I=100, H=50 → K=151, O=10, C=256), all epochs
 *               (patience off), locally in this process and over the cluster with 1, 2 and 3 runners (one job per
 *               runner; the values — 64 MB — go once to each runner). On one 2-core machine the runners share the
 *               same two cores, so the ratios show the overhead of distribution, not a speed-up.
 *   overhead    per-job overhead: the round trip of a tiny job (C=1, one epoch) through the entity vs a local call.
 *   runs        runs completed per minute: 50 two-spiral runs (Fahlman's parameters) at once on 3 runners.
 *
 * Options: --epochs N (candidate epochs, default 10), --patterns P (default 100000), --runs N (default 50), --rounds N (two-spiral rounds, default
 * 25), --backend ts|cpu (default: the best CPU backend), --db URL (default JUNIPER_BENCH_PG_URL or JUNIPER_TEST_PG_URL).
 */
import { cpus } from "node:os"
import { createServer } from "node:net"
import { Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"
import { selectBackendSync } from "../backend/registry.js"
import { defaultClusterSettings, type ClusterSettings } from "../cluster/config.js"
import { clusterCore } from "../cluster/layers.js"
import { ClusterRuns, layerClusterRuns } from "../cluster/runs.js"
import { CandidateTransport, layerClusterTransport } from "../cluster/transport.js"
import { type CandidatePoolSpec, localExecutor, runCandidatePool } from "../engine/candidate-job.js"
import type { Kernels } from "../engine/kernel.js"
import { Xoshiro128 } from "../engine/rng/prng.js"

const argv = process.argv.slice(2)
const json = argv.includes("--json")
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}
const num = (name: string, fallback: number) => Number(opt(name) ?? fallback)
const cases = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && argv[i - 1]!.startsWith("--") && argv[i - 1] !== "--json"))
const want = (c: string) => cases.length === 0 || cases.includes(c)

const emit = (row: Record<string, unknown>) => {
  if (json) console.log(JSON.stringify(row))
  else console.log(Object.entries(row).map(([k, v]) => `${k}=${v}`).join("  "))
}
const round = (x: number, d = 1) => Number(x.toFixed(d))
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const a = s.address()
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0))
    })
  })

/** One statement on the server's admin database (CREATE/DROP DATABASE cannot run in a transaction or a pool's
 * prepared statement, so: a one-connection client and an unprepared query). */
const admin = (url: string, statement: string) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement).raw).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
      Effect.scoped,
      Effect.asVoid
    )
  )

const main = async () => {
  const base = opt("db") ?? process.env["JUNIPER_BENCH_PG_URL"] ?? process.env["JUNIPER_TEST_PG_URL"]
  if (!base) {
    console.error("cluster bench: needs PostgreSQL (--db URL, JUNIPER_BENCH_PG_URL or JUNIPER_TEST_PG_URL)")
    process.exit(2)
  }
  const chosen = opt("backend") ?? selectBackendSync("auto").backend
  const backend = chosen === "cuda" ? "cpu" : chosen
  const kernels: Kernels = selectBackendSync(backend as "ts" | "cpu").kernels
  const dbName = `juniper_bench_cluster_${process.pid}`
  await admin(base, `CREATE DATABASE ${dbName}`)
  const url = new URL(base)
  url.pathname = `/${dbName}`
  const dbUrl = url.toString()
  if (!json) console.log(`# cluster bench on ${cpus()[0]?.model ?? "?"} (${cpus().length} CPUs), node ${process.version}, backend ${backend}`)

  const runners: Array<ServiceProcess> = []
  const settings: ClusterSettings = {
    ...defaultClusterSettings,
    mode: "postgres",
    role: "api",
    databaseUrl: Option.some(Redacted.make(dbUrl)),
    databaseMaxConnections: 4,
    shardsPerGroup: 60,
    refreshAssignmentsIntervalSec: 1,
    healthCheckIntervalSec: 2,
    messagePollIntervalSec: 2
  }
  const startRunner = async () => {
    const port = await freePort()
    const logDir = opt("runner-logs")
    runners.push(
      await startService(`${repoRoot}dist/cascor/index.js`, {
        JUNIPER_CASCOR_PORT: "0",
        JUNIPER_CASCOR_BACKEND: backend,
        JUNIPER_DATA_URL: "http://127.0.0.1:9",
        JUNIPER_CASCOR_LOG_LEVEL: "INFO",
        JUNIPER_CASCOR_CLUSTER__MODE: "postgres",
        JUNIPER_CASCOR_CLUSTER__ROLE: "runner",
        JUNIPER_CASCOR_CLUSTER__DATABASE_URL: dbUrl,
        JUNIPER_CASCOR_CLUSTER__DATABASE_MAX_CONNECTIONS: "6",
        JUNIPER_CASCOR_CLUSTER__SHARDS_PER_GROUP: "60",
        JUNIPER_CASCOR_CLUSTER__RUNNER_HOST: "127.0.0.1",
        JUNIPER_CASCOR_CLUSTER__RUNNER_LISTEN_HOST: "127.0.0.1",
        JUNIPER_CASCOR_CLUSTER__RUNNER_PORT: String(port),
        JUNIPER_CASCOR_CLUSTER__REFRESH_ASSIGNMENTS_INTERVAL_SEC: "1",
        JUNIPER_CASCOR_CLUSTER__HEALTH_CHECK_INTERVAL_SEC: "2",
        JUNIPER_CASCOR_CLUSTER__MESSAGE_POLL_INTERVAL_SEC: "2",
        JUNIPER_CASCOR_CLUSTER__JOB_CONCURRENCY: "2",
        JUNIPER_CASCOR_CLUSTER__COMPUTE_WORKERS: String(cpus().length)
      }, { timeoutMs: 60_000 })
    )
    if (logDir) {
      const r = runners[runners.length - 1]!
      const { createWriteStream } = await import("node:fs")
      const out = createWriteStream(`${logDir}/runner-${runners.length}.log`)
      out.write(r.output())
      r.child.stdout?.pipe(out)
      r.child.stderr?.pipe(out)
    }
  }

  const client = Layer.mergeAll(layerClusterTransport({ partBytes: num("part-kb", 1024) * 1024 }), layerClusterRuns(settings)).pipe(Layer.provideMerge(clusterCore(settings)))
  const program = Effect.gen(function* () {
    const transport = yield* CandidateTransport
    const waitWorkers = (n: number) =>
      Effect.gen(function* () {
        for (let i = 0; i < 300; i++) {
          if ((yield* transport.workers) >= n) return
          yield* Effect.sleep("200 millis")
        }
      })
    const addRunners = (n: number) =>
      Effect.gen(function* () {
        while (runners.length < n) yield* Effect.promise(startRunner)
        yield* waitWorkers(n)
        yield* Effect.sleep("1500 millis") // every runner has taken its shards
      })

    if (want("candidate")) {
      const epochs = num("epochs", 10)
      const P = num("patterns", 100_000)
      const I = 100
      const H = 50
      const K = 1 + I + H
      const O = 10
      const C = 256
      const rng = new Xoshiro128([1, 2, 3, 4])
      const X = new Float32Array(P * K)
      for (let p = 0; p < P; p++) {
        X[p * K] = 1
        for (let k = 1; k < K; k++) X[p * K + k] = rng.uniform(1)
      }
      const E = new Float32Array(P * O)
      for (let i = 0; i < E.length; i++) E[i] = rng.uniform(0.5)
      const errMean = new Float32Array(O)
      let sse = 0
      for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) (errMean[o]! += E[p * O + o]! / P), (sse += E[p * O + o]! ** 2)
      const spec: CandidatePoolSpec = {
        P, K, O, ldx: K, X, E, errMean, sse, activation: 0,
        settings: { epsilon: 1, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs: epochs },
        meanCorrection: "fahlman", weightRange: 1, runSeed: 1, unit: H
      }
      const t0 = performance.now()
      yield* runCandidatePool(localExecutor(kernels), spec, C, 1)
      const local = performance.now() - t0
      emit({ case: "candidate", setting: "local", runners: 0, P, K, O, C, epochs, ms: round(local), ratio_vs_local: 1 })
      let one = 0
      for (const n of [1, 2, 3]) {
        yield* addRunners(n)
        const t = performance.now()
        const stats = yield* Effect.scoped(
          Effect.gen(function* () {
            const px = yield* transport.phase(`bench/${n}`)
            yield* runCandidatePool(px.executor, spec, C, n)
            return px.stats()
          })
        )
        const ms = performance.now() - t
        if (n === 1) one = ms
        emit({
          case: "candidate", setting: `${n} runner${n > 1 ? "s" : ""}`, runners: n, P, K, O, C, epochs, jobs: stats.jobs,
          uploads: stats.loads, ms: round(ms), kernel_ms_max: round(Math.max(...stats.kernelMs)),
          ratio_vs_1_runner: round(ms / one, 3), ratio_vs_local: round(ms / local, 3), distinct_runners: stats.runners.length
        })
      }
    }

    if (want("overhead")) {
      yield* addRunners(Math.max(1, runners.length))
      const rng = new Xoshiro128([5, 6, 7, 8])
      const P = 194
      const K = 3
      const X = new Float32Array(P * K).map((_, i) => (i % K === 0 ? 1 : rng.uniform(1)))
      const E = new Float32Array(P).map(() => rng.uniform(0.5))
      const spec: CandidatePoolSpec = {
        P, K, O: 1, ldx: K, X, E, errMean: new Float32Array([0]), sse: 1, activation: 0,
        settings: { epsilon: 1, mu: 2, decay: 0, patience: 0, changeThreshold: 0.03, maxEpochs: 1 },
        meanCorrection: "fahlman", weightRange: 1, runSeed: 1, unit: 0
      }
      const job = { ...spec, c0: 0, c1: 1, mode: "pool" as const }
      const n = 200
      const localTimes: Array<number> = []
      for (let i = 0; i < n; i++) {
        const t = performance.now()
        yield* localExecutor(kernels)(job)
        localTimes.push(performance.now() - t)
      }
      const remote = yield* Effect.scoped(
        Effect.gen(function* () {
          const px = yield* transport.phase("bench/overhead")
          yield* px.executor(job) // uploads the values
          const times: Array<number> = []
          for (let i = 0; i < n; i++) {
            const t = performance.now()
            yield* px.executor(job)
            times.push(performance.now() - t)
          }
          return times
        })
      )
      emit({
        case: "overhead", jobs: n, local_ms_median: round(median(localTimes), 3), cluster_ms_median: round(median(remote), 3),
        cluster_ms_p95: round([...remote].sort((a, b) => a - b)[Math.floor(0.95 * n)]!, 3),
        overhead_ms_median: round(median(remote) - median(localTimes), 3)
      })
    }

    if (want("runs")) {
      yield* addRunners(3)
      const runs = yield* ClusterRuns
      const count = num("runs", 50)
      const rounds = num("rounds", 25)
      const t0 = performance.now()
      yield* Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (i) => runs.create({ run_id: `bench-${i}`, preset: "twoSpirals", params: { seed: i + 1, rounds }, dataset: { kind: "two_spirals", pairs: 97 } }),
        { concurrency: 10, discard: true }
      )
      let done = 0
      let phases = 0
      let won = 0
      for (;;) {
        const page = yield* runs.list(count + 10, 0)
        const mine = page.runs.filter((r) => r.run_id.startsWith("bench-"))
        const ended = mine.filter((r) => r.state === "completed" || r.state === "failed" || r.state === "stopped")
        if (ended.length === count) {
          done = ended.filter((r) => r.state === "completed").length
          phases = ended.reduce((a, r) => a + r.phases, 0)
          won = ended.filter((r) => r.status?.outcome === "win").length
          break
        }
        yield* Effect.sleep("500 millis")
      }
      const minutes = (performance.now() - t0) / 60_000
      emit({
        case: "runs", runners: 3, runs: count, rounds, completed: done, victories: won, phases_total: phases,
        minutes: round(minutes, 2), runs_per_minute: round(done / minutes, 2), phases_per_second: round(phases / (minutes * 60), 1)
      })
    }
  })

  try {
    await Effect.runPromise(program.pipe(Effect.provide(client), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning)) as Effect.Effect<void, unknown>)
  } finally {
    await Promise.all(runners.map((r) => r.stop()))
    await admin(base, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}' AND pid <> pg_backend_pid()`).catch(() => {})
    await admin(base, `DROP DATABASE IF EXISTS ${dbName}`).catch(() => {})
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e)
  process.exit(1)
})
