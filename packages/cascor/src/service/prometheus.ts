/** Training gauges on the service's Prometheus registry (/metrics): epoch, hidden units, loss, accuracy, candidate-phase time, backend. */
import * as Prom from "prom-client"
import type { MetricsShape } from "@juniper/core"
import type { CascorRunsShape } from "../session/registry.js"

export const registerTrainingGauges = (metrics: MetricsShape, runs: CascorRunsShape, backend: string): void => {
  const registers = [metrics.registry]
  const s = () => runs.default.gauges()
  const gauge = (name: string, help: string, value: () => number | null) =>
    new Prom.Gauge({
      name: `juniper_cascor_${name}`,
      help,
      registers,
      collect() {
        const v = value()
        this.set(v === null || !Number.isFinite(v) ? Number.NaN : v)
      }
    })
  gauge("training_epoch", "Training steps of the current run (initial output pass + one per growth iteration)", () => s().step)
  gauge("training_engine_epoch", "Inner epochs of the current run (Fahlman's accounting)", () => s().engineEpoch)
  gauge("training_hidden_units", "Hidden units installed", () => s().hiddenUnits)
  gauge("training_loss", "Training loss (mean squared error) of the last training step", () => s().loss)
  gauge("training_accuracy", "Accuracy of the last training step", () => s().accuracy)
  gauge("candidate_phase_seconds", "Duration of the last candidate phase", () => s().candidatePhaseSeconds)
  gauge("training_active", "1 while training runs (FSM STARTED)", () => (s().training ? 1 : 0))
  gauge("ws_training_subscribers", "Subscribers of the training broadcast (WebSocket and RPC)", () => runs.default.broadcaster.subscriberCount)
  gauge("ws_broadcast_seq", "Sequence number of the last broadcast frame", () => runs.default.broadcaster.currentSeq)
  new Prom.Gauge({ name: "juniper_cascor_backend_info", help: "Kernels backend in use", labelNames: ["backend"] as const, registers }).set({ backend }, 1)
}
