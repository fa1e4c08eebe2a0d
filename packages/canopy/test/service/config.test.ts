// Settings (§5): JUNIPER_CANOPY_* with `__` nesting, defaults, legacy names, the training bounds and the boot guards.
import { describe, expect, it } from "vitest"
import { Config, ConfigProvider, Effect, Either, Layer } from "effect"
import { applyLegacy, envProvider, mergeEnv } from "@juniper/core"
import { applySharedNames, bootProblems, CanopySettings, LEGACY_NAMES } from "../../src/config.js"

const load = (vars: Record<string, string>) => {
  const { env, warnings } = applyLegacy(applySharedNames(mergeEnv(vars)), LEGACY_NAMES)
  const result = Effect.runSync(Effect.either(Effect.withConfigProvider(Config.unwrap(CanopySettings), envProvider("JUNIPER_CANOPY", env))))
  return { result, warnings }
}
const ok = (vars: Record<string, string>) => {
  const { result, warnings } = load(vars)
  if (Either.isLeft(result)) throw new Error(String(result.left))
  return { s: result.right, warnings }
}

describe("Canopy settings", () => {
  it("has the contract's defaults", () => {
    const { s } = ok({})
    expect(s.http.host).toBe("127.0.0.1")
    expect(s.http.port).toBe(8050)
    expect(s.backend).toBe("auto")
    expect(s.fakeScenario).toBe("two_spiral_training")
    expect(s.demoMode).toBe(false)
    expect(s.cascorServiceUrl).toBeNull()
    expect(s.discovery).toEqual({ enabled: true, host: "localhost", ports: [8200], timeoutSeconds: 2 })
    expect(s.juniperDataUrl).toBe("http://localhost:8100")
    expect(s.websocket).toMatchObject({ maxConnections: 50, maxConnectionsPerIp: 5, heartbeatInterval: 30, idleTimeoutSeconds: 120, maxMessageSizeTraining: 4096, maxMessageSizeControl: 65536 })
    expect(s.allowedOrigins).toEqual(["http://localhost:8050", "http://127.0.0.1:8050", "https://localhost:8050", "https://127.0.0.1:8050"])
    expect(s.csrfEnabled).toBe(true)
    expect(s.csrfTokenTtlSeconds).toBe(3600)
    expect(s.demoUpdateInterval).toBe(1)
    expect(s.snapshotDir).toBe("./snapshots")
    expect(s.training.find((p) => p.key === "nn_learning_rate")).toMatchObject({ min: 0.0001, max: 1, default: 0.01 })
  })

  it("reads nested names case-insensitively and the shared JuniperData URL", () => {
    const { s } = ok({
      juniper_canopy_server__port: "9000",
      JUNIPER_CANOPY_SERVER__HOST: "localhost",
      JUNIPER_CANOPY_CASCOR_DISCOVERY__PORTS: "8200,8201",
      JUNIPER_CANOPY_WEBSOCKET__ALLOWED_ORIGINS: '["http://x:1"]',
      JUNIPER_DATA_URL: "http://data:8100"
    })
    expect(s.http.port).toBe(9000)
    expect(s.http.host).toBe("localhost")
    expect(s.discovery.ports).toEqual([8200, 8201])
    expect(s.allowedOrigins).toEqual(["http://x:1"])
    expect(s.juniperDataUrl).toBe("http://data:8100")
    expect(ok({ JUNIPER_DATA_URL: "http://a", JUNIPER_CANOPY_JUNIPER_DATA_URL: "http://b" }).s.juniperDataUrl).toBe("http://b")
  })

  it("honours legacy names with a deprecation warning, the new name winning", () => {
    const { s, warnings } = ok({ CASCOR_SERVICE_URL: "http://c:8200", CASCOR_DEMO_MODE: "true", CASCOR_SERVER_PORT: "9100", CANOPY_API_KEY: "k1" })
    expect(s.cascorServiceUrl).toBe("http://c:8200")
    expect(s.demoMode).toBe(true)
    expect(s.http.port).toBe(9100)
    expect(s.http.apiKeys.length).toBe(1)
    expect(warnings.join("\n")).toMatch(/CASCOR_SERVICE_URL is deprecated; use JUNIPER_CANOPY_CASCOR_SERVICE_URL/)
    const both = ok({ CASCOR_SERVICE_URL: "http://old", JUNIPER_CANOPY_CASCOR_SERVICE_URL: "http://new" })
    expect(both.s.cascorServiceUrl).toBe("http://new")
    expect(both.warnings.join()).toMatch(/ignored/)
  })

  it("overrides training bounds by key, short name or alias, and the legacy CASCOR_TRAINING_* defaults", () => {
    const { s } = ok({
      JUNIPER_CANOPY_TRAINING__NN_LEARNING_RATE__MAX: "0.5",
      JUNIPER_CANOPY_TRAINING__POOL_SIZE__DEFAULT: "32",
      JUNIPER_CANOPY_TRAINING__EPOCHS__DEFAULT: "500",
      CASCOR_TRAINING_HIDDEN_UNITS: "40"
    })
    const by = (k: string) => s.training.find((p) => p.key === k)!
    expect(by("nn_learning_rate").max).toBe(0.5)
    expect(by("cn_pool_size").default).toBe(32)
    expect(by("nn_max_total_epochs").default).toBe(500)
    expect(by("nn_max_hidden_units").default).toBe(40)
  })

  it("refuses bounds where the default falls outside [min, max], and bad values, naming the variable", () => {
    const bad = load({ JUNIPER_CANOPY_TRAINING__LEARNING_RATE__DEFAULT: "2" }).result
    expect(Either.isLeft(bad) && String(bad.left)).toMatch(/min ≤ default ≤ max/)
    expect(Either.isLeft(load({ JUNIPER_CANOPY_SERVER__PORT: "70000" }).result)).toBe(true)
    expect(Either.isLeft(load({ JUNIPER_CANOPY_BACKEND: "magic" }).result)).toBe(true)
  })

  it("has boot guards: REQUIRE_AUTH needs a key, a non-loopback bind needs an attestation", () => {
    expect(bootProblems(ok({ JUNIPER_CANOPY_REQUIRE_AUTH: "true" }).s).map((p) => p.variable)).toEqual(["JUNIPER_CANOPY_REQUIRE_AUTH"])
    expect(bootProblems(ok({ JUNIPER_CANOPY_REQUIRE_AUTH: "true", JUNIPER_CANOPY_API_KEY: "k" }).s)).toEqual([])
    expect(bootProblems(ok({ JUNIPER_CANOPY_SERVER__HOST: "0.0.0.0" }).s).map((p) => p.variable)).toEqual(["JUNIPER_CANOPY_SERVER__HOST"])
    expect(bootProblems(ok({ JUNIPER_CANOPY_SERVER__HOST: "0.0.0.0", JUNIPER_CANOPY_LOOPBACK_PUBLISH_ATTESTED: "true" }).s)).toEqual([])
  })
})

// Keep the imports honest for the type-checker.
void ConfigProvider
void Layer
