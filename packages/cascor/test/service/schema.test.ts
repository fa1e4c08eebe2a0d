// The wire schemas: decoding rules the clients rely on (extra="forbid" for TrainingParams, nullable numbers,
// optional bodies) and an OpenAPI document that derives from the HttpApi definition.
import { OpenApi } from "@effect/platform"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { CascorApi } from "../../src/api/http-api.js"
import {
  ControlCommand,
  InlineData,
  MetricsRow,
  NetworkCreateRequest,
  TrainingParams,
  TrainingServerFrame,
  TrainingStartRequest
} from "../../src/api/schema.js"

const decode = <A, I>(s: Schema.Schema<A, I>, u: unknown) => Schema.decodeUnknownEither(s)(u)

describe("wire schemas", () => {
  it("TrainingParams forbids unknown keys, even nested in a start request", () => {
    expect(Either.isRight(decode(TrainingParams, { learning_rate: 0.1 }))).toBe(true)
    expect(Either.isLeft(decode(TrainingParams, { learning_rate: 0.1, nope: 1 }))).toBe(true)
    expect(Either.isLeft(decode(TrainingStartRequest, { params: { nope: 1 } }))).toBe(true)
    expect(Either.isRight(decode(TrainingStartRequest, { params: { patience: 3 }, whatever: 1 }))).toBe(true)
  })

  it("NetworkCreateRequest applies the contract's bounds and ignores unknown keys", () => {
    expect(Either.isRight(decode(NetworkCreateRequest, { input_size: 2, extra: true }))).toBe(true)
    expect(Either.isLeft(decode(NetworkCreateRequest, { input_size: 0 }))).toBe(true)
    expect(Either.isLeft(decode(NetworkCreateRequest, { correlation_threshold: 1.5 }))).toBe(true)
    expect(Either.isLeft(decode(NetworkCreateRequest, { optimizer_type: "Bogus" }))).toBe(true)
    expect(Either.isLeft(decode(NetworkCreateRequest, { learning_rate: 0 }))).toBe(true)
  })

  it("inline data: at most 100 rows, finite numbers", () => {
    const rows = (n: number) => Array.from({ length: n }, () => [0, 1])
    expect(Either.isRight(decode(InlineData, { train_x: rows(100), train_y: rows(100) }))).toBe(true)
    expect(Either.isLeft(decode(InlineData, { train_x: rows(101), train_y: rows(101) }))).toBe(true)
    expect(Either.isLeft(decode(InlineData, { train_x: [[Infinity, 1]], train_y: [[1]] }))).toBe(true)
  })

  it("metrics rows carry nulls for non-finite numbers", () => {
    const row = {
      epoch: 1, timestamp: "2026-01-01T00:00:00.000Z", loss: null, accuracy: null, learning_rate: 0.35, hidden_units: 0,
      phase: "OUTPUT", validation_loss: null, validation_accuracy: null, kind: "training_step", f1: null, precision: null,
      recall: null, roc_auc: null
    }
    expect(Either.isRight(decode(MetricsRow, row))).toBe(true)
    expect(Either.isRight(decode(TrainingServerFrame, { type: "metrics", timestamp: 1, seq: 3, data: row }))).toBe(true)
    expect(Either.isRight(decode(TrainingServerFrame, { type: "ping", ts: 1 }))).toBe(true)
  })

  it("control commands decode loosely (the server answers unknown names in-band)", () => {
    expect(Either.isRight(decode(ControlCommand, { command: "frobnicate" }))).toBe(true)
    expect(Either.isLeft(decode(ControlCommand, { type: "command" }))).toBe(true)
  })

  it("the HttpApi yields an OpenAPI document with every route of tier C", () => {
    const spec = OpenApi.fromApi(CascorApi) as unknown as { paths: Record<string, Record<string, unknown>> }
    const routes = Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    for (const r of [
      "GET /v1/health", "GET /v1/health/live", "GET /v1/health/ready", "POST /v1/network", "GET /v1/network",
      "DELETE /v1/network", "GET /v1/network/topology", "GET /v1/network/stats", "POST /v1/training/start",
      "POST /v1/training/stop", "POST /v1/training/pause", "POST /v1/training/resume", "POST /v1/training/reset",
      "GET /v1/training/status", "GET /v1/training/params", "PATCH /v1/training/params", "GET /v1/metrics",
      "GET /v1/metrics/history", "GET /v1/dataset", "GET /v1/dataset/data", "GET /v1/decision-boundary",
      "POST /v1/snapshots", "GET /v1/snapshots", "GET /v1/snapshots/{id}", "POST /v1/snapshots/{id}/restore",
      "DELETE /v1/snapshots/{id}", "GET /v1/workers", "GET /v1/workers/stats", "GET /v1/workers/{worker_id}"
    ])
      expect(routes).toContain(r)
  })
})
