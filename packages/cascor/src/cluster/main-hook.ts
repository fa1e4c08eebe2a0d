/**
 * Start-up by role (the one hook main.ts calls): `runner` starts a cluster runner that serves only health and metrics
 * over HTTP (the same `node dist/cascor`, so one image serves both); `api` and `all` start the full service, whose
 * server provides the cluster for its role (server.ts → cluster/layers.ts).
 */
import { HttpApi } from "@effect/platform"
import { Sharding } from "@effect/cluster"
import { Effect, Layer } from "effect"
import * as Prom from "prom-client"
import { HealthGroup, healthHandlers, makeHealth, makeMetrics, Health, Metrics, serve, type SdNotify } from "@juniper/core"
import { kernelsLayerFor } from "../backend/registry.js"
import type { CascorSettings } from "../config.js"
import { cascorErrors } from "../http/wire-errors.js"
import { CascorServiceLive, VERSION } from "../server.js"
import { ValuesCache } from "./compute.js"
import { clusterLayer } from "./layers.js"

export const RUNNER_SERVICE = "juniper-cascor-runner"

/** A runner's HTTP surface: `/v1/health*` and `/metrics`. */
export class RunnerApi extends HttpApi.make("juniper-cascor-runner").add(HealthGroup).prefix("/v1") {}

export const runnerOnlyLive = (s: CascorSettings): Layer.Layer<never, unknown, SdNotify> => {
  const c = s.cluster
  const build = { version: VERSION, gitSha: s.http.gitSha, buildDate: s.http.buildDate }
  const health = Layer.effect(
    Health,
    Effect.gen(function* () {
      const sharding = yield* Sharding.Sharding
      return yield* makeHealth({
        service: RUNNER_SERVICE,
        version: VERSION,
        gitSha: s.http.gitSha,
        buildDate: s.http.buildDate,
        probes: [],
        details: Effect.map(sharding.activeEntityCount, (entities) => ({
          role: c.role,
          mode: c.mode,
          runner: `${c.runnerHost}:${c.runnerPort}`,
          active_entities: entities
        }))
      })
    })
  )
  const metrics = Layer.effect(
    Metrics,
    Effect.gen(function* () {
      const cache = yield* ValuesCache
      const m = makeMetrics("juniper_cascor_runner", build)
      new Prom.Gauge({
        name: "juniper_cascor_runner_values_cache_bytes",
        help: "Bytes of phase values cached on this runner",
        registers: [m.registry],
        collect() {
          this.set(cache.size().bytes)
        }
      })
      return m
    })
  )
  const server = serve({ api: RunnerApi, handlers: healthHandlers(RunnerApi), settings: s.http, errors: cascorErrors })
  return server.pipe(
    Layer.provide(health),
    Layer.provide(metrics),
    Layer.provide(clusterLayer(c)),
    Layer.provide(kernelsLayerFor(s.backend))
  ) as Layer.Layer<never, unknown, SdNotify>
}

/** The process for the configured role. */
export const clusterMain = (s: CascorSettings): Layer.Layer<never, unknown, SdNotify> =>
  s.cluster.role === "runner" ? runnerOnlyLive(s) : CascorServiceLive(s)
