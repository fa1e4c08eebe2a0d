/**
 * The kernels as an Effect service: the trainer asks for `CascorKernels` and never names a backend, so the pure-TS
 * layer here and the native layers (packages/cascor/src/backend/) are interchangeable.
 */
import { Context, Layer } from "effect"
import type { Kernels } from "./kernel.js"
import { tsKernels } from "./ts-kernels.js"

export class CascorKernels extends Context.Tag("@juniper/cascor/CascorKernels")<CascorKernels, Kernels>() {}

/** The pure-TypeScript backend ("ts"): always available; the reference the native backends are tested against. */
export const TsKernelsLive: Layer.Layer<CascorKernels> = Layer.succeed(CascorKernels, tsKernels)

/** Any `Kernels` value as a layer (tests, benchmarks, a backend chosen at start-up). */
export const kernelsLayer = (kernels: Kernels): Layer.Layer<CascorKernels> => Layer.succeed(CascorKernels, kernels)
