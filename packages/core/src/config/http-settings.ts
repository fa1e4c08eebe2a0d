/** The HTTP settings every service shares (flat names as in the upstream contracts: `<PREFIX>_PORT`, …). */
import { Config, type Redacted } from "effect"
import { secretList, stringList } from "./env.js"

export interface HttpSettings {
  readonly host: string
  readonly port: number
  readonly maxBodyBytes: number
  readonly corsOrigins: ReadonlyArray<string>
  readonly apiKeys: ReadonlyArray<Redacted.Redacted<string>>
  readonly requireAuth: boolean
  readonly rateLimit: {
    readonly enabled: boolean
    readonly requests: number
    readonly windowSeconds: number
  }
  readonly logLevel: string
  readonly logFormat: "text" | "json"
  readonly gitSha: string | null
  readonly buildDate: string | null
  /** Seconds a graceful shutdown waits for in-flight requests before closing connections. */
  readonly shutdownGraceSeconds: number
}

export interface HttpDefaults {
  readonly port: number
  readonly host?: string
  readonly rateLimitEnabled?: boolean
  readonly logFormat?: "text" | "json"
}

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "Expected an integer ≥ 1", validation: (n) => n >= 1 }),
    Config.withDefault(fallback)
  )

/** Reads the shared HTTP settings; `nested` puts them under a prefix segment (canopy's `SERVER__PORT`). */
export const httpSettings = (defaults: HttpDefaults, nested?: string): Config.Config<HttpSettings> => {
  const settings = Config.all({
    host: Config.string("host").pipe(Config.withDefault(defaults.host ?? "127.0.0.1")),
    // 0 binds a free port (tests); Config.port would refuse it.
    port: Config.integer("port").pipe(
      Config.validate({ message: "Expected a network port value (0-65535)", validation: (p) => p >= 0 && p <= 65535 }),
      Config.withDefault(defaults.port)
    ),
    maxBodyBytes: positiveInt("maxBodyBytes", 10 * 1024 * 1024),
    corsOrigins: stringList("corsOrigins").pipe(Config.withDefault<ReadonlyArray<string>>([])),
    apiKeys: secretList("apiKeys").pipe(Config.withDefault<ReadonlyArray<Redacted.Redacted<string>>>([])),
    requireAuth: Config.boolean("requireAuth").pipe(Config.withDefault(false)),
    rateLimit: Config.all({
      enabled: Config.boolean("rateLimitEnabled").pipe(Config.withDefault(defaults.rateLimitEnabled ?? false)),
      requests: positiveInt("rateLimitRequestsPerMinute", 60),
      windowSeconds: positiveInt("rateLimitWindowSeconds", 60)
    }),
    logLevel: Config.literal("TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL")("logLevel").pipe(
      Config.orElse(() => Config.literal("trace", "debug", "info", "warning", "warn", "error", "critical", "fatal")("logLevel")),
      Config.map((l) => l.toUpperCase()),
      Config.withDefault("INFO")
    ),
    logFormat: Config.literal("text", "json")("logFormat").pipe(Config.withDefault(defaults.logFormat ?? "json")),
    gitSha: Config.string("gitSha").pipe(Config.option, Config.map((o) => (o._tag === "Some" ? o.value : null))),
    buildDate: Config.string("buildDate").pipe(Config.option, Config.map((o) => (o._tag === "Some" ? o.value : null))),
    shutdownGraceSeconds: Config.number("shutdownGraceSeconds").pipe(Config.withDefault(10))
  })
  return nested ? Config.nested(settings, nested) : settings
}
