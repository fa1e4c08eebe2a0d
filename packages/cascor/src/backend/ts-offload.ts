/**
 * The TypeScript kernels as the service uses them: a candidate phase above `minWork` multiply-adds per epoch runs on a
 * worker thread (./ts-phase-worker.ts), so a large phase on a machine without the native addon no longer blocks the
 * event loop (health checks, status, WebSocket frames keep flowing). Smaller phases stay inline: posting the arrays
 * to a thread costs more than they take. Same code, same arithmetic: results are identical either way.
 */
import { cpus } from "node:os"
import { Worker } from "node:worker_threads"
import type { CandidatePhaseInput, CandidatePhaseOutput, Kernels } from "../engine/kernel.js"
import { builtWorkerEntry } from "./worker-entry.js"

export const tsPhaseWorkerEntry = (): URL | undefined => builtWorkerEntry(import.meta.url, "ts-phase-worker.js")

/** Multiply-adds per candidate epoch, P·C·(K+O): the same measure as the native parallel threshold. */
export const phaseWork = (input: CandidatePhaseInput): number => input.P * input.C * (input.K + input.O)

interface Pending {
  readonly resolve: (out: CandidatePhaseOutput) => void
  readonly reject: (e: Error) => void
  readonly trace: Float32Array | undefined
}

/** Offloads `base` (backend "ts") above `minWork`; other backends are returned as they are. */
export const offloadTsKernels = (base: Kernels, options: { readonly minWork?: number; readonly threads?: number } = {}): Kernels => {
  const entry = base.backend === "ts" ? tsPhaseWorkerEntry() : undefined
  if (!entry) return base
  const minWork = options.minWork ?? 2e6
  const size = Math.max(1, options.threads ?? Math.min(4, cpus().length - 1))
  const idle: Array<Worker> = []
  const busy = new Map<Worker, Pending>()
  const waiting: Array<(w: Worker) => void> = []
  let live = 0

  const release = (w: Worker) => {
    const next = waiting.shift()
    if (next) next(w)
    else idle.push(w)
  }
  const spawn = (): Worker => {
    const w = new Worker(entry)
    live++
    w.unref()
    w.on("message", (m: { output?: CandidatePhaseOutput; trace?: Float32Array; error?: string }) => {
      const p = busy.get(w)
      busy.delete(w)
      release(w)
      if (!p) return
      if (m.output) {
        if (p.trace && m.trace) p.trace.set(m.trace)
        p.resolve(m.output)
      } else p.reject(new Error(m.error ?? "candidate phase failed in its worker thread"))
    })
    let gone = false
    const died = (why: string) => {
      if (gone) return
      gone = true
      live--
      const i = idle.indexOf(w)
      if (i >= 0) idle.splice(i, 1)
      const p = busy.get(w)
      busy.delete(w)
      p?.reject(new Error(`candidate phase worker thread failed: ${why}`))
      // Someone waiting for a worker gets a fresh one.
      if (waiting.length > 0) release(spawn())
    }
    w.on("error", (e) => died(String(e)))
    w.on("exit", (code) => died(`exit ${code}`))
    return w
  }
  const acquire = (): Promise<Worker> => {
    const w = idle.pop()
    if (w) return Promise.resolve(w)
    if (live < size) return Promise.resolve(spawn())
    return new Promise((resolve) => waiting.push(resolve))
  }

  const offloaded = async (input: CandidatePhaseInput): Promise<CandidatePhaseOutput> => {
    const w = await acquire()
    return new Promise<CandidatePhaseOutput>((resolve, reject) => {
      busy.set(w, { resolve, reject, trace: input.scoreTrace })
      try {
        w.postMessage({ input })
      } catch (e) {
        busy.delete(w)
        release(w)
        reject(e instanceof Error ? e : new Error(String(e)))
      }
    })
  }

  return {
    ...base,
    candidatePhaseAsync: (input) => (phaseWork(input) < minWork ? base.candidatePhaseAsync(input) : offloaded(input))
  }
}
