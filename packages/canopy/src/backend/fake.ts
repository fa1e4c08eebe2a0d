/**
 * The Fake backend (canopy-ui §2.2, roadmap Phase 6): the Service link (./service.ts) over `layerFakeCascor` —
 * FakeCascorClient plus the fake training and control streams on the same in-process fake service (cascor's own
 * session on the real engine). Frames go through the client's protocol (validation, seq, resume, chunks), so the fake
 * exercises Canopy's real parsing, relay and normalisation paths without a network. The scenario comes from
 * `JUNIPER_CANOPY_FAKE_SCENARIO` (default `two_spiral_training`); while connected, the fake stream advances a running
 * run one training step every `delayMs`.
 */
import { Effect, Layer } from "effect"
import { type ScenarioName, SCENARIOS } from "@juniper/cascor/client/fake/scenarios"
import { layerFakeCascor } from "@juniper/cascor/client/streams-service"

export interface FakeOptions {
  readonly scenario: string
  /** ms between two training steps of a running run (default 300). */
  readonly delayMs?: number
}

export const isScenario = (s: string): s is ScenarioName => (SCENARIOS as ReadonlyArray<string>).includes(s)

/** The cascor layer of the Fake backend (an unknown scenario falls back to two_spiral_training with a WARNING). */
export const layerFakeCascorFor = (o: FakeOptions) => {
  const scenario: ScenarioName = isScenario(o.scenario) ? o.scenario : "two_spiral_training"
  const warn = isScenario(o.scenario)
    ? Layer.empty
    : Layer.effectDiscard(Effect.logWarning(`unknown fake scenario '${o.scenario}' (known: ${SCENARIOS.join(", ")}); using ${scenario}`))
  return Layer.merge(layerFakeCascor({ scenario, stateCoalesceMs: 250, stream: { delay: o.delayMs ?? 300 } }), warn)
}
