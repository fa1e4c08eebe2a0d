/**
 * The fake's engine room: the service's own TrainingSession (../../session/session.ts) run in-process on the pure-TS
 * kernels, with FakeDataClient (the real generators) for datasets, an in-memory snapshot store and the real
 * Broadcaster, so the fake's payloads, frames (with `seq`), state machine and 404/409/422 messages are the server's.
 * What the fake adds is a clock: the candidate phase waits at a gate (./gate.ts) while training, and a training step
 * runs only when `advanceEpoch` (or a fake stream's pacing, or `autoAdvanceMs`) lets one through.
 */
import { Duration, Effect, Schedule, type Scope } from "effect"
import { makeFakeDataClient } from "@juniper/data"
import type { NetworkCreateRequest, ParamsUpdateResult, TrainingParams, TrainingStartRequest } from "../../api/schema.js"
import { tsKernels } from "../../engine/ts-kernels.js"
import { Broadcaster, type BroadcastSettings } from "../../session/broadcaster.js"
import type { SessionError } from "../../session/errors.js"
import { defaultSessionSettings } from "../../session/registry.js"
import { TrainingSession } from "../../session/session.js"
import { CandidateGate } from "./gate.js"
import { makeMemorySnapshotStore } from "./snapshot-store.js"

/** `set_state` of the upstream fake. */
export type FakeState = "idle" | "training" | "paused" | "complete"

export interface FakeBackendOptions {
  /** Advance one training step every this many ms while training (default: off; the hooks and streams drive it). */
  readonly autoAdvanceMs?: number
  /** Minimum gap between two non-terminal `state` frames (the server's 1000 ms; default 0: every change at once). */
  readonly stateCoalesceMs?: number
  readonly broadcast?: Partial<BroadcastSettings>
  /** Longest wait for the session to settle (default 30 000 ms). */
  readonly settleTimeoutMs?: number
}

const poll = Effect.sleep(Duration.millis(1))

export class FakeCascorBackend {
  private constructor(
    readonly session: TrainingSession,
    readonly gate: CandidateGate,
    readonly broadcaster: Broadcaster,
    private readonly settleTimeoutMs: number
  ) {}

  static make(options: FakeBackendOptions = {}): Effect.Effect<FakeCascorBackend, never, Scope.Scope> {
    return Effect.gen(function* () {
      const scope = yield* Effect.scope
      const gate = new CandidateGate()
      const { client: dataClient } = yield* makeFakeDataClient()
      const broadcaster = new Broadcaster({ replayBufferSize: 1024, maxMessageSizeBytes: 60_000, chunkPayloadSizeBytes: 32_000, ...options.broadcast })
      const session = yield* TrainingSession.make({
        id: "default",
        kernels: gate.wrap(tsKernels),
        backend: tsKernels.backend,
        dataClient,
        dataClientFor: () => Effect.succeed(dataClient),
        store: makeMemorySnapshotStore(),
        broadcaster,
        settings: { ...defaultSessionSettings, stateCoalesceMs: options.stateCoalesceMs ?? 0 },
        scope
      })
      const backend = new FakeCascorBackend(session, gate, broadcaster, options.settleTimeoutMs ?? 30_000)
      // Stopped through its control (between phases), then the fiber is halted.
      yield* Effect.addFinalizer(() => Effect.sync(() => gate.open()).pipe(Effect.zipRight(session.stop()), Effect.zipRight(session.shutdown())))
      const every = options.autoAdvanceMs ?? 0
      if (every > 0) yield* Effect.forkScoped(Effect.repeat(Effect.ignore(backend.advanceEpoch(1)), Schedule.spaced(Duration.millis(every))))
      return backend
    })
  }

  /** Training and waiting at the gate, or not running and nothing moving: a state a test can read. */
  readonly settle: Effect.Effect<void> = Effect.suspend(() => {
    const deadline = Date.now() + this.settleTimeoutMs
    let lastSeq = -1
    let quiet = 0
    const loop: Effect.Effect<void> = Effect.suspend(() => {
      const fsm = this.session.fsmState
      if (this.gate.waiting && (fsm === "STARTED" || fsm === "PAUSED")) return Effect.void
      const seq = this.broadcaster.currentSeq
      quiet = seq === lastSeq ? quiet + 1 : 0
      lastSeq = seq
      // Not running (stopped, paused between phases, done) and no frame for a few polls.
      if ((fsm !== "STARTED" && quiet >= 3) || Date.now() > deadline) return Effect.void
      return Effect.zipRight(poll, loop)
    })
    return loop
  })

