/** JuniperData settings (`JUNIPER_DATA_*`, data-api §10), read once at start-up through Effect Config. */
import { Config } from "effect"
import { httpSettings } from "@juniper/core"

export const DataSettings = Config.all({
  http: httpSettings({ port: 8100, rateLimitEnabled: true }),
  storagePath: Config.string("storagePath").pipe(Config.withDefault("./data/datasets")),
  defaultGeneratorSeed: Config.integer("defaultGeneratorSeed").pipe(
    Config.validate({ message: "Expected an integer ≥ 0", validation: (n) => n >= 0 }),
    Config.withDefault(42)
  )
})
export type DataSettings = Config.Config.Success<typeof DataSettings>

/** Refuse to start with REQUIRE_AUTH and no keys (bypass: JUNIPER_SKIP_AUTH_POSTURE_CHECK=1, data-api §9.1). */
export const authPostureProblem = (settings: DataSettings, skip: boolean): string | null =>
  settings.http.requireAuth && settings.http.apiKeys.length === 0 && !skip
    ? "JUNIPER_DATA_REQUIRE_AUTH=true but no API keys are configured (JUNIPER_DATA_API_KEYS or JUNIPER_DATA_API_KEYS_FILE)"
    : null
