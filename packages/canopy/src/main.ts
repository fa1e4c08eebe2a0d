/**
 * `node dist/canopy`: JuniperCanopy on JUNIPER_CANOPY_SERVER__HOST:JUNIPER_CANOPY_SERVER__PORT (default
 * 127.0.0.1:8050). Settings are `JUNIPER_CANOPY_*` (and `.env`), with the deprecated `CASCOR_*`/`CANOPY_*` names as
 * fallbacks (a WARNING each) and the shared `JUNIPER_DATA_URL`/`JUNIPER_DATA_API_KEY`/`JUNIPER_CASCOR_API_KEY`.
 * The backend (demo, service, fake) is chosen once here and logged.
 */
import { Effect, Layer } from "effect"
import { InvalidConfiguration, loadConfig, processEnv, runService } from "@juniper/core"
import { selectBackend } from "./backend/select.js"
import { applySharedNames, bootProblems, CanopySettings, LEGACY_NAMES } from "./config.js"
import { canopyServer } from "./server.js"

const PREFIX = "JUNIPER_CANOPY"

// Shared names (JUNIPER_DATA_URL, …) onto their prefixed twins; Canopy logs text unless told otherwise.
const env = applySharedNames(processEnv())
for (const [k, v] of env) if (k.startsWith(`${PREFIX}_`) && process.env[k] === undefined) process.env[k] = v
if (process.env["JUNIPER_CANOPY_LOG_FORMAT"] === undefined && process.env["CANOPY_LOG_FORMAT"] === undefined)
  process.env["JUNIPER_CANOPY_LOG_FORMAT"] = process.env["LOG_FORMAT"] ?? "text"

const App = Layer.unwrapEffect(
  Effect.gen(function* () {
    const settings = yield* loadConfig(PREFIX, CanopySettings)
    const problems = bootProblems(settings)
    if (problems.length > 0) return yield* Effect.fail(new InvalidConfiguration({ problems }))
    if (settings.http.apiKeys.length === 0) yield* Effect.logWarning("no API key configured: the API is open (JUNIPER_CANOPY_API_KEY)")
    const selection = yield* selectBackend(settings)
    yield* Effect.logInfo(`backend mode: ${selection.mode} (${selection.reason})`).pipe(Effect.annotateLogs({ mode: selection.mode }))
    return canopyServer(settings, selection)
  })
)

runService(App, { prefix: PREFIX, legacy: LEGACY_NAMES })
