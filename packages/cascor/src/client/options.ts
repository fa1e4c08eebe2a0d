/**
 * Client configuration: the options of the REST client and the WebSocket streams, base-URL normalisation, and the
 * environment fallbacks read through Effect Config (`JUNIPER_CASCOR_API_KEY`, `JUNIPER_CASCOR_WS_ORIGIN`).
 */
import { Config, Effect, Option, Redacted } from "effect"
import { type CascorConfigurationError, configurationError } from "./errors.js"

export const DEFAULT_BASE_URL = "http://localhost:8200"
/** The Origin a control connection sends when neither the option nor JUNIPER_CASCOR_WS_ORIGIN is set (§7.1). */
export const DEFAULT_CONTROL_ORIGIN = "http://localhost:8050"

export interface CascorClientOptions {
  /** Default http://localhost:8200. Scheme added if missing; query, trailing "/" and "/v1" dropped. */
  readonly baseUrl?: string
  /** Sent as X-API-Key. Default: env JUNIPER_CASCOR_API_KEY (through Effect Config); none when unset. */
  readonly apiKey?: string | Redacted.Redacted<string>
  /** Per attempt, default 30 000 ms. */
  readonly timeoutMs?: number
  /** Retries of a GET/HEAD on 429/502/503/504 or a connection failure, default 3. */
  readonly retries?: number
  /** Backoff factor: the n-th retry (0-based) waits backoffMs·2ⁿ plus jitter, or Retry-After if longer. Default 500. */
  readonly backoffMs?: number
  /** Up to this much random extra wait per retry, default 500 ms. */
  readonly jitterMs?: number
}

export const normalizeBaseUrl = (raw: string = DEFAULT_BASE_URL): string => {
  let url = raw.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`
  url = url.replace(/[?#].*$/, "").replace(/\/+$/, "")
  if (url.endsWith("/v1")) url = url.slice(0, -3)
  return url.replace(/\/+$/, "")
}

/** The base URL checked (http/https/ws/wss with a host), or a CascorConfigurationError. */
export const checkBaseUrl = (raw: string | undefined): Effect.Effect<string, CascorConfigurationError> => {
  const url = normalizeBaseUrl(raw)
  try {
    const u = new URL(url)
    if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol) || u.hostname === "")
      return Effect.fail(configurationError(`Invalid JuniperCascor base URL ${JSON.stringify(raw)}: expected http(s):// or ws(s)://host[:port]`))
    return Effect.succeed(url)
  } catch {
    return Effect.fail(configurationError(`Invalid JuniperCascor base URL ${JSON.stringify(raw)}`))
  }
}

/** http(s)://… → ws(s)://… (ws URLs kept), plus `path`. */
export const toWsUrl = (baseUrl: string, path: string): string =>
  `${normalizeBaseUrl(baseUrl).replace(/^http(s?):\/\//i, "ws$1://")}${path.startsWith("/") ? path : `/${path}`}`

/** ws(s)://… → http(s)://… (for the REST client when given a WebSocket URL). */
export const toHttpUrl = (baseUrl: string): string => normalizeBaseUrl(baseUrl).replace(/^ws(s?):\/\//i, "http$1://")

const optionalString = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((s) => s.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/** The API key: the option when given (a string or a Redacted), else JUNIPER_CASCOR_API_KEY, else none. */
export const resolveApiKey = (apiKey: string | Redacted.Redacted<string> | undefined): Effect.Effect<string | undefined> =>
  apiKey !== undefined
    ? Effect.succeed(Redacted.isRedacted(apiKey) ? Redacted.value(apiKey) : apiKey)
    : Effect.map(optionalString("JUNIPER_CASCOR_API_KEY"), Option.getOrUndefined)

/** The Origin: the option when given, else JUNIPER_CASCOR_WS_ORIGIN, else `fallback` (undefined = send none). */
export const resolveOrigin = (origin: string | undefined, fallback: string | undefined): Effect.Effect<string | undefined> =>
  origin !== undefined
    ? Effect.succeed(origin)
    : Effect.map(optionalString("JUNIPER_CASCOR_WS_ORIGIN"), (o) => Option.getOrElse(o, () => fallback))
