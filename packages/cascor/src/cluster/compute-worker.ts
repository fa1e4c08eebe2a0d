/**
 * A worker thread for candidate jobs on the TypeScript backend: the runner's event loop stays free (shard lock
 * refreshes, pings, other replies) while a job trains. Messages: `{ id, job }` in (X, E, Ē on shared memory, so a
 * job ships no copy of the values), `{ id, result }` or `{ id, error }` out (result arrays transferred).
 */
import { parentPort } from "node:worker_threads"
import { Cause, Effect, Exit } from "effect"
import { type CandidateJob, runCandidateJob } from "../engine/candidate-job.js"
import { tsKernels } from "../engine/ts-kernels.js"

const port = parentPort
if (port) {
  port.on("message", (msg: { readonly id: number; readonly job: CandidateJob }) => {
    let exit: Exit.Exit<unknown, unknown>
    try {
      exit = Effect.runSyncExit(runCandidateJob(tsKernels, msg.job, true))
    } catch (e) {
      exit = Exit.die(e)
    }
    if (Exit.isSuccess(exit)) {
      const r = exit.value as { weights: Float32Array; correlations: Float32Array; scores: Float32Array; trace?: Float32Array }
      // The trace is a view into a larger scratch array: copy it so only its bytes travel.
      const trace = r.trace ? r.trace.slice() : undefined
      const result = { ...r, ...(trace ? { trace } : {}) }
      const transfer = [r.weights.buffer, r.correlations.buffer, r.scores.buffer, ...(trace ? [trace.buffer] : [])]
      port.postMessage({ id: msg.id, result }, transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))
    } else {
      port.postMessage({ id: msg.id, error: Cause.pretty(exit.cause).split("\n")[0] ?? "job failed" })
    }
  })
}
