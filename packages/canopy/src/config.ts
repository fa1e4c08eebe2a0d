/**
 * JuniperCanopy settings (canopy-ui §5, roadmap Phase 9): `JUNIPER_CANOPY_*` with `__` nesting, read once at start-up
 * through Effect Config (main.ts installs the provider: `.env`, case-insensitive names, legacy `CASCOR_*`/`CANOPY_*`
 * names as deprecated fallbacks). Also the §6 training-parameter table with its env overrides
 * (`JUNIPER_CANOPY_TRAINING__<PARAM>__{MIN,MAX,DEFAULT}`), validated: min ≤ default ≤ max.
 */
import { hostname } from "node:os"
import { fileURLToPath } from "node:url"
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { type HttpSettings, httpSettings, type LegacyName, secret, secretList, stringList } from "@juniper/core"
import { PARAM_SPECS, type ParamSpec } from "./params.js"

/** Deprecated names (roadmap Phase 9) → their `JUNIPER_CANOPY_*` replacements; each use is logged as a WARNING. */
export const LEGACY_NAMES: ReadonlyArray<LegacyName> = [
  { legacy: "CASCOR_DEMO_MODE", current: "JUNIPER_CANOPY_DEMO_MODE" },
  { legacy: "CASCOR_SERVICE_URL", current: "JUNIPER_CANOPY_CASCOR_SERVICE_URL" },
  { legacy: "CANOPY_API_KEY", current: "JUNIPER_CANOPY_API_KEY" },
  { legacy: "CANOPY_API_KEY_FILE", current: "JUNIPER_CANOPY_API_KEY_FILE" },
  { legacy: "CASCOR_DEMO_UPDATE_INTERVAL", current: "JUNIPER_CANOPY_DEMO_UPDATE_INTERVAL" },
  { legacy: "CASCOR_DEMO_CASCADE_EVERY", current: "JUNIPER_CANOPY_DEMO_CASCADE_EVERY" },
  { legacy: "CASCOR_SNAPSHOT_DIR", current: "JUNIPER_CANOPY_SNAPSHOT_DIR" },
  { legacy: "CASCOR_LOG_LEVEL", current: "JUNIPER_CANOPY_LOG_LEVEL" },
  { legacy: "CANOPY_LOG_FORMAT", current: "JUNIPER_CANOPY_LOG_FORMAT" },
  { legacy: "CANOPY_SENTRY_DSN", current: "JUNIPER_CANOPY_SENTRY_DSN" },
  { legacy: "RECURRENCE_SERVICE_URL", current: "JUNIPER_CANOPY_RECURRENCE_SERVICE_URL" },
  { legacy: "CASCOR_SERVER_HOST", current: "JUNIPER_CANOPY_SERVER__HOST" },
  { legacy: "CASCOR_SERVER_PORT", current: "JUNIPER_CANOPY_SERVER__PORT" },
  { legacy: "CASCOR_DEBUG", current: "JUNIPER_CANOPY_SERVER__DEBUG" },
  { legacy: "CASCOR_TRAINING_LEARNING_RATE", current: "JUNIPER_CANOPY_TRAINING__LEARNING_RATE__DEFAULT" },
  { legacy: "CASCOR_TRAINING_HIDDEN_UNITS", current: "JUNIPER_CANOPY_TRAINING__HIDDEN_UNITS__DEFAULT" },
  { legacy: "CASCOR_TRAINING_EPOCHS", current: "JUNIPER_CANOPY_TRAINING__EPOCHS__DEFAULT" }
]

/**
 * Names that are not deprecated but live outside the prefix (shared across services): copied onto their
 * `JUNIPER_CANOPY_*` twin when that is unset, without a warning.
 */
export const SHARED_NAMES: ReadonlyArray<LegacyName> = [
  { legacy: "JUNIPER_DATA_URL", current: "JUNIPER_CANOPY_JUNIPER_DATA_URL" },
  { legacy: "JUNIPER_DATA_API_KEY", current: "JUNIPER_CANOPY_JUNIPER_DATA_API_KEY" },
  { legacy: "JUNIPER_DATA_API_KEY_FILE", current: "JUNIPER_CANOPY_JUNIPER_DATA_API_KEY_FILE" },
  { legacy: "JUNIPER_CASCOR_API_KEY", current: "JUNIPER_CANOPY_CASCOR_API_KEY" },
  { legacy: "JUNIPER_CASCOR_API_KEY_FILE", current: "JUNIPER_CANOPY_CASCOR_API_KEY_FILE" }
]

