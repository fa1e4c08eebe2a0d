/**
 * Loads the native addon (`native/build/Release/juniper_native.node`, built by `npm run build:native`).
 *
 * - `JUNIPER_NATIVE_ADDON=/path/to/juniper_native.node` overrides the location (and is then the only candidate).
 * - Every failed candidate is recorded with its error (as sharp's loader does), so the "why" of a fallback to the
 *   TypeScript kernels is one readable message.
 * - Never throws, unless `JUNIPER_NATIVE_REQUIRED=1` (CI on a build that must have the addon): then a failed load
 *   throws one Error listing every attempt.
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import type { ActivationCode, CandidatePhaseInput, OutputPhaseInput, PhaseEndCode } from "../engine/kernel.js"

/** What `info()` reports. */
export interface NativeInfo {
  readonly version: string
  /** Built with the CUDA backend (nvcc was present at build time). */
  readonly cudaCompiled: boolean
  /** cudaGetDeviceCount, 0 on any error. */
  readonly deviceCount: number
  /** The cudaError_t of device detection: 0 ok, 35 no driver, 100 no device. */
  readonly cudaError: number
  readonly deviceName?: string
  readonly computeCapability?: number
  /** "cuda" when a GPU is usable, else "cpu". */
  readonly backend: "cpu" | "cuda"
  /** The CPU kernel set in use: "avx512" | "avx2" | "generic". */
  readonly isa: string
  /** Kernel sets this CPU can run, comma-separated, widest first. */
  readonly isas: string
  /** Threads of the addon's pool (the caller included). */
  readonly threads: number
  readonly cores: number
}

/** Where a phase actually ran ("cuda" requests of tiny shapes, or failing CUDA calls, run on the CPU). */
export type NativeDevice = "cpu" | "cuda" | "auto"

export interface RawCandidateOutput {
  readonly weights: Float32Array
  readonly correlations: Float32Array
  readonly scores: Float32Array
  readonly best: number
  readonly bestScore: number
  readonly epochs: number
  readonly end: PhaseEndCode
  readonly device: "cpu" | "cuda"
  /** Why a CUDA request ran on the CPU (a CUDA failure). */
  readonly fallback?: string
}

export interface RawOutputResult {
  readonly epochs: number
  readonly epochsRun: number
  readonly end: PhaseEndCode
  readonly errorBits: number
  readonly trueError: number
  readonly sse: number
  readonly device: "cpu" | "cuda"
  readonly fallback?: string
}

/** The addon's JS API (native/src/addon.cc). */
export interface NativeAddon {
  readonly info: () => NativeInfo
  readonly candidatePhase: (input: CandidatePhaseInput, device?: NativeDevice) => RawCandidateOutput
  readonly candidatePhaseAsync: (
    input: CandidatePhaseInput,
    device?: NativeDevice,
    progress?: (epoch: number, bestScore: number) => void,
    progressIntervalMs?: number
  ) => Promise<RawCandidateOutput>
  readonly outputPhase: (input: OutputPhaseInput, device?: NativeDevice) => RawOutputResult
  readonly fillColumn: (
    X: Float32Array,
    P: number,
    K: number,
    ldx: number,
    w: Float32Array,
    activation: ActivationCode,
    device?: NativeDevice
  ) => "cpu" | "cuda"
  /** Forces a CPU kernel set ("avx512" | "avx2" | "generic"); null restores auto-detection. Returns the active set. */
  readonly setIsa: (name: string | null) => string
  /** The kernels' vector activation, element-wise: v = f(x) and f′ (accuracy tests). */
  readonly activate: (x: Float32Array, activation: ActivationCode) => { readonly v: Float32Array; readonly fp: Float32Array }
  /** The kernels' vectorised Quickprop step, in place (tests: bit-identical to engine/math/quickprop.ts). */
  readonly quickprop: (
    w: Float32Array,
    d: Float32Array,
    prevSlopes: Float32Array,
    slopes: Float64Array,
    epsilon: number,
    decay: number,
    mu: number
  ) => void
  /** Measured FMA throughput in GFLOP/s with `threads` threads (0 = all) for `seconds`. */
  readonly peakFma: (threads?: number, seconds?: number) => number
  /** B6 boundary probes. */
  readonly noop: () => void
  readonly noopArray: (x: Float32Array) => number
  readonly noopAsync: () => Promise<void>
}

export interface LoadAttempt {
  readonly path: string
  readonly message: string
  readonly code?: string
}

