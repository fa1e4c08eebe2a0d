/**
 * JuniperCascor settings (cascor-api §11, `JUNIPER_CASCOR_*`, read once at start-up through Effect Config with the
 * prefix stripped: `Config.integer("port")` reads JUNIPER_CASCOR_PORT).
 *
 * Names outside the prefix are mapped onto it by main.ts before the config is read (both spellings work, the
 * prefixed one wins): `JUNIPER_WS_*` → `JUNIPER_CASCOR_WS_*`, `JUNIPER_DATA_URL` → `JUNIPER_CASCOR_JUNIPER_DATA_URL`,
 * `JUNIPER_DATA_API_KEY[_FILE]` → `JUNIPER_CASCOR_JUNIPER_DATA_API_KEY[_FILE]`. Deprecated `CASCOR_*` names are
 * accepted with a warning (LEGACY_NAMES).
 */
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { httpSettings, type LegacyName, secret, stringList } from "@juniper/core"
import { BackendConfig } from "./backend/registry.js"
import { ClusterConfig } from "./cluster/config.js"

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
const bool = (name: string, fallback: boolean) => Config.boolean(name).pipe(Config.withDefault(fallback))

/** A JSON object (auto-start's dataset params and network overrides). */
const jsonObject = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((raw) => {
      try {
        const v: unknown = JSON.parse(raw.trim() === "" ? "{}" : raw)
        if (v !== null && typeof v === "object" && !Array.isArray(v)) return Either.right(v as Record<string, unknown>)
      } catch {
        // below
      }
      return Either.left(ConfigError.InvalidData([], `Expected a JSON object, got ${JSON.stringify(raw)}`))
    }),
    Config.withDefault<Record<string, unknown>>({})
  )

export const DEFAULT_CONTROL_ORIGINS = ["http://localhost:8050", "http://127.0.0.1:8050", "https://localhost:8050", "https://127.0.0.1:8050"]

export const WsSettings = Config.all({
  /** ping every N s (≤ 0 disables). */
  heartbeatIntervalSec: Config.number("wsHeartbeatIntervalSec").pipe(Config.withDefault(30)),
  pongTimeoutSec: num("wsHeartbeatPongTimeoutSec", 10),
  sendTimeoutSeconds: num("wsSendTimeoutSeconds", 0.5),
  maxMessageSizeBytes: int("wsMaxMessageSizeBytes", 60_000),
  chunkPayloadSizeBytes: int("wsChunkPayloadSizeBytes", 32_000, 1),
  replayBufferSize: int("wsReplayBufferSize", 1024),
  initialMetricsCount: int("wsInitialMetricsCount", 100, 1),
  emissionSummaryIntervalSec: num("wsEmissionSummaryIntervalSec", 60),
  /** How long a fresh /ws/training connection waits for a `resume` before a fresh connect (§6.2: 5 s). */
  resumeTimeoutSec: num("wsResumeTimeoutSec", 5),
  maxConnectionsGlobal: int("wsMaxConnectionsGlobal", 200),
  maxConnectionsPerIp: int("wsMaxConnectionsPerIp", 5),
  maxConnectionsPerIdentity: int("wsMaxConnectionsPerIdentity", 5),
  /** The training manager's cap. */
  maxConnections: int("wsMaxConnections", 50),
  /** Frames a client's buffer holds before metrics/progress frames are dropped (oldest first). */
  clientBufferFrames: int("wsClientBufferFrames", 256, 1),
  /** Unset → the Canopy origins; an explicit empty value disables the check. */
  controlAllowedOrigins: Config.option(stringList("wsControlAllowedOrigins")).pipe(
    Config.map(Option.getOrElse((): ReadonlyArray<string> | null => DEFAULT_CONTROL_ORIGINS)),
    Config.map((list) => (list !== null && list.length === 0 ? null : list))
  ),
  controlRateLimitPerSec: num("wsControlRateLimitPerSec", 10),
  controlIdleTimeoutSec: num("wsControlIdleTimeoutSec", 120),
  disableControlEndpoint: bool("disableWsControlEndpoint", false)
})
export type WsSettings = Config.Config.Success<typeof WsSettings>

export const AutoStartSettings = Config.all({
  enabled: bool("autoStart", false),
  dataset: Config.string("autoDataset").pipe(Config.withDefault("spiral")),
  datasetParams: jsonObject("autoDatasetParams"),
  network: jsonObject("autoNetwork"),
  /** Deprecated no-op (epochs_max is derived); logged when set. */
  trainEpochs: int("autoTrainEpochs", 200),
  waitForDataSec: num("autoStartWaitSec", 60),
  /** A demo that keeps going: this many seconds after a run COMPLETES, train a fresh network again (0: off). */
  loopSec: num("autoStartLoopSec", 0)
})
export type AutoStartSettings = Config.Config.Success<typeof AutoStartSettings>

