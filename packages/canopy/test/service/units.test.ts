// Pure parts of the backend layer: normalisation (§3.3), backend selection (§2.3), the circuit breaker (§2.2), the
// relay hub (own seq, chunking, replay; §4.1), CSRF tokens and the Origin rule, and the demo's input scaling.
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import type { Topology, TrainingStatus } from "@juniper/cascor/api/schema"
import { makeBreaker } from "../../src/backend/breaker.js"
import { scaleNpz } from "../../src/backend/demo.js"
import { LinkError } from "../../src/backend/link.js"
import { browserFrame, canopyStatus, canopyTopology, decisionBoundary, eventData, metricsEntry, networkStats, weightStatistics } from "../../src/backend/normalize.js"
import { selectBackend, type SelectionInput } from "../../src/backend/select.js"
import { makeCsrf, originAllowed, safePathForTest } from "./support.js"
import { Hub } from "../../src/ws/hub.js"

const topo: Topology = {
  input_size: 2,
  output_size: 2,
  hidden_units: [
    { id: 0, weights: [0.5, -0.5], bias: 0.1, activation: "Tanh" },
    { id: 1, weights: [1, 2, 3], bias: -0.2, activation: "Tanh" }
  ],
  output_weights: [[1, 2], [3, 4], [5, 6], [7, 8]],
  output_bias: [0.01, 0.02],
  output_activation: "Linear"
}

describe("normalisation (§3.3)", () => {
  it("makes metrics entries the union of the cascor row, the nested shape and the flat aliases", () => {
    const e = metricsEntry(
      { epoch: 3, timestamp: "t", loss: 0.5, accuracy: 0.75, learning_rate: 0.01, hidden_units: 2, phase: "OUTPUT", validation_loss: 0.6, validation_accuracy: 0.7, kind: "training_step", f1: 0.7, precision: 0.7, recall: 0.7, roc_auc: 0.8 },
      { input: 2, output: 2 }
    )
    expect(e).toMatchObject({ epoch: 3, loss: 0.5, accuracy: 0.75, validation_loss: 0.6, kind: "training_step", f1: 0.7 })
    expect(e.metrics).toEqual({ loss: 0.5, accuracy: 0.75, val_loss: 0.6, val_accuracy: 0.7 })
    expect(e.network_topology).toEqual({ input_units: 2, hidden_units: 2, output_units: 2 })
    expect([e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy]).toEqual([0.5, 0.75, 0.6, 0.7])
    // A demo-style nested entry reads the same.
    expect(metricsEntry({ train_loss: 0.4, val_accuracy: 0.9, hidden_units: 1 }, { input: 2, output: 1 })).toMatchObject({ loss: 0.4, validation_accuracy: 0.9, kind: "training_step" })
  })

  it("turns a cascor topology into nodes and connections", () => {
    const t = canopyTopology(topo)
    expect(t.nodes.map((n) => n.id)).toEqual(["input_0", "input_1", "hidden_0", "hidden_1", "output_0", "output_1"])
    expect(t.nodes.find((n) => n.id === "hidden_1")).toMatchObject({ type: "hidden", layer: 2, bias: -0.2 })
    expect(t.nodes.find((n) => n.id === "output_0")).toMatchObject({ type: "output", layer: 3 })
    expect(t.connections).toContainEqual({ from: "hidden_0", to: "hidden_1", weight: 3 })
    expect(t.connections).toContainEqual({ from: "hidden_1", to: "output_1", weight: 8 })
    expect(t.connections.length).toBe(2 + 3 + 4 * 2)
  })

  it("computes weight statistics and network stats", () => {
    const w = weightStatistics([1, -1, 0, 2])
    expect(w).toMatchObject({ total_weights: 4, positive_weights: 2, negative_weights: 1, zero_weights: 1, mean: 0.5, min: -1, max: 2, median: 0.5 })
    expect(w.variance).toBeCloseTo(1.25)
    const s = networkStats(topo, null)
    expect(s).toMatchObject({ total_nodes: 6, total_edges: 13, total_connections: 13, threshold_function: "Tanh", hidden_units: 2 })
    expect(Object.values(s.weight_statistics.z_score_distribution).reduce((a, b) => a + b, 0)).toBe(13)
  })

  it("renames the decision boundary's fields", () => {
    const d = decisionBoundary({ x_range: [-1, 1], y_range: [-2, 2], resolution: 2, grid_x: [[-1, 1], [-1, 1]], grid_y: [[-2, -2], [2, 2]], predictions: [[0, 1], [1, 0]] })
    expect(d).toEqual({ xx: [[-1, 1], [-1, 1]], yy: [[-2, -2], [2, 2]], Z: [[0, 1], [1, 0]], x_min: -1, x_max: 1, y_min: -2, y_max: 2, resolution: 2 })
  })

  it("makes event frames the union of {event} and {event_type, details}", () => {
    expect(eventData({ event: "training_complete", completion_reason: "x" })).toMatchObject({ event: "training_complete", event_type: "training_complete", details: { completion_reason: "x" } })
    expect(eventData({ event_type: "cascade_add", details: { unit: 3 } })).toMatchObject({ event: "cascade_add", event_type: "cascade_add", details: { unit: 3 } })
    expect(browserFrame({ type: "state", data: { best_candidate_id: 4 } }, { input: 2, output: 2 }).data).toMatchObject({ top_candidate_id: 4 })
  })

  it("summarises a cascor status as /api/status", () => {
    const status = {
      state_machine: { status: "PAUSED", phase: "CANDIDATE", paused_phase: "CANDIDATE", has_candidate_state: true },
      monitor: { is_training: false, current_epoch: 4, current_hidden_units: 3, current_phase: "CANDIDATE", total_metrics: 9 },
      training_state: { learning_rate: 0.01, max_hidden_units: 50, max_epochs: 999, network_name: "CasCor-2x2", phase_detail: "training_candidates" },
      network_loaded: true,
      completion_reason: null,
      current_epoch: 4
    } as unknown as TrainingStatus
    const s = canopyStatus(status, { mode: "service", connected: true, sizes: { input: 2, output: 2 }, pendingDataset: null, stream: "healthy" })
    expect(s).toMatchObject({ is_training: false, is_running: true, is_paused: true, fsm_status: "PAUSED", phase: "CANDIDATE", current_epoch: 4, hidden_units: 3, input_size: 2, max_epochs: 999 })
  })
})

