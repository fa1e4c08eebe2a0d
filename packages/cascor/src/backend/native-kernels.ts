/**
 * The native addon as a `Kernels` value: backend "cpu" (the addon's SIMD kernels on a thread pool) or "cuda"
 * (device-resident phases; tiny problems and any failed CUDA call run on the CPU path inside the addon).
 *
 * Differences from the TS kernels, within the tolerances of test/backend/equivalence.test.ts: the candidate epoch
 * sums in float32 within a tile and in float64 across tiles and threads, and its sigmoid is a vectorised exp (≈1e-7
 * absolute); Quickprop, adjust, the argmax, the patience tests and fillColumn use the TS operation order in float64.
 */
import type {
  ActivationCode,
  CandidatePhaseInput,
  CandidatePhaseOutput,
  Kernels,
  OutputPhaseInput,
  OutputPhaseOutput
} from "../engine/kernel.js"
import type { NativeAddon, NativeInfo, RawCandidateOutput } from "./native-loader.js"

/** A progress listener for async candidate phases: called at most every few ms with (epoch, bestScore). */
export type NativeProgress = (epoch: number, bestScore: number) => void

export interface NativeKernels extends Kernels {
  readonly backend: "cpu" | "cuda"
  readonly info: NativeInfo
  /** The Kernels method, plus an optional progress listener (native only). */
  readonly candidatePhaseAsync: (input: CandidatePhaseInput, onProgress?: NativeProgress) => Promise<CandidatePhaseOutput>
  /** The device the last phase ran on ("cuda" requests of tiny shapes run on the CPU). */
  readonly lastDevice: () => "cpu" | "cuda" | undefined
  readonly addon: NativeAddon
}

const candidateOutput = (r: RawCandidateOutput): CandidatePhaseOutput => ({
  weights: r.weights,
  correlations: r.correlations,
  scores: r.scores,
  best: r.best,
  bestScore: r.bestScore,
  epochs: r.epochs,
  end: r.end
})

/** Wraps a loaded addon. `backend` "cuda" asks for the GPU on every call (the addon decides per shape). */
export const makeNativeKernels = (addon: NativeAddon, backend: "cpu" | "cuda"): NativeKernels => {
  let last: "cpu" | "cuda" | undefined
  const device = backend
  return {
    backend,
    info: addon.info(),
    addon,
    lastDevice: () => last,
    candidatePhase: (input) => {
      const r = addon.candidatePhase(input, device)
      last = r.device
      return candidateOutput(r)
    },
    candidatePhaseAsync: (input, onProgress) => {
      try {
        return addon.candidatePhaseAsync(input, device, onProgress).then((r) => {
          last = r.device
          return candidateOutput(r)
        })
      } catch (e) {
        // Argument errors are thrown synchronously by the addon; an async API reports them as a rejection.
        return Promise.reject(e)
      }
    },
    outputPhase: (input: OutputPhaseInput): OutputPhaseOutput => {
      const r = addon.outputPhase(input, device)
      last = r.device
      return {
        epochs: r.epochs,
        epochsRun: r.epochsRun,
        end: r.end,
        errorBits: r.errorBits,
        trueError: r.trueError,
        sse: r.sse
      }
    },
    fillColumn: (X: Float32Array, P: number, K: number, ldx: number, w: Float32Array, activation: ActivationCode) => {
      last = addon.fillColumn(X, P, K, ldx, w, activation, device)
    }
  }
}
