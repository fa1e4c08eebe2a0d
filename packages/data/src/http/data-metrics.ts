/** JuniperData's own Prometheus families (data-api §11), on the service's core registry. */
import * as Prom from "prom-client"
import type { MetricsShape } from "@juniper/core"

export const makeDataMetrics = (metrics: MetricsShape) => {
  const registers = [metrics.registry]
  return {
    generations: new Prom.Counter({ name: "juniper_data_dataset_generations_total", help: "Dataset generations", labelNames: ["generator", "status"] as const, registers }),
    generationSeconds: new Prom.Histogram({
      name: "juniper_data_dataset_generation_duration_seconds",
      help: "Dataset generation (and persistence) time",
      labelNames: ["generator"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    }),
    posts: new Prom.Counter({ name: "juniper_data_dataset_post_total", help: "POST /v1/datasets outcomes", labelNames: ["generator", "status", "cache"] as const, registers })
  }
}
export type DataMetrics = ReturnType<typeof makeDataMetrics>