export const CascorSettings = Config.all({
  http: httpSettings({ port: 8200, rateLimitEnabled: false, logFormat: "text" }),
  loopbackPublishAttested: bool("loopbackPublishAttested", false),
  authProxyAttested: bool("authProxyAttested", false),
  snapshotsDir: Config.string("snapshotsDir").pipe(Config.withDefault("./snapshots")),
  snapshotsAutoRetain: int("snapshotsAutoRetain", 10),
  /** Test hook: slows snapshot writes down (ms between chunks). */
  snapshotWriteDelayMs: int("snapshotWriteDelayMs", 0),
  evalMetricsEnabled: bool("evalMetricsEnabled", true),
  /** Demo pacing: minimum seconds between two candidate phases of the default run (0: full speed). */
  trainingStepIntervalSec: num("trainingStepIntervalSec", 0),
  juniperDataUrl: Config.string("juniperDataUrl").pipe(Config.withDefault("http://localhost:8100")),
  juniperDataApiKey: Config.option(secret("juniperDataApiKey")).pipe(
    Config.map(Option.map(Redacted.value)),
    Config.map(Option.getOrUndefined)
  ),
  backend: BackendConfig,
  ws: WsSettings,
  autoStart: AutoStartSettings,
  /** JUNIPER_CASCOR_CLUSTER__* (cluster/config.ts). */
  cluster: ClusterConfig
})
export type CascorSettings = Config.Config.Success<typeof CascorSettings>

/** Deprecated names accepted as fallbacks (a WARNING each at start-up). */
export const LEGACY_NAMES: ReadonlyArray<LegacyName> = [
  { legacy: "CASCOR_HOST", current: "JUNIPER_CASCOR_HOST" },
  { legacy: "CASCOR_PORT", current: "JUNIPER_CASCOR_PORT" },
  { legacy: "CASCOR_LOG_LEVEL", current: "JUNIPER_CASCOR_LOG_LEVEL" },
  { legacy: "CASCOR_AUTO_START", current: "JUNIPER_CASCOR_AUTO_START" },
  { legacy: "CASCOR_AUTO_DATASET", current: "JUNIPER_CASCOR_AUTO_DATASET" },
  { legacy: "CASCOR_AUTO_DATASET_PARAMS", current: "JUNIPER_CASCOR_AUTO_DATASET_PARAMS" },
  { legacy: "CASCOR_AUTO_NETWORK", current: "JUNIPER_CASCOR_AUTO_NETWORK" },
  { legacy: "CASCOR_AUTO_TRAIN_EPOCHS", current: "JUNIPER_CASCOR_AUTO_TRAIN_EPOCHS" }
]

/** Names outside the prefix that are aliases of prefixed settings (no deprecation: the contract names them). */
export const ALIASES: ReadonlyArray<{ readonly from: string; readonly to: string }> = [
  ...[
    "HEARTBEAT_INTERVAL_SEC",
    "HEARTBEAT_PONG_TIMEOUT_SEC",
    "SEND_TIMEOUT_SECONDS",
    "MAX_MESSAGE_SIZE_BYTES",
    "CHUNK_PAYLOAD_SIZE_BYTES",
    "REPLAY_BUFFER_SIZE",
    "INITIAL_METRICS_COUNT",
    "EMISSION_SUMMARY_INTERVAL_SEC",
    "RESUME_TIMEOUT_SEC"
  ].map((n) => ({ from: `JUNIPER_WS_${n}`, to: `JUNIPER_CASCOR_WS_${n}` })),
  { from: "JUNIPER_DATA_URL", to: "JUNIPER_CASCOR_JUNIPER_DATA_URL" },
  { from: "JUNIPER_DATA_API_KEY", to: "JUNIPER_CASCOR_JUNIPER_DATA_API_KEY" },
  { from: "JUNIPER_DATA_API_KEY_FILE", to: "JUNIPER_CASCOR_JUNIPER_DATA_API_KEY_FILE" }
]

/** Applies ALIASES to an environment map (upper-case keys): the prefixed name wins when both are set. */
export const applyAliases = (env: ReadonlyMap<string, string>): Map<string, string> => {
  const out = new Map(env)
  for (const { from, to } of ALIASES) {
    const v = env.get(from)
    if (v !== undefined && !out.has(to)) out.set(to, v)
  }
  return out
}

const loopback = (host: string) => host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)

/** §1.1 bind guard: a non-loopback host needs an attestation. Returns the problem, or null. */
export const bindGuardProblem = (s: CascorSettings): string | null =>
  loopback(s.http.host) || s.loopbackPublishAttested || s.authProxyAttested
    ? null
    : `refusing to bind the non-loopback host ${s.http.host}: set JUNIPER_CASCOR_LOOPBACK_PUBLISH_ATTESTED=true (published through a loopback port mapping) or JUNIPER_CASCOR_AUTH_PROXY_ATTESTED=true (behind an authenticating proxy)`

/** REQUIRE_AUTH with no keys is fatal at boot (§1.3). */
export const authProblem = (s: CascorSettings): string | null =>
  s.http.requireAuth && s.http.apiKeys.length === 0
    ? "JUNIPER_CASCOR_REQUIRE_AUTH=true but no API keys are configured (JUNIPER_CASCOR_API_KEYS or JUNIPER_CASCOR_API_KEYS_FILE)"
    : null
