/**
 * The health endpoints as an HttpApi group (so they appear in OpenAPI). Paths are relative: services mount the group
 * under `/v1`. Responses are bare JSON; readiness answers 503 with the same body when `not_ready`.
 */
import { HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServerResponse, type HttpApi } from "@effect/platform"
import { Effect, type Layer } from "effect"
import { Health } from "./service.js"
import { HealthResponse, LivenessResponse, ReadinessResponse } from "./schema.js"

export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(HealthResponse))
  .add(HttpApiEndpoint.get("live", "/health/live").addSuccess(LivenessResponse).addError(LivenessResponse, { status: 503 }))
  .add(HttpApiEndpoint.get("ready", "/health/ready").addSuccess(ReadinessResponse).addError(ReadinessResponse, { status: 503 })) {}

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** Handlers for the health group of `api` (any API that includes HealthGroup). */
export const healthHandlers = <Id extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, E, R>(
  api: HttpApi.HttpApi<Id, Groups, E, R>
): Layer.Layer<HttpApiGroup.ApiGroup<Id, "health">, never, Health> =>
  HttpApiBuilder.group(api as never, "health" as never, (handlers: any) =>
    handlers
      .handle("health", () => Effect.map(Health, (h) => h.info))
      .handle("live", () =>
        Effect.flatMap(Health, (h) => Effect.map(h.live, (body) => json(body, body.status === "alive" ? 200 : 503)))
      )
      .handle("ready", () =>
        Effect.flatMap(Health, (h) =>
          Effect.map(h.ready, (body) => json(body, body.status === "not_ready" ? 503 : 200, { "x-juniper-readiness": body.status }))
        )
      )
  ) as never
