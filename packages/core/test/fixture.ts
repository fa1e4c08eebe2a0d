// A tiny service on the core, for the core's own tests: one group with a payload, a path param and a query.
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
import { Effect, Layer, Redacted, Schema } from "effect"
import {
  type DependencyProbe,
  fastApiErrors,
  HealthGroup,
  healthHandlers,
  type HttpSettings,
  layerHealth,
  layerMetrics,
  layerSdNotify,
  serve
} from "@juniper/core"

export class Item extends Schema.Class<Item>("Item")({
  name: Schema.String.pipe(Schema.minLength(1)),
  count: Schema.Int.pipe(Schema.between(1, 10))
}) {}

export class ItemNotFound extends Schema.TaggedError<ItemNotFound>()("ItemNotFound", { detail: Schema.String }) {}

class Items extends HttpApiGroup.make("items")
  .add(HttpApiEndpoint.post("create", "/items").setPayload(Item).addSuccess(Item, { status: 201 }))
  .add(
    HttpApiEndpoint.get("get", "/items/:id")
      .setPath(Schema.Struct({ id: Schema.String }))
      .addSuccess(Item)
      .addError(ItemNotFound, { status: 404 })
  )
  .add(
    HttpApiEndpoint.get("list", "/items")
      .setUrlParams(Schema.Struct({ limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100))) }))
      .addSuccess(Schema.Array(Schema.String))
  )
  .add(HttpApiEndpoint.get("slow", "/slow").addSuccess(Schema.String))
  .add(HttpApiEndpoint.get("boom", "/boom").addSuccess(Schema.String)) {}

export class TestApi extends HttpApi.make("test").add(HealthGroup).add(Items).prefix("/v1") {}

const ItemsLive = HttpApiBuilder.group(TestApi, "items", (h) =>
  h
    .handle("create", ({ payload }) => Effect.succeed(payload))
    .handle("get", ({ path }) => (path.id === "a" ? Effect.succeed(new Item({ name: "a", count: 1 })) : Effect.fail(new ItemNotFound({ detail: `Item '${path.id}' not found` }))))
    .handle("list", ({ urlParams }) => Effect.succeed(Array.from({ length: urlParams.limit ?? 2 }, (_, i) => `i${i}`)))
    .handle("slow", () => Effect.as(Effect.sleep("600 millis"), "done"))
    .handle("boom", () => Effect.die(new Error("kaboom")))
)

export const settings = (over: Partial<HttpSettings> = {}): HttpSettings => ({
  host: "127.0.0.1",
  port: 0,
  maxBodyBytes: 1024,
  corsOrigins: [],
  apiKeys: [],
  requireAuth: false,
  rateLimit: { enabled: false, requests: 60, windowSeconds: 60 },
  logLevel: "INFO",
  logFormat: "json",
  gitSha: null,
  buildDate: null,
  shutdownGraceSeconds: 5,
  ...over
})

export const keys = (...k: Array<string>) => k.map((s) => Redacted.make(s))

export const testServer = (s: HttpSettings, probes: ReadonlyArray<DependencyProbe> = []) =>
  serve({
    api: TestApi,
    handlers: Layer.mergeAll(ItemsLive, healthHandlers(TestApi)),
    settings: s,
    errors: fastApiErrors
  }).pipe(
    Layer.provide(layerHealth({ service: "juniper-test", version: "1.2.3", gitSha: null, buildDate: null, probes })),
    Layer.provide(layerMetrics("juniper_test", { version: "1.2.3", gitSha: null, buildDate: null })),
    Layer.provide(layerSdNotify)
  )

/** Base URL of the server a layer started. */
export const baseUrl = Effect.map(HttpServer.HttpServer, (s) =>
  s.address._tag === "TcpAddress" ? `http://127.0.0.1:${s.address.port}` : "")
