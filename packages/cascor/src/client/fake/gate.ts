/**
 * The fake's clock: a gate in front of the candidate phase. The fake runs the real training session, whose engine
 * would otherwise train as fast as it can; with the gate, a "training" run stops before each candidate phase until
 * the test (advanceEpoch) or the fake stream's pacing lets one through, so a training step (candidate phase + output
 * phase) happens exactly when asked. Only the candidate phase can wait (it is asynchronous); the fahlman algorithm
 * (the default) goes through it, the upstream variant's candidate phase does not.
 */
import type { Kernels } from "../../engine/kernel.js"

export class CandidateGate {
  private gated = true
  private waiter: (() => void) | null = null
  private credits = 0
  private enteredCount = 0

  /** A candidate phase is waiting to run. */
  get waiting(): boolean {
    return this.waiter !== null
  }
  /** Candidate phases that reached the gate so far. */
  get entered(): number {
    return this.enteredCount
  }
  get isOpen(): boolean {
    return !this.gated
  }

  /** `base` with its asynchronous candidate phase behind the gate. */
  wrap(base: Kernels): Kernels {
    return { ...base, candidatePhaseAsync: (input) => this.pass().then(() => base.candidatePhase(input)) }
  }

  /** Lets one waiting (or the next) candidate phase run. */
  permit(): void {
    if (this.waiter) this.waiter()
    else this.credits++
  }

  /** Lets the waiting phase (if any) run, without a credit for the next one (a stop, a reset). */
  release(): void {
    this.waiter?.()
  }

  /** Free running (every phase passes) until `close()`. */
  open(): void {
    this.gated = false
    this.credits = 0
    this.waiter?.()
  }

  close(): void {
    this.gated = true
    this.credits = 0
  }

  private pass(): Promise<void> {
    this.enteredCount++
    if (!this.gated) return Promise.resolve()
    if (this.credits > 0) {
      this.credits--
      return Promise.resolve()
    }
    // A newer phase replaces an orphaned waiter (its fiber was interrupted by a reset).
    this.waiter?.()
    return new Promise<void>((resolve) => {
      const w = () => {
        if (this.waiter === w) this.waiter = null
        resolve()
      }
      this.waiter = w
    })
  }
}
