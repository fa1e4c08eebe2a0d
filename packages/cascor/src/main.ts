/** `node dist/cascor`: JuniperCascor on JUNIPER_CASCOR_HOST:JUNIPER_CASCOR_PORT (default 127.0.0.1:8200). */
import { Effect, Layer } from "effect"
import { InvalidConfiguration, processEnv, runService } from "@juniper/core"
import { ALIASES, authProblem, bindGuardProblem, CascorSettings, LEGACY_NAMES } from "./config.js"
import { clusterMain } from "./cluster/main-hook.js"

// CLI flags override the environment.
const flags: Record<string, string> = { "--host": "HOST", "--port": "PORT", "--log-level": "LOG_LEVEL", "--backend": "BACKEND", "--snapshots-dir": "SNAPSHOTS_DIR" }
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = (argv[i] ?? "").split("=", 2) as [string, string | undefined]
  const name = flags[flag]
  if (!name) continue
  const value = inline ?? argv[++i]
  if (value !== undefined) process.env[`JUNIPER_CASCOR_${name}`] = value
}
// Contract names outside the prefix (JUNIPER_WS_*, JUNIPER_DATA_URL, …) are aliases of prefixed settings.
const env = processEnv()
for (const { from, to } of ALIASES) {
  const value = env.get(from)
  if (value !== undefined && !env.has(to)) process.env[to] = value
}

const App = Layer.unwrapEffect(
  Effect.gen(function* () {
    const settings = yield* CascorSettings
    const problems = [
      { variable: "JUNIPER_CASCOR_HOST", reason: bindGuardProblem(settings) },
      { variable: "JUNIPER_CASCOR_REQUIRE_AUTH", reason: authProblem(settings) }
    ].filter((p): p is { variable: string; reason: string } => p.reason !== null)
    if (problems.length > 0) return yield* Effect.fail(new InvalidConfiguration({ problems }))
    if (settings.http.apiKeys.length === 0) yield* Effect.logWarning("no API keys configured: authentication is off")
    return clusterMain(settings)
  })
)

runService(App, { prefix: "JUNIPER_CASCOR", legacy: LEGACY_NAMES })