const input = (over: Partial<SelectionInput> = {}): SelectionInput => ({
  backend: "auto",
  demoMode: false,
  cascorServiceUrl: null,
  discovery: { enabled: true, host: "localhost", ports: [8200], timeoutSeconds: 2 },
  ...over
})

describe("backend selection (§2.3)", () => {
  const probe = (up: ReadonlyArray<string>) => (url: string) => Effect.succeed(up.some((u) => url.startsWith(u)))
  const pick = (i: SelectionInput, up: ReadonlyArray<string> = []) => Effect.runSync(selectBackend(i, probe(up)))
  it("applies the rules in order", () => {
    expect(pick(input({ backend: "fake", demoMode: true })).mode).toBe("fake")
    expect(pick(input({ backend: "service" })).url).toBe("http://localhost:8200")
    expect(pick(input({ demoMode: true, cascorServiceUrl: "http://c:8200" }), ["http://c"]).mode).toBe("demo")
    expect(pick(input({ cascorServiceUrl: "c:8200/v1/" }), ["http://c"])).toMatchObject({ mode: "service", url: "http://c:8200" })
    expect(pick(input({ cascorServiceUrl: "http://c:8200" }))).toMatchObject({ mode: "demo", reason: "JuniperCascor unreachable at http://c:8200" })
    expect(pick(input(), ["http://localhost:8200"])).toMatchObject({ mode: "service", url: "http://localhost:8200" })
    expect(pick(input({ discovery: { enabled: false, host: "localhost", ports: [8200], timeoutSeconds: 2 } }), ["http://localhost:8200"]).mode).toBe("demo")
    expect(pick(input()).mode).toBe("demo")
  })
})

describe("circuit breaker (§2.2)", () => {
  it("opens after 5 unavailability failures, answers at once while open, lets one trial through after the recovery", () => {
    let now = 0
    const b = makeBreaker(5, 60_000, () => now)
    let calls = 0
    const down = Effect.suspend(() => {
      calls++
      return Effect.fail(new LinkError({ kind: "unavailable", message: "refused" }))
    })
    for (let i = 0; i < 5; i++) Effect.runSync(Effect.either(b.call(down)))
    expect(b.state()).toBe("open")
    Effect.runSync(Effect.either(b.call(down)))
    expect(calls).toBe(5)
    now = 60_000
    expect(b.state()).toBe("half_open")
    expect(Effect.runSync(b.call(Effect.succeed(1)))).toBe(1)
    expect(b.state()).toBe("closed")
    // A 404 proves the upstream answers: it does not count.
    for (let i = 0; i < 10; i++) Effect.runSync(Effect.either(b.call(Effect.fail(new LinkError({ kind: "not_found", message: "x" })))))
    expect(b.state()).toBe("closed")
  })
})