/** Copies each shared name onto its prefixed twin when the twin is unset (the prefixed name wins). */
export const applySharedNames = (env: ReadonlyMap<string, string>): Map<string, string> => {
  const out = new Map(env)
  for (const { legacy, current } of SHARED_NAMES) {
    const v = env.get(legacy)
    if (v !== undefined && !out.has(current)) out.set(current, v)
  }
  return out
}

export const BackendSetting = Config.literal("auto", "demo", "service", "fake")

const optionalString = (name: string) =>
  Config.string(name).pipe(
    Config.option,
    Config.map((o) => Option.filter(o, (s) => s.trim() !== "")),
    Config.map(Option.map((s) => s.trim())),
    Config.map(Option.getOrNull)
  )
const optionalSecret = (name: string) => secret(name).pipe(Config.option, Config.map(Option.getOrNull))
const positive = (name: string, fallback: number) =>
  Config.number(name).pipe(Config.validate({ message: "Expected a number > 0", validation: (n) => n > 0 }), Config.withDefault(fallback))
const nonNegative = (name: string, fallback: number) =>
  Config.number(name).pipe(Config.validate({ message: "Expected a number ≥ 0", validation: (n) => n >= 0 }), Config.withDefault(fallback))
const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(Config.validate({ message: "Expected an integer ≥ 1", validation: (n) => n >= 1 }), Config.withDefault(fallback))
const bool = (name: string, fallback: boolean) => Config.boolean(name).pipe(Config.withDefault(fallback))

/** The dashboard bundle's default location: packages/canopy/dist/web (this file is packages/canopy/{src,dist}/config). */
export const defaultStaticDir = (): string => fileURLToPath(new URL("../dist/web/", import.meta.url))

const defaultOrigins = (port: number): ReadonlyArray<string> =>
  ["http", "https"].flatMap((scheme) => [`${scheme}://localhost:${port}`, `${scheme}://127.0.0.1:${port}`])

/** One parameter's bounds from `TRAINING__<PARAM>__{MIN,MAX,DEFAULT}` (the key, its name without nn_/cn_, or an alias). */
const boundsOf = (spec: ParamSpec): Config.Config<ParamSpec> => {
  const names = [spec.key, spec.key.replace(/^(nn|cn)_/, ""), ...(spec.envAliases ?? []).map((a) => a.toLowerCase())]
  const unique = [...new Set(names)]
  const read = (field: "min" | "max" | "default", make: (path: string) => Config.Config<unknown>) =>
    unique
      .map((n) => Config.nested(Config.nested(make(field), n), "training"))
      .reduce((acc, c) => Config.orElse(acc, () => c))
      .pipe(Config.option)
  const numeric = spec.type === "int" || spec.type === "float"
  const valueConfig = (field: string): Config.Config<unknown> =>
    numeric
      ? Config.number(field)
      : spec.type === "bool"
        ? Config.boolean(field)
        : Config.string(field).pipe(
            Config.validate({ message: `Expected one of ${spec.options?.join(", ")}`, validation: (s) => !spec.options || spec.options.includes(s) })
          )
  return Config.all({
    min: numeric ? read("min", Config.number) : Config.succeed(Option.none()),
    max: numeric ? read("max", Config.number) : Config.succeed(Option.none()),
    def: read("default", valueConfig)
  }).pipe(
    Config.mapOrFail(({ min, max, def }) => {
      const next: { -readonly [K in keyof ParamSpec]: ParamSpec[K] } = { ...spec }
      if (Option.isSome(min)) next.min = min.value as number
      if (Option.isSome(max)) next.max = max.value as number
      if (Option.isSome(def)) next.default = spec.type === "int" ? Math.round(def.value as number) : (def.value as number | string | boolean)
      if (numeric) {
        const lo = next.min ?? -Infinity
        const hi = next.max ?? Infinity
        const d = next.default as number
        if (lo > hi || d < lo || d > hi)
          return Either.left(
            ConfigError.InvalidData(["training", spec.key], `bounds of ${spec.key} must satisfy min ≤ default ≤ max (got ${next.min} ≤ ${d} ≤ ${next.max})`)
          )
      }
      return Either.right(next as ParamSpec)
    })
  )
}

