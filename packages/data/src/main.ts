/** `node dist/data`: JuniperData on JUNIPER_DATA_HOST:JUNIPER_DATA_PORT (default 127.0.0.1:8100). */
import { Effect, Layer } from "effect"
import { InvalidConfiguration, runService } from "@juniper/core"
import { authPostureProblem, DataSettings } from "./config.js"
import { DataServiceLive } from "./server.js"

// CLI flags (--host --port --storage-path --log-level) override the environment.
const flags: Record<string, string> = { "--host": "HOST", "--port": "PORT", "--storage-path": "STORAGE_PATH", "--log-level": "LOG_LEVEL" }
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = (argv[i] ?? "").split("=", 2) as [string, string | undefined]
  const name = flags[flag]
  if (!name) continue
  const value = inline ?? argv[++i]
  if (value !== undefined) process.env[`JUNIPER_DATA_${name}`] = value
}

const App = Layer.unwrapEffect(
  Effect.gen(function* () {
    const settings = yield* DataSettings
    const problem = authPostureProblem(settings, process.env["JUNIPER_SKIP_AUTH_POSTURE_CHECK"] === "1")
    if (problem) return yield* Effect.fail(new InvalidConfiguration({ problems: [{ variable: "JUNIPER_DATA_REQUIRE_AUTH", reason: problem }] }))
    if (settings.http.apiKeys.length === 0) yield* Effect.logWarning("no API keys configured: authentication is off")
    return DataServiceLive(settings)
  })
)

runService(App, { prefix: "JUNIPER_DATA" })
