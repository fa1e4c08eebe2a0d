/** The health trio of a service: static info, liveness (event-loop tick + a service check) and readiness. */
import { Context, Effect, Layer, Ref } from "effect"
import { type DependencyProbe, makeReadiness } from "./probe.js"
import { HealthResponse, LivenessResponse, type ReadinessResponse } from "./schema.js"

export interface HealthShape {
  readonly info: HealthResponse
  readonly live: Effect.Effect<LivenessResponse>
  readonly ready: Effect.Effect<ReadinessResponse>
  /** Set when a graceful shutdown starts: readiness turns `not_ready` so load balancers stop sending traffic. */
  readonly draining: Ref.Ref<boolean>
}

export class Health extends Context.Tag("@juniper/core/Health")<Health, HealthShape>() {}

export interface HealthOptions {
  readonly service: string
  readonly version: string
  readonly gitSha: string | null
  readonly buildDate: string | null
  readonly probes: ReadonlyArray<DependencyProbe>
  readonly details?: Effect.Effect<Record<string, unknown>>
  /** A liveness check of the service itself (e.g. the storage directory still exists); failure → 503 unresponsive. */
  readonly liveCheck?: Effect.Effect<void, string>
  /** Event-loop tick above which the service reports itself unresponsive (default 250 ms). */
  readonly maxTickMs?: number
}

const tick = Effect.async<number>((resume) => {
  const start = performance.now()
  setImmediate(() => resume(Effect.succeed(performance.now() - start)))
})

export const makeHealth = (o: HealthOptions): Effect.Effect<HealthShape> =>
  Effect.gen(function* () {
    const draining = yield* Ref.make(false)
    const ready = yield* makeReadiness({ ...o, draining: Ref.get(draining) })
    const maxTick = o.maxTickMs ?? 250
    const tickName = o.service
    const live = Effect.gen(function* () {
      const ms = yield* tick
      const problem = o.liveCheck ? yield* Effect.flip(o.liveCheck).pipe(Effect.option) : undefined
      const error = problem && problem._tag === "Some" ? problem.value : ms > maxTick ? `event loop tick ${ms.toFixed(0)} ms > ${maxTick} ms` : undefined
      return new LivenessResponse({
        status: error === undefined ? "alive" : "unresponsive",
        tick: tickName,
        duration_ms: Math.round(ms),
        ...(error === undefined ? {} : { error })
      })
    })
    return {
      info: new HealthResponse({ status: "ok", version: o.version, service: o.service, git_sha: o.gitSha, build_date: o.buildDate }),
      live,
      ready,
      draining
    }
  })

export const layerHealth = (o: HealthOptions) => Layer.effect(Health, makeHealth(o))