export const TrainingBounds: Config.Config<ReadonlyArray<ParamSpec>> = Config.all(PARAM_SPECS.map(boundsOf))

const WebSocketSettings = Config.nested(
  Config.all({
    maxConnections: positiveInt("maxConnections", 50),
    maxConnectionsPerIp: positiveInt("maxConnectionsPerIp", 5),
    heartbeatInterval: nonNegative("heartbeatInterval", 30),
    idleTimeoutSeconds: positive("idleTimeoutSeconds", 120),
    maxMessageSizeTraining: positiveInt("maxMessageSizeTraining", 4096),
    maxMessageSizeControl: positiveInt("maxMessageSizeControl", 65_536),
    reconnectAttempts: Config.integer("reconnectAttempts").pipe(Config.withDefault(5)),
    reconnectDelay: positive("reconnectDelay", 2),
    allowedOrigins: stringList("allowedOrigins").pipe(Config.option, Config.map(Option.getOrNull)),
    /**
     * Extension: how long a new connection waits for a `resume` before the fresh-connect sequence (cascor's 5 s); any
     * other first frame (a browser sends `subscribe_metrics`) starts the fresh connect at once.
     */
    resumeWindowMs: Config.integer("resumeWindowMs").pipe(Config.withDefault(5000)),
    replayBufferSize: Config.integer("replayBufferSize").pipe(Config.withDefault(1024))
  }),
  "websocket"
)

const Discovery = Config.nested(
  Config.all({
    enabled: bool("enabled", true),
    host: Config.string("host").pipe(Config.withDefault("localhost")),
    ports: stringList("ports").pipe(
      Config.mapOrFail((ports) => {
        const ns = ports.map(Number)
        return ns.every((n) => Number.isInteger(n) && n > 0 && n < 65536)
          ? Either.right(ns)
          : Either.left(ConfigError.InvalidData([], `Expected a list of ports, got ${ports.join(",")}`))
      }),
      Config.withDefault<ReadonlyArray<number>>([8200])
    ),
    timeoutSeconds: positive("timeoutSeconds", 2.0)
  }),
  "cascorDiscovery"
)

const Server = Config.nested(
  Config.all({
    host: optionalString("host"),
    port: Config.integer("port").pipe(
      Config.validate({ message: "Expected a network port value (0-65535)", validation: (p) => p >= 0 && p <= 65535 }),
      Config.option,
      Config.map(Option.getOrNull)
    ),
    debug: bool("debug", false)
  }),
  "server"
)

