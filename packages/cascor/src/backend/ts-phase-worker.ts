/**
 * A worker thread for whole candidate phases on the TypeScript kernels (./ts-offload.ts): the service's event loop
 * keeps serving requests and streams while a large phase trains. Messages (one phase at a time per thread): `{ input }` in
 * (a structured clone: the phase's arrays are copied once per phase), `{ output, trace }` or `{ error }` out (arrays
 * transferred).
 */
import { parentPort } from "node:worker_threads"
import type { CandidatePhaseInput } from "../engine/kernel.js"
import { tsKernels } from "../engine/ts-kernels.js"

const port = parentPort
if (port) {
  port.on("message", (msg: { readonly input: CandidatePhaseInput }) => {
    try {
      const output = tsKernels.candidatePhase(msg.input)
      // The score trace is written into the input (see CandidatePhaseInput.scoreTrace): it travels back too.
      const trace = msg.input.scoreTrace
      const buffers = Object.values(output).filter((v): v is Float32Array => v instanceof Float32Array).map((a) => a.buffer)
      if (trace) buffers.push(trace.buffer)
      port.postMessage({ output, trace }, [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) })
    }
  })
}
