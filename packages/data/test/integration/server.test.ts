// JuniperData end to end: a real `node dist/data` process on 127.0.0.1, real HTTP, NumPy reading the artifacts.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

const entry = join(repoRoot, "dist/data/index.js")
const built = existsSync(entry)

const start = (storage: string, env: Record<string, string> = {}) =>
  startService(entry, { JUNIPER_DATA_PORT: "0", JUNIPER_DATA_STORAGE_PATH: storage, JUNIPER_DATA_RATE_LIMIT_ENABLED: "false", ...env })

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/datasets`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) })

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any })

/** Loads an NPZ with NumPy and returns {key: {dtype, shape, first}}. */
const numpyLoad = (file: string) =>
  JSON.parse(
    execFileSync("python3", ["-c", `
import json, sys, numpy as np
z = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({k: {"dtype": z[k].dtype.str, "shape": list(z[k].shape), "first": z[k][0].tolist() if z[k].shape[0] else None, "sum": float(z[k].astype(np.float64).sum())} for k in z.files} | {"_order": z.files}))
`, file], { encoding: "utf8" })
  )

describe.runIf(built)("JuniperData server (node dist/data)", () => {
  let storage: string
  let svc: ServiceProcess
  beforeAll(async () => {
    storage = mkdtempSync(join(tmpdir(), "juniper-data-it-"))
    svc = await start(storage)
  })
  afterAll(async () => {
    await svc?.stop()
  })

  it("creates upstream's dataset ids for the contract's reference requests", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["spiral", {}, "spiral-1.0.0-20b8434af6769210"],
      ["spiral", { algorithm: "legacy_cascor" }, "spiral-1.0.0-bfcc817877961b00"],
      ["spiral", { n_points_per_spiral: 100, noise: 0.1, seed: 42, algorithm: "modern", train_ratio: 0.8 }, "spiral-1.0.0-7188c37ef7f777a4"],
      ["xor", { seed: 42 }, "xor-1.0.0-dcbc70e45f7b3611"],
      ["gaussian", { seed: 42 }, "gaussian-1.0.0-74fc6a39233439b8"],
      ["circles", { seed: 42, noise: 0.05 }, "circles-1.0.0-50a2371de63f4a6c"],
      ["checkerboard", { seed: 42 }, "checkerboard-1.0.0-96d59953bc545906"]
    ]
    for (const [generator, params, id] of cases) {
      const r = await json(await post(svc.baseUrl, { generator, params }))
      expect(r.status).toBe(201)
      expect(r.body.dataset_id).toBe(id)
      expect(r.body.artifact_url).toBe(`/v1/datasets/${id}/artifact`)
    }
  })

  it("serves an NPZ that numpy.load reads with the contract's keys, dtypes, shapes and values", async () => {
    const id = "spiral-1.0.0-20b8434af6769210"
    const res = await fetch(`${svc.baseUrl}/v1/datasets/${id}/artifact`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/octet-stream")
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename=${id}.npz`)
    const file = join(mkdtempSync(join(tmpdir(), "npz-")), "a.npz")
    writeFileSync(file, Buffer.from(await res.arrayBuffer()))
    const z = numpyLoad(file)
    expect(z._order).toEqual(["X_train", "y_train", "X_test", "y_test", "X_full", "y_full", "X_val", "y_val"])
    expect(z.X_train).toMatchObject({ dtype: "<f4", shape: [155, 2], first: [4.095326900482178, 2.969475269317627] })
    expect(z.y_train).toMatchObject({ dtype: "<f4", shape: [155, 2], first: [0, 1] })
    expect(z.X_test.shape).toEqual([39, 2])
    expect(z.X_full).toMatchObject({ shape: [194, 2], first: [0.07617927342653275, -0.24931170046329498] })
    expect(z.X_val.shape).toEqual([0, 2])
    expect(z.y_full.sum).toBe(194) // one-hot rows
  })

  it("lists with pagination, returns metadata and previews, deletes", async () => {
    const all = await json(await fetch(`${svc.baseUrl}/v1/datasets`))
    expect(all.status).toBe(200)
    expect(all.body).toEqual([...all.body].sort())
    expect(all.body.length).toBeGreaterThanOrEqual(7)
    const page = await json(await fetch(`${svc.baseUrl}/v1/datasets?limit=2&offset=1`))
    expect(page.body).toEqual(all.body.slice(1, 3))
    const meta = await json(await fetch(`${svc.baseUrl}/v1/datasets/xor-1.0.0-dcbc70e45f7b3611`))
    expect(meta.status).toBe(200)
    expect(Object.keys(meta.body).slice(0, 6)).toEqual(["dataset_id", "generator", "generator_version", "params", "n_samples", "n_features"])
    expect(meta.body).toMatchObject({ n_samples: 200, n_features: 2, n_classes: 2, n_train: 160, n_test: 40, n_val: 0, class_distribution: { "0": 100, "1": 100 } })
    expect(meta.body.access_count).toBeUndefined()
    const preview = await json(await fetch(`${svc.baseUrl}/v1/datasets/spiral-1.0.0-20b8434af6769210/preview?n=3`))
    expect(preview.body.n_samples).toBe(3)
    expect(preview.body.X_sample[0]).toEqual([4.095326900482178, 2.969475269317627])
    const created = await json(await post(svc.baseUrl, { generator: "moon", params: { seed: 7 } }))
    const del = await fetch(`${svc.baseUrl}/v1/datasets/${created.body.dataset_id}`, { method: "DELETE" })
    expect(del.status).toBe(204)
    expect(await del.text()).toBe("")
    expect((await fetch(`${svc.baseUrl}/v1/datasets/${created.body.dataset_id}`)).status).toBe(404)
    expect((await fetch(`${svc.baseUrl}/v1/datasets/${created.body.dataset_id}`, { method: "DELETE" })).status).toBe(404)
  })

  it("serves the generator list and each schema", async () => {
    const gens = await json(await fetch(`${svc.baseUrl}/v1/generators`))
    expect(gens.body.map((g: { name: string }) => g.name)).toEqual(["spiral", "xor", "gaussian", "circles", "moon", "checkerboard"])
    const schema = await json(await fetch(`${svc.baseUrl}/v1/generators/spiral/schema`))
    expect(schema.body).toMatchObject({ available: true, type: "object" })
    expect(schema.body.properties.n_points_per_spiral).toMatchObject({ type: "integer", default: 97, minimum: 10, maximum: 10000 })
    expect(await json(await fetch(`${svc.baseUrl}/v1/generators/nope/schema`))).toMatchObject({ status: 404, body: { detail: "Generator 'nope' not found" } })
  })

  it("answers bad input route by route with a structured 4xx and keeps serving", async () => {
    const b = svc.baseUrl
    const cases: Array<[Promise<Response>, number, (body: any) => void]> = [
      [post(b, { generator: "nope" }), 400, (x) => expect(x.detail).toBe("Unknown generator 'nope'. Available: ['spiral', 'xor', 'gaussian', 'circles', 'moon', 'checkerboard']")],
      [post(b, { generator: "spiral", params: { n_spirals: 11 } }), 400, (x) => expect(x.detail).toMatch(/^Invalid parameters: .*n_spirals/)],
      [post(b, { generator: "spiral", params: { noise: "loud" } }), 400, (x) => expect(x.detail).toMatch(/noise/)],
      [post(b, { generator: "spiral", params: { train_ratio: 0.9, test_ratio: 0.5 } }), 400, (x) => expect(x.detail).toMatch(/Invalid parameters/)],
      [post(b, { params: {} }), 422, (x) => expect(x.detail[0]).toMatchObject({ type: "missing", loc: ["body", "generator"] })],
      [post(b, { generator: 5 }), 422, (x) => expect(x.detail[0].loc).toEqual(["body", "generator"])],
      [post(b, { generator: "xor", params: [1, 2] }), 422, (x) => expect(x.detail[0].loc).toEqual(["body", "params"])],
      [post(b, { generator: "xor", ttl_seconds: 0 }), 422, (x) => expect(x.detail[0].loc).toEqual(["body", "ttl_seconds"])],
      [post(b, "{not json"), 400, (x) => expect(x._tag).toBe("MalformedJson")],
      [post(b, JSON.stringify({ generator: "xor", description: "x".repeat(11 * 1024 * 1024) })), 413, (x) => expect(x.detail).toBe("Request body too large")],
      [fetch(`${b}/v1/datasets?limit=0`), 422, (x) => expect(x.detail[0].loc).toEqual(["query", "limit"])],
      [fetch(`${b}/v1/datasets?limit=abc`), 422, (x) => expect(x.detail[0].loc).toEqual(["query", "limit"])],
      [fetch(`${b}/v1/datasets?offset=-1`), 422, (x) => expect(x.detail[0].loc).toEqual(["query", "offset"])],
      [fetch(`${b}/v1/datasets/spiral-1.0.0-20b8434af6769210/preview?n=5000`), 422, (x) => expect(x.detail[0].loc).toEqual(["query", "n"])],
      [fetch(`${b}/v1/datasets/..%2F..%2Fetc%2Fpasswd`), 400, (x) => expect(x.detail).toBe("Invalid request parameters")],
      [fetch(`${b}/v1/datasets/a..b`), 400, (x) => expect(x.detail).toBe("Invalid request parameters")],
      [fetch(`${b}/v1/datasets/.hidden/artifact`), 400, (x) => expect(x.detail).toBe("Invalid request parameters")],
      [fetch(`${b}/v1/datasets/${"a".repeat(200)}`, { method: "DELETE" }), 400, (x) => expect(x.detail).toBe("Invalid request parameters")],
      [fetch(`${b}/v1/datasets/does-not-exist`), 404, (x) => expect(x.detail).toBe("Dataset 'does-not-exist' not found")],
      [fetch(`${b}/v1/datasets/does-not-exist/preview`), 404, (x) => expect(x.detail).toMatch(/not found/)],
      [fetch(`${b}/v1/nothing-here`), 404, (x) => expect(x.detail).toBe("Not Found")],
      [fetch(`${b}/v1/generators`, { method: "POST" }), 405, (x) => expect(x.detail).toBe("Method Not Allowed")]
    ]
    for (const [req, status, check] of cases) {
      const r = await json(await req)
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(status)
      check(r.body)
    }
    expect((await fetch(`${b}/v1/health`)).status).toBe(200)
    // Nothing escaped the storage directory and no temp files linger.
    expect(readdirSync(storage).every((f) => f.endsWith(".npz") || f.endsWith(".meta.json"))).toBe(true)
  })

  it("keeps datasets across a restart", async () => {
    const before = (await json(await fetch(`${svc.baseUrl}/v1/datasets`))).body
    expect(await svc.stop()).toBe(0)
    svc = await start(storage)
    const after = (await json(await fetch(`${svc.baseUrl}/v1/datasets`))).body
    expect(after).toEqual(before)
    const meta = await json(await fetch(`${svc.baseUrl}/v1/datasets/spiral-1.0.0-20b8434af6769210`))
    expect(meta.body.n_samples).toBe(194)
    const ready = await json(await fetch(`${svc.baseUrl}/v1/health/ready`))
    expect(ready.body).toMatchObject({ status: "ready", service: "juniper-data", dependencies: { storage: { status: "healthy" } }, details: { generators_loaded: 6 } })
    expect(ready.body.dependencies.storage.message).toBe(`${storage} (${before.length} datasets)`)
  })
})