/** Everything Canopy reads at start-up. */
export const CanopySettings = Config.all({
  base: httpSettings({ port: 8050, rateLimitEnabled: false, logFormat: "text" }),
  server: Server,
  apiKey: secretList("apiKey").pipe(Config.withDefault<ReadonlyArray<Redacted.Redacted<string>>>([])),
  backend: BackendSetting("backend").pipe(Config.withDefault("auto" as const)),
  fakeScenario: Config.string("fakeScenario").pipe(Config.withDefault("two_spiral_training")),
  demoMode: bool("demoMode", false),
  cascorServiceUrl: optionalString("cascorServiceUrl"),
  cascorWsOrigin: optionalString("cascorWsOrigin"),
  cascorApiKey: optionalSecret("cascorApiKey"),
  discovery: Discovery,
  juniperDataUrl: Config.string("juniperDataUrl").pipe(Config.withDefault("http://localhost:8100")),
  juniperDataApiKey: optionalSecret("juniperDataApiKey"),
  recurrenceServiceUrl: optionalString("recurrenceServiceUrl"),
  loopbackPublishAttested: bool("loopbackPublishAttested", false),
  authProxyAttested: bool("authProxyAttested", false),
  demoUpdateInterval: nonNegative("demoUpdateInterval", 1.0),
  demoCascadeEvery: positiveInt("demoCascadeEvery", 30),
  /** Extension: the pause between two looping demo runs. */
  demoRestartDelay: nonNegative("demoRestartDelay", 3.0),
  /** Extension: the demo's seed (each looping run adds 1). */
  demoSeed: Config.integer("demoSeed").pipe(Config.withDefault(42)),
  snapshotDir: Config.string("snapshotDir").pipe(Config.withDefault("./snapshots")),
  websocket: WebSocketSettings,
  enableWsControlButtons: bool("enableWsControlButtons", true),
  useWebsocketSetParams: bool("useWebsocketSetParams", true),
  wsControlStartTimeout: positive("wsControlStartTimeout", 10),
  wsControlStopTimeout: positive("wsControlStopTimeout", 2),
  wsControlSetParamsTimeout: positive("wsControlSetParamsTimeout", 1),
  csrfEnabled: bool("csrfEnabled", true),
  csrfTokenTtlSeconds: positive("csrfTokenTtlSeconds", 3600),
  csrfSecret: optionalSecret("csrfSecret"),
  wsControlAuthTimeout: positive("wsControlAuthTimeout", 5.0),
  wsAuthEnabled: bool("wsAuthEnabled", false),
  metricsEnabled: bool("metricsEnabled", false),
  metricsTrustedIps: stringList("metricsTrustedIps").pipe(Config.withDefault<ReadonlyArray<string>>(["127.0.0.1", "::1"])),
  metricsSmoothingWindow: positiveInt("metricsSmoothingWindow", 10),
  snapshotsRefreshIntervalMs: positiveInt("snapshotsRefreshIntervalMs", 10_000),
  enableWsLatencyBeacon: bool("enableWsLatencyBeacon", true),
  sentryDsn: optionalString("sentryDsn"),
  /** Extension: where the dashboard bundle lives (index.html + assets/). */
  staticDir: optionalString("staticDir"),
  /** Extension: relay tuning (contract values by default). */
  relayDegradedAfterSeconds: positive("relayDegradedAfterSeconds", 60),
  circuitFailureThreshold: positiveInt("circuitFailureThreshold", 5),
  circuitRecoverySeconds: positive("circuitRecoverySeconds", 60),
  training: TrainingBounds
}).pipe(
  Config.map((s) => {
    const port = s.server.port ?? s.base.port
    const http: HttpSettings = {
      ...s.base,
      host: s.server.host ?? s.base.host,
      port,
      apiKeys: [...s.base.apiKeys, ...s.apiKey]
    }
    const { base: _base, apiKey: _apiKey, ...rest } = s
    return {
      ...rest,
      http,
      cascorWsOrigin: s.cascorWsOrigin ?? `http://${hostname()}:${port === 0 ? 8050 : port}`,
      allowedOrigins: s.websocket.allowedOrigins ?? defaultOrigins(port === 0 ? 8050 : port),
      staticDir: s.staticDir ?? defaultStaticDir()
    }
  })
)
export type CanopySettings = Config.Config.Success<typeof CanopySettings>

const loopback = (host: string) => host === "127.0.0.1" || host === "localhost" || host === "::1" || host.startsWith("127.")

/** Boot guards (§2.3): auth posture and loopback bind. Returns the problems (variable, reason). */
export const bootProblems = (s: CanopySettings): Array<{ variable: string; reason: string }> => {
  const out: Array<{ variable: string; reason: string }> = []
  if (s.http.requireAuth && s.http.apiKeys.length === 0)
    out.push({ variable: "JUNIPER_CANOPY_REQUIRE_AUTH", reason: "true but no API key is configured (JUNIPER_CANOPY_API_KEY or JUNIPER_CANOPY_API_KEY_FILE)" })
  if (!loopback(s.http.host) && !s.loopbackPublishAttested && !s.authProxyAttested)
    out.push({
      variable: "JUNIPER_CANOPY_SERVER__HOST",
      reason: `${s.http.host} is not a loopback address; set JUNIPER_CANOPY_LOOPBACK_PUBLISH_ATTESTED=true or JUNIPER_CANOPY_AUTH_PROXY_ATTESTED=true`
    })
  return out
}

export const redactedValue = (r: Redacted.Redacted<string> | null): string | undefined => (r === null ? undefined : Redacted.value(r))
