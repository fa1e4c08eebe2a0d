/**
 * Reading configuration at start-up: one message naming every bad variable (by its environment name) and why,
 * instead of Effect's path-based error tree.
 */
import { Cause, Config, ConfigError, Data, Effect, Option } from "effect"

/** Start-up refused: the message lists every invalid or missing variable. */
export class InvalidConfiguration extends Data.TaggedError("InvalidConfiguration")<{
  readonly problems: ReadonlyArray<{ readonly variable: string; readonly reason: string }>
}> {
  override get message(): string {
    return `invalid configuration:\n${this.problems.map((p) => `  ${p.variable}: ${p.reason}`).join("\n")}`
  }
}

const envName = (prefix: string, path: ReadonlyArray<string>): string =>
  [prefix, path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("__")].filter((s) => s !== "").join("_")

/** Flattens a ConfigError tree into (variable, reason) pairs, deduplicated. */
export const configProblems = (prefix: string, error: ConfigError.ConfigError) => {
  const out = new Map<string, string>()
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      case "InvalidData":
      case "MissingData":
      case "SourceUnavailable":
      case "Unsupported": {
        const variable = envName(prefix, e.path)
        if (!out.has(variable)) out.set(variable, e._op === "MissingData" ? `missing (${e.message})` : e.message)
      }
    }
  }
  walk(error)
  return [...out].map(([variable, reason]) => ({ variable, reason }))
}

/** Loads `config` and turns any ConfigError into InvalidConfiguration naming the environment variables. */
export const loadConfig = <A>(prefix: string, config: Config.Config<A>): Effect.Effect<A, InvalidConfiguration> =>
  Effect.mapError(config, (error) => new InvalidConfiguration({ problems: configProblems(prefix, error) }))

/** For main programs: log the configuration problems and exit with status 78 (EX_CONFIG). */
export const exitOnInvalidConfig = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, InvalidConfiguration>, R> =>
  Effect.catchIf(
    effect,
    (e): e is Extract<E, InvalidConfiguration> => e instanceof InvalidConfiguration,
    (e) =>
      Effect.sync(() => {
        process.stderr.write(`${e.message}\n`)
        process.exit(78)
      }) as Effect.Effect<never>
  ) as Effect.Effect<A, Exclude<E, InvalidConfiguration>, R>

export const causeMessage = (cause: Cause.Cause<unknown>): string =>
  Option.match(Cause.failureOption(cause), { onNone: () => Cause.pretty(cause), onSome: (e) => String(e) })
