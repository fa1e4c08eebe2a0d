/** One entry point for both algorithms: create a run from parameters, or restore one from its snapshot. */
import { Effect, Schema } from "effect"
import type { Dataset } from "./dataset.js"
import { InvalidSnapshot } from "./errors.js"
import type { Kernels } from "./kernel.js"
import type { CascorParams } from "./params.js"
import type { CascorRun } from "./run.js"
import { FahlmanSnapshot, FahlmanTrainer } from "./trainer.js"
import { UpstreamSnapshot, UpstreamTrainer } from "./upstream/trainer.js"

/** Any run's snapshot (discriminated by `algorithm`); `Schema.encode`d it is plain JSON. */
export const RunSnapshot = Schema.Union(FahlmanSnapshot, UpstreamSnapshot)
export type RunSnapshot = typeof RunSnapshot.Type

/** A fresh run of the chosen algorithm (params decoded, dataset validated). */
export const createRun = (params: CascorParams, dataset: Dataset): FahlmanTrainer | UpstreamTrainer =>
  params.algorithm === "upstream" ? UpstreamTrainer.create(params, dataset) : FahlmanTrainer.create(params, dataset)

/** Restores a run from an encoded snapshot (`run.snapshot()`, possibly via JSON) onto the same dataset. */
export const restoreRun = (
  encoded: unknown,
  dataset: Dataset,
  kernels: Kernels
): Effect.Effect<FahlmanTrainer | UpstreamTrainer, InvalidSnapshot> =>
  Schema.decodeUnknown(RunSnapshot)(encoded).pipe(
    Effect.mapError((e) => new InvalidSnapshot({ message: e.message })),
    Effect.flatMap((s): Effect.Effect<FahlmanTrainer | UpstreamTrainer, InvalidSnapshot> =>
      s.algorithm === "upstream" ? UpstreamTrainer.restore(s, dataset, kernels) : FahlmanTrainer.restore(s, dataset, kernels)
    )
  )

/**
 * Trains to the end on the given backend, synchronously (candidate phases inline through `kernels.candidatePhase`):
 * the entry point of benchmarks and scripts, parameterised by the backend.
 */
export const trainSync = (
  kernels: Kernels,
  params: CascorParams,
  dataset: Dataset,
  options: { readonly candidateChunks?: number } = {}
): { readonly run: FahlmanTrainer | UpstreamTrainer; readonly ms: number } => {
  const run = createRun(params, dataset)
  const t0 = performance.now()
  if (run instanceof FahlmanTrainer) Effect.runSync(run.runToEnd(kernels, { ...options, sync: true }))
  else Effect.runSync(run.runToEnd(kernels))
  return { run, ms: performance.now() - t0 }
}
