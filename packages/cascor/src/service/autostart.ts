/**
 * Auto-start (§10): with JUNIPER_CASCOR_AUTO_START=true, wait for JuniperData (60 s), create the dataset (persisted),
 * create the network (JUNIPER_CASCOR_AUTO_NETWORK overrides; sizes from the data), start training, and log a WARNING
 * that auto-start is on. Any failure is logged and the service stays STOPPED. Runs in the background: the server
 * listens at once.
 */
import { Duration, Effect, Either, Layer, ParseResult, Schema } from "effect"
import { JuniperDataClient } from "@juniper/data"
import { NetworkCreateRequest } from "../api/schema.js"
import type { AutoStartSettings } from "../config.js"
import { CascorRuns } from "../session/registry.js"

export const autoStart = (o: AutoStartSettings) =>
  Effect.gen(function* () {
    const runs = yield* CascorRuns
    const client = yield* JuniperDataClient
    const session = runs.default
    yield* Effect.logWarning(
      `auto-start is ON (JUNIPER_CASCOR_AUTO_START=true): dataset ${o.dataset} from ${client.baseUrl}; training starts without an operator`
    )
    if (o.trainEpochs !== 200) yield* Effect.logWarning("JUNIPER_CASCOR_AUTO_TRAIN_EPOCHS is deprecated and ignored (epochs_max is derived)")
    const network = Schema.decodeUnknownEither(NetworkCreateRequest)(o.network)
    if (Either.isLeft(network))
      return yield* Effect.logError(`auto-start: invalid JUNIPER_CASCOR_AUTO_NETWORK: ${ParseResult.TreeFormatter.formatErrorSync(network.left)}`)
    const ready = yield* client.waitForReady({ timeoutMs: Duration.toMillis(Duration.seconds(o.waitForDataSec)), pollIntervalMs: 500 })
    if (!ready) return yield* Effect.logError(`auto-start: JuniperData at ${client.baseUrl} not ready within ${o.waitForDataSec} s; staying STOPPED`)
    const created = yield* client.createDataset(o.dataset, o.datasetParams, { persist: true })
    const { input_size: _i, output_size: _o, ...overrides } = network.right
    yield* session.createNetwork(overrides)
    yield* session.start({ dataset: { source: "juniper-data", dataset_id: created.dataset_id, params: o.datasetParams } })
    yield* Effect.logWarning(`auto-start: training started on ${created.dataset_id}`)
    if (o.loopSec > 0) yield* loopCompleted(o.loopSec)
  }).pipe(
    Effect.catchAll((e) => Effect.logError(`auto-start failed, staying STOPPED: ${(e as { message?: string }).message ?? String(e)}`))
  )

/**
 * JUNIPER_CASCOR_AUTO_START_LOOP_SEC: a run that COMPLETED and stayed so for `seconds` is followed by a fresh one on
 * the same data (same seed: the same growth again). A run an operator stopped, paused or failed is left alone.
 */
const loopCompleted = (seconds: number) =>
  Effect.gen(function* () {
    const session = (yield* CascorRuns).default
    let completedFor = 0
    for (;;) {
      yield* Effect.sleep(Duration.millis(250))
      completedFor = session.fsmState === "COMPLETED" ? completedFor + 250 : 0
      if (completedFor < seconds * 1000) continue
      completedFor = 0
      const again = yield* Effect.either(session.start({ start_fresh: true }))
      if (again._tag === "Left") yield* Effect.logWarning(`auto-start loop: could not start again: ${again.left.message}`)
      else yield* Effect.logInfo("auto-start loop: the demo run completed; training a fresh network")
    }
  })

/** Forks auto-start when enabled. */
export const layerAutoStart = (o: AutoStartSettings): Layer.Layer<never, never, CascorRuns | JuniperDataClient> =>
  o.enabled ? Layer.scopedDiscard(Effect.forkScoped(autoStart(o))) : Layer.empty
