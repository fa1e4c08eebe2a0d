/** Structured JSON logs to stdout (or logfmt text), at the configured level. */
import { Config, Layer, Logger, LogLevel } from "effect"

const levels: Record<string, LogLevel.LogLevel> = {
  TRACE: LogLevel.Trace,
  DEBUG: LogLevel.Debug,
  INFO: LogLevel.Info,
  WARN: LogLevel.Warning,
  WARNING: LogLevel.Warning,
  ERROR: LogLevel.Error,
  CRITICAL: LogLevel.Fatal,
  FATAL: LogLevel.Fatal
}

export const LogSettings = Config.all({
  level: Config.string("logLevel").pipe(
    Config.map((s) => s.toUpperCase()),
    Config.validate({ message: `Expected one of ${Object.keys(levels).join(", ")}`, validation: (s) => s in levels }),
    Config.withDefault("INFO")
  ),
  format: Config.literal("json", "text")("logFormat").pipe(Config.withDefault("json" as const))
})

export const layerLogger = (settings: { readonly level: string; readonly format: "json" | "text" }) =>
  Layer.merge(
    settings.format === "json" ? Logger.json : Logger.logFmt,
    Logger.minimumLogLevel(levels[settings.level] ?? LogLevel.Info)
  )
