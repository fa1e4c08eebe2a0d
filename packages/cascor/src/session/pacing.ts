/**
 * Demo pacing (JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC): at least this long between two candidate phases, so that a
 * two-spiral run that takes a fraction of a second at full speed grows visibly on the dashboard (`npm start`). The
 * wait happens inside the phase call, so the run stays STARTED and every frame is the same as at full speed; a stop or
 * pause takes effect after it (between phases), as always. 0 (the default) leaves the kernels untouched.
 */
import type { Kernels } from "../engine/kernel.js"

export const pacedKernels = (kernels: Kernels, intervalSec: number): Kernels => {
  const intervalMs = intervalSec * 1000
  if (!(intervalMs > 0)) return kernels
  let last = 0
  // Extra arguments (the native backend's progress callback) pass through untouched.
  const phase = kernels.candidatePhaseAsync as (...args: ReadonlyArray<unknown>) => ReturnType<Kernels["candidatePhaseAsync"]>
  return {
    ...kernels,
    candidatePhaseAsync: (async (...args: ReadonlyArray<unknown>) => {
      const wait = last + intervalMs - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      last = Date.now()
      return phase(...args)
    }) as Kernels["candidatePhaseAsync"]
  }
}
