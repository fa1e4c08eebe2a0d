// JUNIPER_CASCOR_CLUSTER__* through the service's env provider: defaults, nesting, the secret-file variant, and the
// combinations refused at start-up.
import { writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Option, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { envProvider } from "@juniper/core"
import { ClusterConfig } from "../../src/cluster/config.js"
import { shardingConfigOf } from "../../src/cluster/layers.js"

const read = (env: Record<string, string>) =>
  Effect.runSync(
    Effect.either(Effect.withConfigProvider(ClusterConfig, envProvider("JUNIPER_CASCOR", new Map(Object.entries(env)))))
  )

describe("cluster settings", () => {
  it("default to one process with in-memory storage", () => {
    const s = Either.getOrThrow(read({}))
    expect(s).toMatchObject({ mode: "single", role: "all", runnerPort: 34431, shardsPerGroup: 300, candidateChunks: 0 })
    expect(Option.isNone(s.databaseUrl)).toBe(true)
    expect(shardingConfigOf(s)).toMatchObject({ simulateRemoteSerialization: false, shardsPerGroup: 300 })
  })

  it("read nested variables and the database URL from a secret file", () => {
    const file = join(tmpdir(), `cluster-url-${process.pid}`)
    writeFileSync(file, "postgres://u:p@db:5432/x\n")
    const s = Either.getOrThrow(
      read({
        JUNIPER_CASCOR_CLUSTER__MODE: "postgres",
        JUNIPER_CASCOR_CLUSTER__ROLE: "runner",
        JUNIPER_CASCOR_CLUSTER__DATABASE_URL_FILE: file,
        JUNIPER_CASCOR_CLUSTER__RUNNER_HOST: "10.0.0.7",
        JUNIPER_CASCOR_CLUSTER__RUNNER_PORT: "40000",
        JUNIPER_CASCOR_CLUSTER__SHARDS_PER_GROUP: "60",
        JUNIPER_CASCOR_CLUSTER__HEALTH: "k8s"
      })
    )
    expect(s).toMatchObject({ mode: "postgres", role: "runner", runnerHost: "10.0.0.7", runnerPort: 40000, shardsPerGroup: 60, health: "k8s" })
    expect(Redacted.value(Option.getOrThrow(s.databaseUrl))).toBe("postgres://u:p@db:5432/x")
    const sharding = shardingConfigOf(s)
    expect(Option.getOrThrow(sharding.runnerAddress!)).toMatchObject({ host: "10.0.0.7", port: 40000 })
    expect(sharding.simulateRemoteSerialization).toBe(true)
  })

  it("an API member has no runner address", () => {
    const s = Either.getOrThrow(read({ JUNIPER_CASCOR_CLUSTER__MODE: "postgres", JUNIPER_CASCOR_CLUSTER__ROLE: "api", JUNIPER_CASCOR_CLUSTER__DATABASE_URL: "postgres://x" }))
    expect(Option.isNone(shardingConfigOf(s).runnerAddress!)).toBe(true)
  })

  it("refuse roles without a shared store, postgres without a URL, and bad values", () => {
    expect(Either.isLeft(read({ JUNIPER_CASCOR_CLUSTER__ROLE: "runner" }))).toBe(true)
    expect(Either.isLeft(read({ JUNIPER_CASCOR_CLUSTER__MODE: "postgres" }))).toBe(true)
    expect(Either.isLeft(read({ JUNIPER_CASCOR_CLUSTER__MODE: "etcd" }))).toBe(true)
    expect(Either.isLeft(read({ JUNIPER_CASCOR_CLUSTER__SHARDS_PER_GROUP: "0" }))).toBe(true)
    expect(Either.isLeft(read({ JUNIPER_CASCOR_CLUSTER__TABLE_PREFIX: "Bad-Prefix" }))).toBe(true)
  })
})


