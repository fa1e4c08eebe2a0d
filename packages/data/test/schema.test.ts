import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { formatApiDateTime, formatIsoDateTime, parseIsoDateTime } from "../src/datetime.js"
import {
  CreateDatasetRequest,
  DatasetMeta,
  ListDatasetsUrlParams,
  PreviewUrlParams,
  StoredDatasetMeta,
  toApiMeta
} from "../src/schema.js"

describe("datetimes", () => {
  it("API bodies: 6 fractional digits and Z, fraction omitted when zero", () => {
    expect(formatApiDateTime(new Date("2026-01-02T03:04:05.120Z"))).toBe("2026-01-02T03:04:05.120000Z")
    expect(formatApiDateTime(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05Z")
    expect(formatIsoDateTime(new Date("2026-01-02T03:04:05.007Z"))).toBe("2026-01-02T03:04:05.007000+00:00")
    expect(formatIsoDateTime(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05+00:00")
  })

  it("parses any ISO 8601 (offsets, microseconds, naive = UTC)", () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 123)
    for (const s of ["2026-01-02T03:04:05.123456+00:00", "2026-01-02T03:04:05.123Z", "2026-01-02T05:04:05.123+02:00", "2026-01-02 03:04:05.123", "2026-01-01T22:04:05.123-0500"]) {
      expect(parseIsoDateTime(s)?.getTime(), s).toBe(t)
    }
    expect(parseIsoDateTime("yesterday")).toBeUndefined()
    expect(parseIsoDateTime("2026-13-45T00:00:00Z")?.getTime()).not.toBe(t)
  })
})

describe("DatasetMeta", () => {
  it("decodes an upstream 0.4-era meta file without the newer fields; encodes API and stored spellings", () => {
    const old = {
      dataset_id: "spiral-1.0.0-20b8434af6769210", generator: "spiral", generator_version: "1.0.0", params: { seed: 42 },
      n_samples: 194, n_features: 2, task_type: "classification", n_classes: 2, n_train: 155, n_val: 0, n_test: 39,
      class_distribution: { "0": 97, "1": 97 }, artifact_formats: ["npz"], created_at: "2026-01-02T03:04:05.123456+00:00"
    }
    const stored = Schema.decodeUnknownSync(StoredDatasetMeta)(old)
    expect(stored).toMatchObject({ tags: [], ttl_seconds: null, access_count: 0, last_accessed_at: null, sequence: false })
    const api = Schema.encodeSync(DatasetMeta)(toApiMeta(stored)) as Record<string, unknown>
    expect(api["created_at"]).toBe("2026-01-02T03:04:05.123000Z")
    expect("access_count" in api).toBe(false)
    expect((Schema.encodeSync(StoredDatasetMeta)(stored) as Record<string, unknown>)["created_at"]).toBe("2026-01-02T03:04:05.123000+00:00")
    expect(Either.isLeft(Schema.decodeUnknownEither(StoredDatasetMeta)({ ...old, created_at: "not a date" }))).toBe(true)
  })
})

describe("CreateDatasetRequest", () => {
  const decode = Schema.decodeUnknownEither(CreateDatasetRequest)
  it("fills defaults and ignores unknown top-level keys", () => {
    expect(Either.getOrThrow(decode({ generator: "spiral", extra: 1 }))).toEqual({
      generator: "spiral", params: {}, persist: true, tags: [], ttl_seconds: null, name: null, description: null,
      created_by: null, parent_dataset_id: null
    })
  })
  it.each([
    [{}],
    [{ generator: "spiral", params: [1] }],
    [{ generator: "spiral", params: null }],
    [{ generator: "spiral", ttl_seconds: 0 }],
    [{ generator: "spiral", description: "x".repeat(501) }],
    [{ generator: "spiral", created_by: "x".repeat(101) }],
    [{ generator: 3 }]
  ])("rejects %j (422)", (input) => {
    expect(Either.isLeft(decode(input))).toBe(true)
  })
})

describe("query params", () => {
  it("limit/offset and n with defaults and bounds", () => {
    expect(Schema.decodeUnknownSync(ListDatasetsUrlParams)({})).toEqual({ limit: 100, offset: 0 })
    expect(Schema.decodeUnknownSync(ListDatasetsUrlParams)({ limit: "5", offset: "10" })).toEqual({ limit: 5, offset: 10 })
    expect(Either.isLeft(Schema.decodeUnknownEither(ListDatasetsUrlParams)({ limit: "0" }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(ListDatasetsUrlParams)({ limit: "1001" }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(ListDatasetsUrlParams)({ offset: "-1" }))).toBe(true)
    expect(Schema.decodeUnknownSync(PreviewUrlParams)({})).toEqual({ n: 100 })
    expect(Either.isLeft(Schema.decodeUnknownEither(PreviewUrlParams)({ n: "1.5" }))).toBe(true)
  })
})
