/**
 * The typed RPC client of JuniperCascor: `RpcClient.make(CascorRpcs)` over a protocol. `layerCascorRpcClient(url)`
 * provides it as the `CascorRpcClient` service (WebSocket at `ws://host:port/rpc`, or HTTP ndjson at
 * `http://host:port/rpc`).
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const rpc = yield* CascorRpcClient
 *   yield* rpc.StartTraining({ inline_data: { train_x, train_y } })
 *   yield* rpc.WatchTraining({}).pipe(Stream.take(10), Stream.runForEach(Console.log))
 * })
 * program.pipe(Effect.provide(layerCascorRpcClient("ws://127.0.0.1:8200/rpc")), NodeRuntime.runMain)
 * ```
 */
import { RpcClient, type RpcClientError, RpcSerialization } from "@effect/rpc"
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { CascorRpcs } from "./group.js"

export type CascorRpcClientShape = RpcClient.FromGroup<typeof CascorRpcs, RpcClientError.RpcClientError>

export class CascorRpcClient extends Context.Tag("@juniper/cascor/CascorRpcClient")<CascorRpcClient, CascorRpcClientShape>() {}

export type RpcProtocolName = "websocket" | "http"

/** The protocol layer only (for `RpcClient.make(CascorRpcs)` in your own scope). */
export const layerCascorRpcProtocol = (url: string, protocol: RpcProtocolName = url.startsWith("http") ? "http" : "websocket") =>
  protocol === "http"
    ? RpcClient.layerProtocolHttp({ url }).pipe(Layer.provide([NodeHttpClient.layerUndici, RpcSerialization.layerNdjson]))
    : RpcClient.layerProtocolSocket({ retryTransientErrors: true }).pipe(Layer.provide([NodeSocket.layerWebSocket(url), RpcSerialization.layerNdjson]))

/** The typed client as a service. */
export const layerCascorRpcClient = (url: string, protocol?: RpcProtocolName): Layer.Layer<CascorRpcClient> =>
  Layer.scoped(CascorRpcClient, RpcClient.make(CascorRpcs)).pipe(Layer.provide(layerCascorRpcProtocol(url, protocol)))

export { CascorRpcs }
export const makeCascorRpcClient = Effect.suspend(() => RpcClient.make(CascorRpcs))
