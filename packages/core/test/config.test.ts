import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { applyLegacy, configProblems, dotEnv, envProvider, httpSettings, mergeEnv, secret, stringList } from "@juniper/core"

const load = <A>(config: Config.Config<A>, env: Record<string, string>, prefix = "JUNIPER_TEST") =>
  Effect.runSync(Effect.either(Effect.withConfigProvider(config, envProvider(prefix, mergeEnv(env)))))

describe("configuration", () => {
  it("reads <PREFIX>_* case-insensitively, with __ for nesting", () => {
    const c = Config.all({ port: Config.port("port"), nested: Config.nested(Config.integer("maxBodyBytes"), "server") })
    expect(load(c, { juniper_test_port: "8123", JUNIPER_TEST_SERVER__MAX_BODY_BYTES: "10", OTHER_PORT: "1" })).toEqual(
      Either.right({ port: 8123, nested: 10 })
    )
  })

  it("lets the environment win over .env", () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-env-"))
    writeFileSync(join(dir, ".env"), "JUNIPER_TEST_PORT=1111\nJUNIPER_TEST_HOST=fromfile\n# comment\n")
    const env = mergeEnv(dotEnv(join(dir, ".env")), { JUNIPER_TEST_PORT: "2222" })
    const r = Effect.runSync(
      Effect.withConfigProvider(Config.all({ port: Config.port("port"), host: Config.string("host") }), envProvider("JUNIPER_TEST", env))
    )
    expect(r).toEqual({ port: 2222, host: "fromfile" })
    expect(dotEnv(join(dir, "missing.env"))).toEqual({})
  })

  it("reads secrets from *_FILE and keeps them redacted", () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-secret-"))
    writeFileSync(join(dir, "key"), "s3cret\n")
    const r = load(secret("apiKey"), { JUNIPER_TEST_API_KEY_FILE: join(dir, "key") })
    expect(Either.isRight(r) && Redacted.value(r.right)).toBe("s3cret")
    expect(Either.isRight(r) && String(r.right)).toBe("<redacted>")
    const direct = load(secret("apiKey"), { JUNIPER_TEST_API_KEY: "plain", JUNIPER_TEST_API_KEY_FILE: join(dir, "key") })
    expect(Either.isRight(direct) && Redacted.value(direct.right)).toBe("plain")
    const missing = load(secret("apiKey"), { JUNIPER_TEST_API_KEY_FILE: join(dir, "nope") })
    expect(Either.isLeft(missing)).toBe(true)
  })

  it("accepts JSON and comma lists", () => {
    expect(load(stringList("corsOrigins"), { JUNIPER_TEST_CORS_ORIGINS: '["http://a", "http://b"]' })).toEqual(Either.right(["http://a", "http://b"]))
    expect(load(stringList("corsOrigins"), { JUNIPER_TEST_CORS_ORIGINS: "http://a, http://b," })).toEqual(Either.right(["http://a", "http://b"]))
    expect(Either.isLeft(load(stringList("corsOrigins"), { JUNIPER_TEST_CORS_ORIGINS: '["http://a", 3]' }))).toBe(true)
  })

  it("maps legacy names onto current ones, current wins, with warnings", () => {
    const { env, warnings } = applyLegacy(mergeEnv({ CASCOR_AUTO_START: "true", CASCOR_PORT: "1", JUNIPER_CASCOR_PORT: "2" }), [
      { legacy: "CASCOR_AUTO_START", current: "JUNIPER_CASCOR_AUTO_START" },
      { legacy: "CASCOR_PORT", current: "JUNIPER_CASCOR_PORT" }
    ])
    expect(env.get("JUNIPER_CASCOR_AUTO_START")).toBe("true")
    expect(env.get("JUNIPER_CASCOR_PORT")).toBe("2")
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/CASCOR_AUTO_START is deprecated/)
  })

  it("names every bad variable in one error", () => {
    const r = load(httpSettings({ port: 8100 }), {
      JUNIPER_TEST_PORT: "99999",
      JUNIPER_TEST_RATE_LIMIT_REQUESTS_PER_MINUTE: "0",
      JUNIPER_TEST_REQUIRE_AUTH: "maybe"
    })
    expect(Either.isLeft(r)).toBe(true)
    if (Either.isLeft(r)) {
      const names = configProblems("JUNIPER_TEST", r.left).map((p) => p.variable)
      expect(names).toEqual(expect.arrayContaining(["JUNIPER_TEST_PORT", "JUNIPER_TEST_RATE_LIMIT_REQUESTS_PER_MINUTE", "JUNIPER_TEST_REQUIRE_AUTH"]))
    }
  })

  it("has sane defaults", () => {
    const r = Effect.runSync(Effect.withConfigProvider(httpSettings({ port: 8100 }), ConfigProvider.fromMap(new Map())))
    expect(r).toMatchObject({ host: "127.0.0.1", port: 8100, maxBodyBytes: 10 * 1024 * 1024, apiKeys: [], corsOrigins: [] })
  })
})
