/**
 * The Fake backend (canopy-ui §2.2, roadmap Phase 6): the Service link (./service.ts) wired to FakeCascorClient and
 * an in-process training stream over the same fake backend — the fake session's own broadcaster, served the way
 * JuniperCascor serves /ws/training and read through the client's own protocol (validation, resume, chunks). So the
 * fake exercises Canopy's real parsing, relay and normalisation paths without a network. The scenario comes from
 * `JUNIPER_CANOPY_FAKE_SCENARIO` (default `two_spiral_training`); training advances on its own every `advanceMs`.
 */
import { Effect, type Scope } from "effect"
import { makeFakeCascor } from "@juniper/cascor/client/fake/client"
import { type ScenarioName, SCENARIOS } from "@juniper/cascor/client/fake/scenarios"
import { FakeTrainingConnection } from "@juniper/cascor/client/fake/training-connection"
import { TrainingProtocol } from "@juniper/cascor/client/training-protocol"
import { streamFromRunner, type TrainingStreamEvent } from "@juniper/cascor/client/training-stream"
import type { CascorLink } from "./link.js"
import { makeClientLink } from "./service.js"

export interface FakeLinkOptions {
  readonly scenario: string
  /** One training step every this many ms while training (default 300). */
  readonly advanceMs?: number
}

export const isScenario = (s: string): s is ScenarioName => (SCENARIOS as ReadonlyArray<string>).includes(s)

export const makeFakeLink = (o: FakeLinkOptions): Effect.Effect<CascorLink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scenario: ScenarioName = isScenario(o.scenario) ? o.scenario : "two_spiral_training"
    if (!isScenario(o.scenario)) yield* Effect.logWarning(`unknown fake scenario '${o.scenario}' (known: ${SCENARIOS.join(", ")}); using ${scenario}`)
    const fake = yield* makeFakeCascor({ scenario, autoAdvanceMs: o.advanceMs ?? 300, stateCoalesceMs: 250 })
    const backend = fake.control.backend
    // The training stream: one in-process connection, read through the client's protocol as a socket would be.
    const trainingEvents = streamFromRunner<TrainingStreamEvent, never>((emit) =>
      Effect.async<void>(() => {
        const protocol = new TrainingProtocol()
        let connection: FakeTrainingConnection | null = null
        const receive = (text: string) => {
          const out = protocol.receive(text)
          for (const frame of out.frames) emit({ _tag: "Frame", frame, receivedAt: Date.now() })
          for (const reason of out.invalid) emit({ _tag: "Invalid", reason })
          for (const reply of out.replies) connection?.fromClient(reply)
        }
        connection = new FakeTrainingConnection(backend, receive)
        emit({ _tag: "Open", attempt: 1 })
        connection.open()
        return Effect.sync(() => connection?.close())
      })
    )
    yield* Effect.logInfo(`fake backend: FakeCascorClient scenario ${scenario}`)
    return yield* makeClientLink({ mode: "fake", upstreamUrl: null, client: fake.client, trainingEvents, openControl: null })
  })
