/**
 * A Promise-based facade for non-Effect users: the same methods as JuniperCascorClientShape, each returning a
 * Promise that rejects with the typed client error itself (`instanceof CascorNotFoundError` works), plus `close()`.
 */
import { Cause, Effect, Exit, type Layer, ManagedRuntime } from "effect"
import type { CascorConfigurationError } from "./errors.js"
import { layerCascorClient } from "./http-client.js"
import { type CascorClientOptions, normalizeBaseUrl } from "./options.js"
import { JuniperCascorClient, type JuniperCascorClientShape } from "./shape.js"

type Methods = { [K in keyof JuniperCascorClientShape]: JuniperCascorClientShape[K] extends (...args: any) => any ? K : never }[keyof JuniperCascorClientShape]

export type CascorPromiseClient = {
  readonly [K in Methods]: JuniperCascorClientShape[K] extends (...args: infer A) => Effect.Effect<infer R, any, any> ? (...args: A) => Promise<R> : never
} & {
  readonly baseUrl: string
  /** Releases the connection pool. */
  readonly close: () => Promise<void>
}

const METHODS: ReadonlyArray<Methods> = [
  "healthCheck", "isAlive", "readiness", "isReady", "waitForReady", "liveness",
  "createNetwork", "getNetwork", "deleteNetwork", "getTopology", "getStatistics", "editWeights", "addHiddenUnit", "removeHiddenUnit",
  "startTraining", "stopTraining", "pauseTraining", "resumeTraining", "resetTraining", "getTrainingStatus", "getTrainingParams", "updateParams",
  "getMetrics", "getMetricsHistory", "clearMetrics", "undoClearMetrics", "getTransportMetrics", "getDataset", "getDatasetData", "getDecisionBoundary",
  "listSnapshots", "getSnapshot", "saveSnapshot", "loadSnapshot", "retrainSnapshot", "resumeSnapshot", "listWorkers", "getWorker", "getWorkerStats"
]

/** Any layer of JuniperCascorClient (real or fake) as a Promise client. */
export const toPromiseClient = <E>(layer: Layer.Layer<JuniperCascorClient, E>, baseUrl: string): CascorPromiseClient => {
  const runtime = ManagedRuntime.make(layer)
  const client: Record<string, unknown> = { baseUrl, close: () => runtime.dispose() }
  for (const name of METHODS)
    client[name] = async (...args: Array<unknown>) => {
      const exit = await runtime.runPromiseExit(Effect.flatMap(JuniperCascorClient, (c) => (c[name] as (...a: Array<unknown>) => Effect.Effect<unknown, unknown>)(...args)))
      if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
      return exit.value
    }
  return client as CascorPromiseClient
}

/** The HTTP client with a Promise API. A bad base URL rejects the first call with CascorConfigurationError. */
export const createCascorClient = (options: CascorClientOptions = {}): CascorPromiseClient =>
  toPromiseClient<CascorConfigurationError>(layerCascorClient(options), normalizeBaseUrl(options.baseUrl))
