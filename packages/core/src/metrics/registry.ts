/**
 * Prometheus metrics through prom-client: one registry per server (so tests can run several in one process), process
 * metrics, and per-route request counts and latency histograms labelled by route pattern (never by raw URL).
 */
import { Context, Effect, Layer } from "effect"
import * as Prom from "prom-client"

export interface MetricsShape {
  readonly registry: Prom.Registry
  /** Records one HTTP request; `route` is the matched pattern or "unmatched". */
  readonly observeRequest: (method: string, route: string, status: number, seconds: number) => void
  /** Prometheus text exposition of everything registered. */
  readonly render: Effect.Effect<{ readonly contentType: string; readonly body: string }>
}

export class Metrics extends Context.Tag("@juniper/core/Metrics")<Metrics, MetricsShape>() {}

/** Builds the registry for `namespace` (e.g. "juniper_data"), with process metrics and the HTTP families. */
export const makeMetrics = (namespace: string, build: { version: string; gitSha: string | null; buildDate: string | null }): MetricsShape => {
  const registry = new Prom.Registry()
  Prom.collectDefaultMetrics({ register: registry, prefix: `${namespace}_` })
  const requests = new Prom.Counter({
    name: `${namespace}_http_requests_total`,
    help: "HTTP requests by method, route pattern and status",
    labelNames: ["method", "endpoint", "status"] as const,
    registers: [registry]
  })
  const duration = new Prom.Histogram({
    name: `${namespace}_http_request_duration_seconds`,
    help: "HTTP request latency by method and route pattern",
    labelNames: ["method", "endpoint"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  const unmatched = new Prom.Counter({
    name: `${namespace}_http_unmatched_requests_total`,
    help: "Requests that matched no route",
    labelNames: ["method"] as const,
    registers: [registry]
  })
  new Prom.Gauge({
    name: `${namespace}_build`,
    help: "Build information",
    labelNames: ["version", "git_sha", "build_date"] as const,
    registers: [registry]
  }).set({ version: build.version, git_sha: build.gitSha ?? "", build_date: build.buildDate ?? "" }, 1)
  return {
    registry,
    observeRequest: (method, route, status, seconds) => {
      if (route === "unmatched") unmatched.inc({ method })
      requests.inc({ method, endpoint: route, status: String(status) })
      duration.observe({ method, endpoint: route }, seconds)
    },
    render: Effect.promise(async () => ({ contentType: registry.contentType, body: await registry.metrics() }))
  }
}

export const layerMetrics = (namespace: string, build: { version: string; gitSha: string | null; buildDate: string | null }) =>
  Layer.sync(Metrics, () => makeMetrics(namespace, build))
