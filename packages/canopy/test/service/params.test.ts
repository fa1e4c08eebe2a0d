// The §6 parameter table: parsing, clamping, aliases, enum checks, selection rules, and the cascor mapping.
import { describe, expect, it } from "vitest"
import { defaultValues, fromCascorParams, PARAM_SPECS, parseParams, selectionProblem, toCascorParams } from "../../src/params.js"

describe("set_params parsing (§6)", () => {
  it("clamps numbers into the bounds (ints rounded) and reports what moved", () => {
    const r = parseParams({ nn_learning_rate: 5, cn_pool_size: 0, nn_patience: 12.6, nn_dataset_noise: 0.3 })
    expect(r.problems).toEqual([])
    expect(r.values).toMatchObject({ nn_learning_rate: 1, cn_pool_size: 1, nn_patience: 13, nn_dataset_noise: 0.3 })
    expect(r.clamped.map((c) => c.key).sort()).toEqual(["cn_pool_size", "nn_learning_rate", "nn_patience"])
  })

  it("accepts numeric strings, legacy keys and the top_tier label; reports unknown keys", () => {
    const r = parseParams({ learning_rate: "0.05", max_hidden_units: 10, convergence_enabled: false, cn_candidate_selection: "top_tier", nope: 1 })
    expect(r.values).toMatchObject({ nn_learning_rate: 0.05, nn_max_hidden_units: 10, nn_growth_trigger: "preset_epochs", cn_candidate_selection: "top" })
    expect(r.unknown).toEqual(["nope"])
  })

  it("refuses wrong types and unknown enumeration values, naming the key", () => {
    const r = parseParams({ nn_learning_rate: "fast", nn_optimizer_type: "Quickprop", cn_multi_candidate: "yes", nn_max_iterations: null, nn_dataset_type: "../etc" })
    expect(r.problems.map((p) => p.key).sort()).toEqual(["cn_multi_candidate", "nn_dataset_type", "nn_learning_rate", "nn_max_iterations", "nn_optimizer_type"])
    expect(r.problems.find((p) => p.key === "nn_optimizer_type")?.message).toMatch(/one of Adam/)
  })

  it("checks the candidate-selection rules (S, T, R, P)", () => {
    const base = { ...defaultValues(), cn_pool_size: 8, cn_multi_candidate: true }
    expect(selectionProblem({ ...base, cn_selected_candidates: 3, cn_top_candidates: 2, cn_random_candidates: 1 })).toBeNull()
    expect(selectionProblem({ ...base, cn_selected_candidates: 9, cn_top_candidates: 9, cn_random_candidates: 0 })?.key).toBe("cn_selected_candidates")
    expect(selectionProblem({ ...base, cn_selected_candidates: 3, cn_top_candidates: 4, cn_random_candidates: 0 })?.key).toBe("cn_top_candidates")
    expect(selectionProblem({ ...base, cn_selected_candidates: 4, cn_top_candidates: 2, cn_random_candidates: 1 })?.key).toBe("cn_selected_candidates")
    expect(selectionProblem({ ...base, cn_multi_candidate: false, cn_selected_candidates: 1 })).toBeNull()
  })

  it("maps to cascor's TrainingParams fields and back", () => {
    expect(toCascorParams({ nn_learning_rate: 0.1, cn_pool_size: 4, nn_spiral_rotations: 2, nn_growth_trigger: "convergence", cn_training_iterations: 50 })).toEqual({
      learning_rate: 0.1,
      candidate_pool_size: 4,
      candidate_epochs: 50
    })
    expect(fromCascorParams({ learning_rate: 0.2, candidate_pool_size: 16, optimizer_type: "Adam", epochs_max: 99 })).toEqual({
      nn_learning_rate: 0.2,
      cn_pool_size: 16,
      nn_optimizer_type: "Adam",
      nn_max_total_epochs: 99
    })
  })

  it("has a default inside the bounds for every numeric key", () => {
    for (const s of PARAM_SPECS)
      if (s.min !== undefined) expect(s.default as number, s.key).toBeGreaterThanOrEqual(s.min)
  })
})