  private waitUntil(done: () => boolean): Effect.Effect<void> {
    const deadline = Date.now() + this.settleTimeoutMs
    const loop: Effect.Effect<void> = Effect.suspend(() => (done() || Date.now() > deadline ? Effect.void : Effect.zipRight(poll, loop)))
    return loop
  }

  /** Runs `n` training steps of a running (STARTED) run; the number run (fewer when the run ends or is not running). */
  advanceEpoch(n = 1): Effect.Effect<number> {
    return Effect.gen(this, function* () {
      let done = 0
      while (done < n) {
        yield* this.settle
        if (this.session.fsmState !== "STARTED" || !this.gate.waiting) break
        const before = this.gate.entered
        this.gate.permit()
        yield* this.waitUntil(() => (this.gate.entered > before && this.gate.waiting) || this.session.fsmState !== "STARTED")
        done++
      }
      yield* this.settle
      return done
    })
  }

  /** Runs a started run to its end (the gate open meanwhile). */
  runToEnd(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.session.fsmState !== "STARTED") return
      this.gate.open()
      yield* this.waitUntil(() => this.session.fsmState !== "STARTED")
      this.gate.close()
      yield* this.settle
    })
  }

  /** Forces a state (upstream's `set_state`): idle → stop, training → start/resume, paused → pause, complete → run to the end. */
  setState(state: FakeState): Effect.Effect<void, SessionError> {
    return Effect.gen(this, function* () {
      const fsm = this.session.fsmState
      switch (state) {
        case "idle":
          if (fsm === "STARTED" || fsm === "PAUSED") yield* this.stop()
          return
        case "training":
          if (fsm === "PAUSED") yield* this.resume()
          else if (fsm !== "STARTED") yield* this.start(null)
          return
        case "paused":
          if (fsm !== "STARTED" && fsm !== "PAUSED") yield* this.start(null)
          if (this.session.fsmState === "STARTED") yield* this.pause()
          return
        case "complete":
          if (fsm === "PAUSED") yield* this.resume()
          else if (fsm !== "STARTED" && fsm !== "COMPLETED") yield* this.start(null)
          yield* this.runToEnd()
      }
    })
  }

  // The session's commands, gate-aware: a stop or reset lets a waiting phase finish (the real server's phase would).

  start(req: TrainingStartRequest | null) {
    return Effect.tap(this.session.start(req), () => this.settle)
  }
  stop() {
    return Effect.tap(Effect.zipRight(Effect.sync(() => this.gate.release()), this.session.stop()), () => Effect.zipRight(this.drain, this.settle))
  }
  pause() {
    return Effect.tap(this.session.pause(), () => this.settle)
  }
  resume() {
    return Effect.tap(this.session.resume(), () => this.settle)
  }
  reset() {
    return Effect.tap(Effect.zipRight(Effect.sync(() => this.gate.release()), this.session.reset()), () => Effect.zipRight(this.drain, this.settle))
  }

  /**
   * Lets a stopped run's last phase through the gate until its fiber ends: the engine may have checked for the stop
   * just before the stop came and reach the gate only after the release above.
   */
  private get drain(): Effect.Effect<void> {
    return this.waitUntil(() => {
      if (!this.session.runActive || this.session.fsmState === "STARTED") return true
      this.gate.release()
      return false
    })
  }
  createNetwork(req: NetworkCreateRequest) {
    return this.session.createNetwork(req)
  }
  deleteNetwork() {
    return this.session.deleteNetwork()
  }
  patchParams(body: TrainingParams): Effect.Effect<ParamsUpdateResult, SessionError> {
    return this.session.patchParams(body)
  }
  restoreSnapshot(id: string) {
    return Effect.tap(this.session.restoreSnapshot(id), () => this.settle)
  }
  retrainSnapshot(id: string) {
    return Effect.tap(this.session.retrainSnapshot(id), () => this.settle)
  }
  resumeSnapshot(id: string) {
    return Effect.tap(this.session.resumeSnapshot(id), () => this.settle)
  }
}