describe("relay hub (§4.1)", () => {
  const settings = { replayBufferSize: 4, chunkThresholdBytes: 200, chunkPayloadBytes: 64, maxConnections: 2, maxConnectionsPerIp: 1 }
  it("stamps its own seq and instance id, replays the last N frames, and refuses a resume it cannot serve", () => {
    const hub = new Hub(settings)
    const got: Array<any> = []
    hub.subscribe({ deliver: (f) => got.push(JSON.parse(f.text)) })
    for (let i = 0; i < 6; i++) hub.publish("metrics", { i })
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(new Set(got.map((f) => f.server_instance_id))).toEqual(new Set([hub.instanceId]))
    expect(hub.replayAfter(3)?.map((f) => f.seq)).toEqual([4, 5, 6])
    expect(hub.replayAfter(6)).toEqual([])
    expect(hub.replayAfter(1)).toBeNull()
    expect(hub.replayAfter(7)).toBeNull()
  })

  it("chunks large frames, each chunk with its own seq, reassembling to the original", () => {
    const hub = new Hub(settings)
    const got: Array<any> = []
    hub.subscribe({ deliver: (f) => got.push(JSON.parse(f.text)) })
    hub.publish("topology", { big: "x".repeat(500) })
    expect(got.every((f) => f.type === "chunked_message")).toBe(true)
    expect(got.map((f) => f.seq)).toEqual(got.map((_, i) => i + 1))
    const whole = JSON.parse(got.sort((a, b) => a.data.chunk_index - b.data.chunk_index).map((f) => f.data.payload).join(""))
    expect(whole).toMatchObject({ type: "topology", data: { big: "x".repeat(500) } })
  })

  it("admits connections up to the caps", () => {
    const hub = new Hub(settings)
    expect(hub.admit("a")).toBe(true)
    expect(hub.admit("a")).toBe(false)
    expect(hub.admit("b")).toBe(true)
    expect(hub.admit("c")).toBe(false)
    hub.release("a")
    expect(hub.admit("c")).toBe(true)
    expect(hub.connections).toBe(2)
  })
})

describe("browser security", () => {
  it("issues CSRF tokens that verify, slide and expire", () => {
    let clock = 1_000_000
    const realNow = Date.now
    Date.now = () => clock
    try {
      const csrf = makeCsrf({ enabled: true, ttlSeconds: 10, secret: null })
      const token = Effect.runSync(csrf.issue)
      expect(Effect.runSync(csrf.verify(token))).toBe(true)
      expect(Effect.runSync(csrf.verify(`${token.split(".")[0]}.forged`))).toBe(false)
      expect(Effect.runSync(csrf.verify(undefined))).toBe(false)
      clock += 8_000
      expect(Effect.runSync(csrf.verify(token))).toBe(true) // slides
      clock += 8_000
      expect(Effect.runSync(csrf.verify(token))).toBe(true)
      clock += 11_000
      expect(Effect.runSync(csrf.verify(token))).toBe(false)
    } finally {
      Date.now = realNow
    }
  })

  it("accepts absent, allow-listed and same-origin Origins only", () => {
    const allowed = ["http://localhost:8050"]
    expect(originAllowed(undefined, "x:1", allowed)).toBe(true)
    expect(originAllowed("http://localhost:8050", "127.0.0.1:8050", allowed)).toBe(true)
    expect(originAllowed("http://127.0.0.1:9999", "127.0.0.1:9999", allowed)).toBe(true)
    expect(originAllowed("http://evil.example", "127.0.0.1:8050", allowed)).toBe(false)
  })

  it("keeps dashboard paths inside the bundle directory", () => {
    expect(safePathForTest("/srv/web", "assets/app.js")).toBe("/srv/web/assets/app.js")
    expect(safePathForTest("/srv/web", "../secret")).toBeNull()
    expect(safePathForTest("/srv/web", "%2e%2e/%2e%2e/etc/passwd")).toBeNull()
    expect(safePathForTest("/srv/web", "a%00b")).toBeNull()
  })
})

describe("demo data", () => {
  it("min-max scales every X array to [-1, 1] by the overall range", () => {
    const npz = {
      X_train: { descr: "<f4" as const, shape: [2, 2], data: Float32Array.from([0, 10, 5, 20]) },
      X_test: { descr: "<f4" as const, shape: [1, 2], data: Float32Array.from([10, 15]) },
      y_train: { descr: "<f4" as const, shape: [2, 2], data: Float32Array.from([1, 0, 0, 1]) }
    }
    const s = scaleNpz(npz)
    expect(Array.from(s["X_train"]!.data)).toEqual([-1, -1, 0, 1])
    expect(Array.from(s["X_test"]!.data)).toEqual([1, 0])
    expect(s["y_train"]).toBe(npz.y_train)
  })
})