export type NativeLoad =
  | {
      readonly loaded: true
      readonly addon: NativeAddon
      readonly info: NativeInfo
      readonly path: string
      /** The best backend this addon offers here. */
      readonly backend: "cpu" | "cuda"
      readonly reason: string
    }
  | {
      readonly loaded: false
      readonly backend: "ts"
      readonly attempts: ReadonlyArray<LoadAttempt>
      readonly reason: string
    }

type Env = Readonly<Record<string, string | undefined>>

const require_ = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))

/** The paths tried, in order. An explicit JUNIPER_NATIVE_ADDON is the only candidate. */
export const addonCandidates = (env: Env = process.env): ReadonlyArray<string> => {
  const override = env["JUNIPER_NATIVE_ADDON"]
  if (override !== undefined && override !== "") return [resolve(override)]
  const paths: Array<string> = []
  try {
    paths.push(join(dirname(require_.resolve("@juniper/native/package.json")), "build", "Release", "juniper_native.node"))
  } catch {
    // not resolvable as a package (e.g. a bundled deployment): the relative path below still works
  }
  // packages/cascor/{src,dist}/backend → <repo>/native/build/Release
  paths.push(resolve(here, "..", "..", "..", "..", "native", "build", "Release", "juniper_native.node"))
  // Bundled deployments and scripts started from the repository root (native/gpu/run-gpu-checks.sh).
  paths.push(resolve(process.cwd(), "native", "build", "Release", "juniper_native.node"))
  return [...new Set(paths)]
}

const REQUIRED_API = ["info", "candidatePhase", "candidatePhaseAsync", "outputPhase", "fillColumn"] as const

const attempt = (path: string): { readonly addon: NativeAddon; readonly info: NativeInfo } | LoadAttempt => {
  if (!existsSync(path)) return { path, message: "file not found (run `npm run build:native`)", code: "ENOENT" }
  try {
    const addon = require_(path) as NativeAddon
    for (const name of REQUIRED_API) {
      if (typeof (addon as unknown as Record<string, unknown>)[name] !== "function")
        return { path, message: `not a juniper_native addon: ${name}() missing` }
    }
    return { addon, info: addon.info() }
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    return { path, message: err.message ?? String(e), ...(err.code ? { code: err.code } : {}) }
  }
}

const cache = new Map<string, NativeLoad>()

/**
 * Loads the addon (memoised per candidate list). Never throws unless `JUNIPER_NATIVE_REQUIRED=1`.
 */
export const loadNativeAddon = (env: Env = process.env): NativeLoad => {
  const candidates = addonCandidates(env)
  const key = candidates.join("\n")
  let result = cache.get(key)
  if (result === undefined) {
    const attempts: Array<LoadAttempt> = []
    for (const path of candidates) {
      const r = attempt(path)
      if ("addon" in r) {
        const cuda = r.info.backend === "cuda"
        result = {
          loaded: true,
          addon: r.addon,
          info: r.info,
          path,
          backend: cuda ? "cuda" : "cpu",
          reason: cuda
            ? `native addon ${path}: CUDA device ${r.info.deviceName ?? "0"} (${r.info.deviceCount} visible)`
            : `native addon ${path}: CPU kernels (${r.info.isa}, ${r.info.threads} threads); ` +
              (r.info.cudaCompiled ? `no usable GPU (cudaError ${r.info.cudaError})` : "built without CUDA")
        }
        break
      }
      attempts.push(r)
    }
    result ??= {
      loaded: false,
      backend: "ts",
      attempts,
      reason: `native addon not loaded; using the TypeScript kernels. Tried: ${attempts
        .map((a) => `${a.path}: ${a.message}`)
        .join("; ")}`
    }
    cache.set(key, result)
  }
  if (!result.loaded && env["JUNIPER_NATIVE_REQUIRED"] === "1")
    throw new Error(`JUNIPER_NATIVE_REQUIRED=1 but the native addon did not load. ${result.reason}`)
  return result
}

/** Forgets memoised loads (tests that change JUNIPER_NATIVE_ADDON). Node keeps a loaded .node file regardless. */
export const resetNativeLoaderCache = (): void => cache.clear()

/**
 * The load as an Effect: logs which backend is available and why; a failed load under `JUNIPER_NATIVE_REQUIRED=1`
 * is a defect.
 */
export const loadNative = (env: Env = process.env): Effect.Effect<NativeLoad> =>
  Effect.try(() => loadNativeAddon(env)).pipe(
    Effect.orDie,
    Effect.tap((load) =>
      load.loaded ? Effect.logDebug(load.reason) : Effect.logWarning(load.reason)
    )
  )
