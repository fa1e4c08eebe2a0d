/**
 * The WebSocket routes on the service's HTTP router (`/ws/training`, `/ws/control`): plain HttpLayerRouter GET
 * routes whose handlers upgrade the request. On SIGTERM/SIGINT every open WebSocket is closed with 1001 at once, so
 * the graceful shutdown does not wait for long-lived connections.
 */
import { HttpLayerRouter } from "@effect/platform"
import { Duration, Effect, Layer, Option } from "effect"
import { CloseCode } from "../api/schema.js"
import { CascorRuns } from "../session/registry.js"
import { RunFeeds, runParamOf, runTrainingSocket } from "../cluster/ws.js"
import { WsTransport } from "./context.js"
import { controlSocket } from "./control.js"
import { trainingSocket } from "./training.js"

export const WS_ROUTE_PATTERNS = [
  { method: "GET", path: "/ws/training" },
  { method: "GET", path: "/ws/control" }
] as const

/** The routes over the server's WsTransport (its admission and open connections). */
export const wsRoutes =
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const runs = yield* CascorRuns
      const ctx = yield* WsTransport
      const settings = ctx.settings
      const goAway = () => {
        for (const c of ctx.connections) c.close(CloseCode.goingAway, "Server shutting down")
      }
      process.once("SIGTERM", goAway)
      process.once("SIGINT", goAway)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          process.off("SIGTERM", goAway)
          process.off("SIGINT", goAway)
          goAway()
        })
      )
      const session = runs.default
      // Emission summary (§6.4): frames and bytes by type since the last summary, subscribers, drops.
      if (settings.emissionSummaryIntervalSec > 0) {
        const b = session.broadcaster
        let last = { messages: new Map<string, number>(), seq: b.currentSeq }
        const summary = Effect.suspend(() => {
          if (b.currentSeq === last.seq) return Effect.void
          const frames: Record<string, number> = {}
          for (const [type, n] of b.counters.messages) frames[type] = n - (last.messages.get(type) ?? 0)
          last = { messages: new Map(b.counters.messages), seq: b.currentSeq }
          let dropped = 0
          for (const c of ctx.connections) dropped += c.outbox.dropped
          return Effect.logInfo("ws emission summary").pipe(
            Effect.annotateLogs({ frames, seq: b.currentSeq, subscribers: b.subscriberCount, connections: ctx.connections.size, dropped_frames: dropped })
          )
        })
        yield* Effect.forkScoped(
          Effect.forever(Effect.zipRight(Effect.sleep(Duration.seconds(settings.emissionSummaryIntervalSec)), summary))
        )
      }
      // `?run=<id>`: a distributed run's stream (cluster/ws.ts); otherwise the default run's.
      const feeds = yield* Effect.serviceOption(RunFeeds)
      const training = HttpLayerRouter.add("GET", "/ws/training", (req) => {
        const run = Option.isSome(feeds) ? runParamOf(req) : null
        return run !== null && Option.isSome(feeds) ? runTrainingSocket(ctx, feeds.value, run, req) : trainingSocket(ctx, session, req)
      })
      const control = settings.disableControlEndpoint
        ? Layer.empty
        : HttpLayerRouter.add("GET", "/ws/control", (req) => controlSocket(ctx, session, req))
      return Layer.mergeAll(training, control)
    })
  )
