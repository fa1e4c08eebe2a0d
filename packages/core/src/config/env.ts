/**
 * Configuration sources: `JUNIPER_<SERVICE>_*` variables from the environment and a `.env` file, case-insensitive,
 * `__` for nesting (`JUNIPER_CANOPY_SERVER__PORT` → `server.port`), `*_FILE` variants for secrets, and legacy names
 * as deprecated fallbacks. Everything is read through Effect `Config`, once, at start-up.
 */
import { existsSync, readFileSync } from "node:fs"
import { parseEnv } from "node:util"
import { Config, ConfigError, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"

export type Env = Readonly<Record<string, string | undefined>>

/** Parses a `.env` file (missing file → empty). Real environment variables always win over it. */
export const dotEnv = (file = ".env"): Env => {
  if (!existsSync(file)) return {}
  return parseEnv(readFileSync(file, "utf8")) as Env
}

/** Upper-cases keys so that look-ups are case-insensitive; later sources win. */
export const mergeEnv = (...sources: ReadonlyArray<Env>): Map<string, string> => {
  const merged = new Map<string, string>()
  for (const source of sources)
    for (const [key, value] of Object.entries(source)) if (value !== undefined) merged.set(key.toUpperCase(), value)
  return merged
}

/**
 * A ConfigProvider over `<PREFIX>_*` keys with the prefix stripped: `Config.integer("port")` reads `<PREFIX>_PORT`,
 * `Config.nested(c, "server")` reads `<PREFIX>_SERVER__…`.
 */
export const envProvider = (prefix: string, env: ReadonlyMap<string, string>): ConfigProvider.ConfigProvider => {
  const head = `${prefix.toUpperCase()}_`
  const entries = new Map<string, string>()
  for (const [key, value] of env) if (key.startsWith(head)) entries.set(key.slice(head.length), value)
  return ConfigProvider.fromMap(entries, { pathDelim: "__", seqDelim: "," }).pipe(ConfigProvider.constantCase)
}

/** The process environment merged over `.env` (in the working directory). */
export const processEnv = (file = ".env"): Map<string, string> => mergeEnv(dotEnv(file), process.env)

/** Installs the `<PREFIX>_*` provider for everything below it. */
export const layerEnv = (prefix: string, env: ReadonlyMap<string, string> = processEnv()): Layer.Layer<never> =>
  Layer.setConfigProvider(envProvider(prefix, env))

/**
 * A list given either as JSON (`["a","b"]`) or comma-separated (`a,b`); blanks dropped. Upstream uses both forms
 * (`CORS_ORIGINS` is JSON, `API_KEYS` is either).
 */
export const stringList = (name: string): Config.Config<ReadonlyArray<string>> =>
  Config.string(name).pipe(
    Config.mapOrFail((raw) => {
      const text = raw.trim()
      if (text.startsWith("[")) {
        try {
          const parsed: unknown = JSON.parse(text)
          if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string"))
            return Either.right(parsed.map((v) => v.trim()).filter((v) => v.length > 0))
        } catch {
          // fall through to the error below
        }
        return Either.left(ConfigError.InvalidData([], `Expected a JSON list of strings or a comma-separated list, got ${JSON.stringify(raw)}`))
      }
      return Either.right(text.split(",").map((v) => v.trim()).filter((v) => v.length > 0))
    })
  )

/** A secret: `KEY`, or the trimmed contents of the file named by `KEY_FILE` (container and cluster secrets). */
export const secret = (key: string): Config.Config<Redacted.Redacted<string>> =>
  Config.redacted(key).pipe(
    Config.orElse(() =>
      Config.string(`${key}File`).pipe(
        Config.mapOrFail((file) =>
          Either.try({
            try: () => Redacted.make(readFileSync(file, "utf8").trim()),
            catch: () => ConfigError.InvalidData([], `cannot read secret file ${file}`)
          })
        )
      )
    )
  )

/** A list of secrets (API keys): `KEY` or `KEY_FILE` (one key per line or comma/JSON list), kept Redacted. */
export const secretList = (key: string): Config.Config<ReadonlyArray<Redacted.Redacted<string>>> =>
  secret(key).pipe(
    Config.mapOrFail((value) => {
      const text = Redacted.value(value).replace(/\r?\n/g, ",")
      return Either.right(
        text.trim().startsWith("[")
          ? (JSON.parse(text) as Array<string>).map((k) => Redacted.make(k.trim())).filter((k) => Redacted.value(k) !== "")
          : text.split(",").map((k) => k.trim()).filter((k) => k !== "").map((k) => Redacted.make(k))
      )
    })
  )

/** A deprecated variable name and the `JUNIPER_*` name that replaces it. */
export interface LegacyName {
  readonly legacy: string
  readonly current: string
}

/**
 * Copies each set legacy variable onto its current name when the current one is unset (the current name always
 * wins), and returns the deprecation warnings to log at start-up.
 */
export const applyLegacy = (
  env: ReadonlyMap<string, string>,
  names: ReadonlyArray<LegacyName>
): { readonly env: Map<string, string>; readonly warnings: ReadonlyArray<string> } => {
  const out = new Map(env)
  const warnings: Array<string> = []
  for (const { current, legacy } of names) {
    const value = env.get(legacy.toUpperCase())
    if (value === undefined) continue
    if (out.has(current.toUpperCase())) {
      warnings.push(`${legacy} is deprecated and ignored because ${current} is set`)
    } else {
      out.set(current.toUpperCase(), value)
      warnings.push(`${legacy} is deprecated; use ${current}`)
    }
  }
  return { env: out, warnings }
}

/** `layerEnv` with legacy fallbacks; each deprecation is logged once as a WARNING when the layer is built. */
export const layerEnvWithLegacy = (
  prefix: string,
  names: ReadonlyArray<LegacyName>,
  env: ReadonlyMap<string, string> = processEnv()
): Layer.Layer<never> => {
  const applied = applyLegacy(env, names)
  return Layer.merge(
    layerEnv(prefix, applied.env),
    Layer.effectDiscard(Effect.forEach(applied.warnings, (w) => Effect.logWarning(w), { discard: true }))
  )
}
