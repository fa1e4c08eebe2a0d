/**
 * Cluster settings: `JUNIPER_CASCOR_CLUSTER__*` (Effect Config, nested under `cluster`, read once at start-up with
 * the service's other settings).
 *
 * - `MODE`: `single` (default) — one process, the cluster's in-memory storage: `npm start`, tests without Postgres.
 *   `postgres` — messages, workflow journals, runner registry, shard locks and the run table in PostgreSQL.
 * - `ROLE`: `all` (default: API + runner in one process), `api` (HTTP/WS/RPC only; sends workflows and reads runs),
 *   `runner` (runs workflows and candidate jobs; serves only health and metrics over HTTP). `api` and `runner` need
 *   `MODE=postgres`. One image serves every role.
 * - `DATABASE_URL` (or `DATABASE_URL_FILE`, a secret file): the PostgreSQL connection URL.
 * - `RUNNER_HOST` / `RUNNER_PORT`: the address other runners use to reach this one (pod IP in Kubernetes);
 *   `RUNNER_LISTEN_HOST` the interface it binds (default 0.0.0.0).
 * - `SHARDS_PER_GROUP`, `HEALTH` (`ping` | `k8s`), `K8S_NAMESPACE`, `K8S_LABEL_SELECTOR`, `HEALTH_CHECK_INTERVAL_SEC`,
 *   `ENTITY_TERMINATION_TIMEOUT_SEC` (how long SIGTERM waits for in-flight jobs: longer than the longest job), …
 */
import { cpus } from "node:os"
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { secret } from "@juniper/core"

const int = (name: string, fallback: number, min = 0) =>
  Config.integer(name).pipe(
    Config.validate({ message: `Expected an integer ≥ ${min}`, validation: (n) => n >= min }),
    Config.withDefault(fallback)
  )
const num = (name: string, fallback: number, min = 0) =>
  Config.number(name).pipe(
    Config.validate({ message: `Expected a number ≥ ${min}`, validation: (n) => n >= min }),
    Config.withDefault(fallback)
  )

export const ClusterMode = Config.literal("single", "postgres")
export const ClusterRole = Config.literal("all", "api", "runner")

const fields = Config.all({
  mode: ClusterMode("mode").pipe(Config.withDefault("single" as const)),
  role: ClusterRole("role").pipe(Config.withDefault("all" as const)),
  databaseUrl: Config.option(secret("databaseUrl")),
  databaseMaxConnections: int("databaseMaxConnections", 10, 2),
  /** Prefix of every table (the cluster's own and the run tables): several deployments can share a database. */
  tablePrefix: Config.string("tablePrefix").pipe(
    Config.validate({ message: "Expected [a-z][a-z0-9_]*", validation: (s) => /^[a-z][a-z0-9_]{0,40}$/.test(s) }),
    Config.withDefault("cluster")
  ),
  runnerHost: Config.string("runnerHost").pipe(Config.withDefault("127.0.0.1")),
  runnerPort: int("runnerPort", 34431, 0),
  runnerListenHost: Config.string("runnerListenHost").pipe(Config.withDefault("0.0.0.0")),
  shardsPerGroup: int("shardsPerGroup", 300, 1),
  health: Config.literal("ping", "k8s")("health").pipe(Config.withDefault("ping" as const)),
  k8sNamespace: Config.option(Config.string("k8sNamespace")),
  k8sLabelSelector: Config.option(Config.string("k8sLabelSelector")),
  healthCheckIntervalSec: num("healthCheckIntervalSec", 5, 0.1),
  refreshAssignmentsIntervalSec: num("refreshAssignmentsIntervalSec", 2, 0.1),
  messagePollIntervalSec: num("messagePollIntervalSec", 5, 0.1),
  entityTerminationTimeoutSec: num("entityTerminationTimeoutSec", 300, 1),
  /** Candidate jobs per phase: 0 = one per runner. 1 = the unsplit faithful pool on one runner. */
  candidateChunks: int("candidateChunks", 0, 0),
  /** Candidate jobs a runner trains at once. */
  jobConcurrency: int("jobConcurrency", Math.max(1, cpus().length), 1),
  /** Worker threads for candidate jobs on the TypeScript backend (native kernels use their own threads). */
  computeWorkers: int("computeWorkers", Math.max(1, cpus().length), 1),
  /** The per-runner cache of phase values (X, E): evicted least-recently-used beyond this. */
  valuesCacheMb: int("valuesCacheMb", 1024, 1),
  /** Size of the parts a phase's values are uploaded in (KiB). */
  valuesPartKb: int("valuesPartKb", 1024, 16),
  /** Largest message between cluster members (values travel in 1 MiB parts; job replies carry C·K weights and traces). */
  maxMessageMb: int("maxMessageMb", 512, 1),
  /** Largest inline dataset a run may carry (bytes of float32 values): beyond it the create request gets a 413. */
  maxDatasetBytes: int("maxDatasetBytes", 8 * 1024 * 1024, 1),
  /** Runs listed per page at most. */
  maxRunsListed: int("maxRunsListed", 1000, 1)
})

export type ClusterSettings = Omit<Config.Config.Success<typeof fields>, "databaseUrl"> & {
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
}

/** The settings, with the combinations that cannot work refused at start-up (a ConfigError naming the variable). */
export const ClusterSettings: Config.Config<ClusterSettings> = fields.pipe(
  Config.mapOrFail((s) => {
    if (s.mode === "single" && s.role !== "all")
      return Either.left(ConfigError.InvalidData(["role"], `role '${s.role}' needs mode 'postgres' (a shared store)`))
    if (s.mode === "postgres" && Option.isNone(s.databaseUrl))
      return Either.left(ConfigError.MissingData(["databaseUrl"], "mode 'postgres' needs DATABASE_URL or DATABASE_URL_FILE"))
    return Either.right(s)
  })
)

/** Under the service prefix: `JUNIPER_CASCOR_CLUSTER__…`. */
export const ClusterConfig: Config.Config<ClusterSettings> = Config.nested(ClusterSettings, "cluster")

/** Defaults (single mode), for tests and library use. */
export const defaultClusterSettings: ClusterSettings = {
  mode: "single",
  role: "all",
  databaseUrl: Option.none(),
  databaseMaxConnections: 10,
  tablePrefix: "cluster",
  runnerHost: "127.0.0.1",
  runnerPort: 34431,
  runnerListenHost: "0.0.0.0",
  shardsPerGroup: 300,
  health: "ping",
  k8sNamespace: Option.none(),
  k8sLabelSelector: Option.none(),
  healthCheckIntervalSec: 5,
  refreshAssignmentsIntervalSec: 2,
  messagePollIntervalSec: 5,
  entityTerminationTimeoutSec: 300,
  candidateChunks: 0,
  jobConcurrency: Math.max(1, cpus().length),
  computeWorkers: Math.max(1, cpus().length),
  valuesCacheMb: 1024,
  maxMessageMb: 512,
  valuesPartKb: 1024,
  maxDatasetBytes: 8 * 1024 * 1024,
  maxRunsListed: 1000
}

export const redactedUrl = (s: ClusterSettings): string | undefined =>
  Option.match(s.databaseUrl, { onNone: () => undefined, onSome: Redacted.value })