describe.runIf(built)("JuniperData security and limits", () => {
  it("requires X-API-Key when keys are configured, and rate-limits with 429 + Retry-After", async () => {
    const storage = mkdtempSync(join(tmpdir(), "juniper-data-auth-"))
    const svc = await start(storage, { JUNIPER_DATA_API_KEYS: "alpha,beta", JUNIPER_DATA_RATE_LIMIT_ENABLED: "true", JUNIPER_DATA_RATE_LIMIT_REQUESTS_PER_MINUTE: "5" })
    try {
      const b = svc.baseUrl
      expect(await json(await fetch(`${b}/v1/datasets`))).toMatchObject({ status: 401, body: { detail: "Missing API key. Provide X-API-Key header." } })
      expect(await json(await fetch(`${b}/v1/datasets`, { headers: { "x-api-key": "gamma" } }))).toMatchObject({ status: 401, body: { detail: "Invalid API key." } })
      expect((await fetch(`${b}/v1/health/ready`)).status).toBe(200)
      const statuses: Array<number> = []
      let last: Response | undefined
      for (let i = 0; i < 7; i++) {
        last = await fetch(`${b}/v1/generators`, { headers: { "x-api-key": "beta" } })
        statuses.push(last.status)
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0)
      expect((await json(last!)).body.detail).toMatch(/^Rate limit exceeded\. Try again in \d+ seconds\.$/)
      // A different key has its own window.
      expect((await fetch(`${b}/v1/generators`, { headers: { "x-api-key": "alpha" } })).status).toBe(200)
    } finally {
      await svc.stop()
    }
  })

  it("refuses to start with REQUIRE_AUTH and no keys", async () => {
    const storage = mkdtempSync(join(tmpdir(), "juniper-data-posture-"))
    await expect(start(storage, { JUNIPER_DATA_REQUIRE_AUTH: "true" })).rejects.toThrow(/REQUIRE_AUTH/)
  })

  it("leaves no half-written dataset visible after being killed mid-write", async () => {
    const storage = mkdtempSync(join(tmpdir(), "juniper-data-kill-"))
    for (let round = 0; round < 3; round++) {
      const svc = await start(storage)
      // A large dataset takes long enough to write that the kill lands in the middle of it.
      const pending = post(svc.baseUrl, { generator: "spiral", params: { n_points_per_spiral: 10000, n_spirals: 10, seed: round } }).catch(() => undefined)
      await new Promise((r) => setTimeout(r, 150 + round * 100))
      await svc.kill()
      await pending
      const again = await start(storage)
      try {
        const ids = (await json(await fetch(`${again.baseUrl}/v1/datasets`))).body as Array<string>
        for (const id of ids) {
          const res = await fetch(`${again.baseUrl}/v1/datasets/${id}/artifact`)
          expect(res.status).toBe(200)
          const file = join(storage, "..", `${id}-check.npz`)
          writeFileSync(file, Buffer.from(await res.arrayBuffer()))
          expect(numpyLoad(file).X_full.shape[0]).toBe(100000)
        }
        expect(readdirSync(storage).filter((f) => f.endsWith(".tmp"))).toEqual([])
      } finally {
        await again.stop()
      }
    }
  })
})
