/**
 * Running a service process: configuration from `<PREFIX>_*` and `.env` (legacy names as deprecated fallbacks),
 * logging, sd_notify, then the service layer until SIGTERM/SIGINT, which NodeRuntime turns into an orderly shutdown.
 * Invalid configuration stops start-up with one message naming every bad variable (exit status 78).
 */
import { writeSync } from "node:fs"
import { NodeRuntime } from "@effect/platform-node"
import { ConfigError, Effect, Layer } from "effect"
import { applyLegacy, type LegacyName, layerEnv, processEnv } from "../config/env.js"
import { configProblems, InvalidConfiguration } from "../config/startup.js"
import { layerLogger, LogSettings } from "./logging.js"
import { layerSdNotify, type SdNotify } from "./sd-notify.js"

export interface MainOptions {
  /** Environment prefix, e.g. "JUNIPER_DATA". */
  readonly prefix: string
  readonly legacy?: ReadonlyArray<LegacyName>
}

export const runService = <E>(service: Layer.Layer<never, E, SdNotify>, options: MainOptions): void => {
  const { env, warnings } = applyLegacy(processEnv(), options.legacy ?? [])
  const configured = layerEnv(options.prefix, env)
  const program = Effect.gen(function* () {
    const log = yield* LogSettings
    yield* Effect.forEach(warnings, (w) => Effect.logWarning(w), { discard: true }).pipe(Effect.provide(layerLogger(log)))
    return yield* Layer.launch(service.pipe(Layer.provide(layerSdNotify))).pipe(Effect.provide(layerLogger(log)))
  }).pipe(
    Effect.catchAll((e: unknown) => {
      const invalid =
        e instanceof InvalidConfiguration
          ? e
          : ConfigError.isConfigError(e)
            ? new InvalidConfiguration({ problems: configProblems(options.prefix, e) })
            : undefined
      if (invalid) {
        writeSync(2, `${invalid.message}\n`) // synchronous: the runtime exits right after
        process.exitCode = 78
        return Effect.void
      }
      return Effect.fail(e)
    }),
    Effect.provide(configured)
  )
  NodeRuntime.runMain(program as Effect.Effect<void, unknown>, { disablePrettyLogger: true })
}
