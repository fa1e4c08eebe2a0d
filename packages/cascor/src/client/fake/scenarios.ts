/**
 * The fake's scenarios (§13.4), set up through the session's own commands on real data and the real engine:
 *
 * | scenario | state | network | dataset |
 * |---|---|---|---|
 * | idle | STOPPED | none | none (ready for network creation) |
 * | two_spiral_training | STARTED, waiting before a candidate phase | 2→2, `warmupSteps` steps trained | JuniperData spiral (demo profile) |
 * | xor_converged | COMPLETED | 2→1 | XOR (inline) |
 * | empty | STOPPED | none | none, and no workers (minimal responses) |
 * | error_prone | as two_spiral_training | | | about `errorRate` of the calls fail with the real error types |
 */
import { Effect } from "effect"
import type { SessionError } from "../../session/errors.js"
import type { FakeCascorBackend } from "./backend.js"

export const SCENARIOS = ["idle", "two_spiral_training", "xor_converged", "empty", "error_prone"] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** The demo profile's dataset (§10): two spirals, 200 points each, noise 0.15, seed 42. */
export const TWO_SPIRAL_DATASET = { source: "juniper-data", generator: "spiral", params: { n_spirals: 2, n_points_per_spiral: 200, noise: 0.15, seed: 42 } } as const

export const XOR_DATA = { train_x: [[0, 0], [0, 1], [1, 0], [1, 1]], train_y: [[0], [1], [1], [0]] }

export interface ScenarioOptions {
  /** two_spiral_training / error_prone: training steps already run (default 3: the initial pass and two units). */
  readonly warmupSteps?: number
}

export const applyScenario = (b: FakeCascorBackend, scenario: ScenarioName, o: ScenarioOptions = {}): Effect.Effect<void, SessionError> =>
  Effect.gen(function* () {
    switch (scenario) {
      case "idle":
      case "empty":
        return
      case "two_spiral_training":
      case "error_prone": {
        yield* b.createNetwork({ input_size: 2, output_size: 2, random_seed: 42, max_hidden_units: 40, max_iterations: 40 })
        yield* b.start({ dataset: { ...TWO_SPIRAL_DATASET, params: { ...TWO_SPIRAL_DATASET.params } } })
        // start() ran the initial output pass (step 1); each advance is one growth step.
        yield* b.advanceEpoch(Math.max(0, (o.warmupSteps ?? 3) - 1))
        return
      }
      case "xor_converged": {
        yield* b.createNetwork({ input_size: 2, output_size: 1, random_seed: 42, max_hidden_units: 8, max_iterations: 8 })
        yield* b.start({ inline_data: { train_x: XOR_DATA.train_x.map((r) => [...r]), train_y: XOR_DATA.train_y.map((r) => [...r]) } })
        yield* b.runToEnd()
        return
      }
    }
  })
