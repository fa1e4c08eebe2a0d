/**
 * Backend selection: `ts` | `cpu` | `cuda` | `auto`, configured by `JUNIPER_CASCOR_BACKEND` (Effect Config key
 * `backend`, default `auto`).
 *
 * - `auto`: cuda when the addon loads and a GPU is usable, else cpu when the addon loads, else ts. Never fails
 *   (unless JUNIPER_NATIVE_REQUIRED=1 and the addon does not load: a defect).
 * - `ts`: the pure-TypeScript kernels, always available.
 * - `cpu` / `cuda`: an explicit request. **If that backend is not available here it is a typed error
 *   (`BackendUnavailable`), not a silent fallback**: an operator who asks for the GPU must learn at start-up that
 *   there is none, rather than train 100× slower without noticing. Use `auto` for "best available".
 *   (Once `cuda` is selected, the addon still runs tiny phases — two-spirals-sized pools — and any phase whose CUDA
 *   call fails on the CPU; that is per-call dispatch, reported by `NativeKernels.lastDevice()`.)
 */
import { Config, Context, Effect, Either, Layer, Schema } from "effect"
import type { ConfigError } from "effect"
import type { BackendName, Kernels } from "../engine/kernel.js"
import { CascorKernels } from "../engine/service.js"
import { tsKernels } from "../engine/ts-kernels.js"
import { loadNative, loadNativeAddon } from "./native-loader.js"
import type { NativeLoad } from "./native-loader.js"
import { makeNativeKernels } from "./native-kernels.js"

export const BackendChoice = Schema.Literal("ts", "cpu", "cuda", "auto")
export type BackendChoice = typeof BackendChoice.Type

/** An explicitly requested backend is not available on this machine/build. */
export class BackendUnavailable extends Schema.TaggedError<BackendUnavailable>()("BackendUnavailable", {
  requested: BackendChoice,
  message: Schema.String
}) {}

/** The outcome of a selection: the kernels plus what was asked for, what was chosen, and why. */
export interface BackendSelection {
  readonly requested: BackendChoice
  readonly backend: BackendName
  readonly kernels: Kernels
  readonly reason: string
}

/** `JUNIPER_CASCOR_BACKEND` through the service's config provider (key `backend`). */
export const BackendConfig: Config.Config<BackendChoice> = Config.literal("ts", "cpu", "cuda", "auto")("backend").pipe(
  Config.withDefault("auto" as const)
)

const nativeKernelsCache = new WeakMap<object, Map<string, Kernels>>()
const nativeFor = (load: Extract<NativeLoad, { loaded: true }>, backend: "cpu" | "cuda"): Kernels => {
  let byBackend = nativeKernelsCache.get(load.addon)
  if (!byBackend) nativeKernelsCache.set(load.addon, (byBackend = new Map()))
  let k = byBackend.get(backend)
  if (!k) byBackend.set(backend, (k = makeNativeKernels(load.addon, backend)))
  return k
}

/** Pure selection from a load result (testable without touching the file system). */
export const selectBackendFrom = (
  requested: BackendChoice,
  load: NativeLoad
): Either.Either<BackendSelection, BackendUnavailable> => {
  const ts = (reason: string): BackendSelection => ({ requested, backend: "ts", kernels: tsKernels, reason })
  switch (requested) {
    case "ts":
      return Either.right(ts("requested"))
    case "auto":
      if (!load.loaded) return Either.right(ts(load.reason))
      return Either.right({ requested, backend: load.backend, kernels: nativeFor(load, load.backend), reason: load.reason })
    case "cpu":
      if (!load.loaded) return Either.left(new BackendUnavailable({ requested, message: load.reason }))
      return Either.right({ requested, backend: "cpu", kernels: nativeFor(load, "cpu"), reason: load.reason })
    case "cuda":
      if (!load.loaded) return Either.left(new BackendUnavailable({ requested, message: load.reason }))
      if (load.backend !== "cuda")
        return Either.left(new BackendUnavailable({ requested, message: `no usable CUDA device: ${load.reason}` }))
      return Either.right({ requested, backend: "cuda", kernels: nativeFor(load, "cuda"), reason: load.reason })
  }
}

/** Loads the addon (see native-loader.ts) and selects; throws BackendUnavailable for an unavailable explicit choice. */
export const selectBackendSync = (
  requested: BackendChoice,
  env: Readonly<Record<string, string | undefined>> = process.env
): BackendSelection => {
  const r = selectBackendFrom(requested, requested === "ts" ? tsOnlyLoad : loadNativeAddon(env))
  if (Either.isLeft(r)) throw r.left
  return r.right
}
const tsOnlyLoad: NativeLoad = { loaded: false, backend: "ts", attempts: [], reason: "requested" }

/** The selection as an Effect (logs the choice once). */
export const selectBackend = (
  requested: BackendChoice,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<BackendSelection, BackendUnavailable> =>
  (requested === "ts" ? Effect.succeed(tsOnlyLoad) : loadNative(env)).pipe(
    Effect.flatMap((load) => Either.match(selectBackendFrom(requested, load), { onLeft: Effect.fail, onRight: Effect.succeed })),
    Effect.tap((s) => Effect.logInfo(`cascor kernels: ${s.backend} (requested ${s.requested}): ${s.reason}`))
  )

/** The selection made at start-up, for health/info endpoints. */
export class CascorBackend extends Context.Tag("@juniper/cascor/CascorBackend")<CascorBackend, BackendSelection>() {}

/** Both services for one explicit choice. */
export const kernelsLayerFor = (
  requested: BackendChoice
): Layer.Layer<CascorKernels | CascorBackend, BackendUnavailable> =>
  Layer.effectContext(
    Effect.map(selectBackend(requested), (s) => Context.make(CascorKernels, s.kernels).pipe(Context.add(CascorBackend, s)))
  )

/**
 * The kernels chosen by configuration: `backend` (JUNIPER_CASCOR_BACKEND through the env provider) = ts | cpu |
 * cuda | auto, default auto. Provides `CascorKernels` (the engine's service tag) and `CascorBackend` (the selection).
 */
export const KernelsLive: Layer.Layer<CascorKernels | CascorBackend, BackendUnavailable | ConfigError.ConfigError> =
  Layer.unwrapEffect(Effect.map(BackendConfig, kernelsLayerFor))
