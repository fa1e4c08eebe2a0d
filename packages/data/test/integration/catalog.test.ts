// The S and L tier routes against a real `node dist/data`: filter + cursor paging, stats, tags, batches, expiry,
// access counters, versions.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { unzipSync } from "fflate"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

const entry = join(repoRoot, "dist/data/index.js")
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any })

describe.runIf(existsSync(entry))("JuniperData catalogue routes", () => {
  let svc: ServiceProcess
  let b: string
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${b}${path}`, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(json)

  beforeAll(async () => {
    svc = await startService(entry, { JUNIPER_DATA_PORT: "0", JUNIPER_DATA_STORAGE_PATH: mkdtempSync(join(tmpdir(), "jd-cat-")), JUNIPER_DATA_RATE_LIMIT_ENABLED: "false" })
    b = svc.baseUrl
    for (let seed = 0; seed < 5; seed++) await send("POST", "/v1/datasets", { generator: seed % 2 ? "xor" : "moon", params: { seed }, tags: seed < 2 ? ["a", "b"] : ["b"] })
    await send("POST", "/v1/datasets", { generator: "circles", params: { seed: 9 }, ttl_seconds: 1 })
  })
  afterAll(async () => {
    await svc?.stop()
  })

  it("filters by generator, tags (any/all) and size; pages with cursors", async () => {
    expect((await send("GET", "/v1/datasets/filter?generator=xor")).body.total).toBe(2)
    expect((await send("GET", "/v1/datasets/filter?tags=a")).body.total).toBe(2)
    expect((await send("GET", "/v1/datasets/filter?tags=a,b&tags_match=all")).body.total).toBe(2)
    expect((await send("GET", "/v1/datasets/filter?tags=a, zzz&tags_match=all")).body.total).toBe(0)
    expect((await send("GET", "/v1/datasets/filter?min_samples=201")).body.total).toBe(0)
    const all = (await send("GET", "/v1/datasets/filter?limit=100")).body
    const created = all.datasets.map((d: { created_at: string }) => Date.parse(d.created_at))
    expect(created).toEqual([...created].sort((x: number, y: number) => y - x))
    // Walk with cursors two at a time: the same rows as one page.
    const seen: Array<string> = []
    let cursor: string | null = null
    for (let i = 0; i < 10; i++) {
      const page: any = (await send("GET", `/v1/datasets/filter?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).body
      if (page.datasets.length === 0) break
      seen.push(...page.datasets.map((d: { dataset_id: string }) => d.dataset_id))
      cursor = page.next_cursor
    }
    expect(seen).toEqual(all.datasets.map((d: { dataset_id: string }) => d.dataset_id))
    expect((await send("GET", "/v1/datasets/filter?cursor=%%%")).status).toBe(400)
    expect((await send("GET", `/v1/datasets/filter?cursor=${all.next_cursor}&offset=1`)).status).toBe(400)
    expect((await send("GET", "/v1/datasets/filter?tags_match=some")).status).toBe(422)
    expect((await send("GET", "/v1/datasets/filter?created_after=yesterday")).status).toBe(422)
  })

  it("counts stats, hides expired datasets unless asked, cleans them up", async () => {
    await new Promise((r) => setTimeout(r, 1100))
    const stats = (await send("GET", "/v1/datasets/stats")).body
    expect(stats).toMatchObject({ total_datasets: 6, by_generator: { xor: 2, moon: 3, circles: 1 }, by_tag: { a: 2, b: 5 }, expired_count: 1 })
    expect((await send("GET", "/v1/datasets/filter")).body.total).toBe(5)
    expect((await send("GET", "/v1/datasets/filter?include_expired=true")).body.total).toBe(6)
    const removed = (await send("POST", "/v1/datasets/cleanup-expired")).body
    expect(removed).toHaveLength(1)
    expect(removed[0]).toMatch(/^circles-1\.0\.0-/)
    expect((await send("GET", "/v1/datasets/stats")).body.total_datasets).toBe(5)
  })

  it("patches tags one at a time and in batches", async () => {
    const id = (await send("GET", "/v1/datasets/filter?generator=xor&tags=a")).body.datasets[0].dataset_id
    const meta = await send("PATCH", `/v1/datasets/${id}/tags`, { add_tags: ["z", "c"], remove_tags: ["b", "c"] })
    expect(meta.status).toBe(200)
    // sorted(set(["a","b"]) ∪ {z,c} − {b,c}): removal applies after the addition
    expect(meta.body.tags).toEqual(["a", "z"])
    expect((await send("PATCH", "/v1/datasets/nope-1/tags", { add_tags: ["x"] })).status).toBe(404)
    expect((await send("PATCH", `/v1/datasets/${id}/tags`, { add_tags: "x" })).status).toBe(422)
    const batch = (await send("PATCH", "/v1/datasets/batch-tags", { dataset_ids: [id, "nope-2", "../x"], add_tags: ["q"] })).body
    expect(batch).toEqual({ updated: [id], not_found: ["nope-2", "../x"], total_updated: 1 })
    expect((await send("PATCH", "/v1/datasets/batch-tags", { dataset_ids: [] })).status).toBe(422)
  })

  it("batch-creates (201, per-item errors), exports a zip with a manifest for missing ids, batch-deletes", async () => {
    const created = await send("POST", "/v1/datasets/batch-create", { datasets: [{ generator: "spiral", params: { seed: 1 } }, { generator: "nope" }] })
    expect(created.status).toBe(201)
    expect(created.body.total_created).toBe(1)
    expect(created.body.results[1]).toMatchObject({ index: 1, success: false, dataset_id: null })
    expect(created.body.results[1].error).toMatch(/Unknown generator 'nope'/)
    const none = await send("POST", "/v1/datasets/batch-create", { datasets: [{ generator: "nope" }] })
    expect(none.status).toBe(200)
    const id = created.body.results[0].dataset_id
    const res = await fetch(`${b}/v1/datasets/batch-export`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ dataset_ids: [id, "missing-1"] }) })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/zip")
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    expect(Object.keys(files).sort()).toEqual([`${id}.npz`, "manifest.json"].sort())
    expect(JSON.parse(Buffer.from(files["manifest.json"]!).toString())).toMatchObject({ exported: [id], missing: { "missing-1": "not found" } })
    const file = join(mkdtempSync(join(tmpdir(), "zip-")), "d.npz")
    writeFileSync(file, files[`${id}.npz`]!)
    expect((await send("POST", "/v1/datasets/batch-export", { dataset_ids: ["missing-1"] }))).toMatchObject({ status: 404, body: { detail: "None of the requested datasets were found" } })
    const del = (await send("POST", "/v1/datasets/batch-delete", { dataset_ids: [id, "missing-1", "bad/../id"] })).body
    expect(del).toEqual({ deleted: [id], not_found: ["missing-1", "bad/../id"], total_deleted: 1 })
    expect((await send("POST", "/v1/datasets/batch-delete", { dataset_ids: Array.from({ length: 101 }, (_, i) => `x${i}`) })).status).toBe(422)
  })

  it("counts accesses and allocates versions per name", async () => {
    const id = (await send("GET", "/v1/datasets/filter?generator=moon")).body.datasets[0].dataset_id
    const before = (await send("GET", `/v1/datasets/${id}/access`)).body.access_count
    await send("GET", `/v1/datasets/${id}`)
    await fetch(`${b}/v1/datasets/${id}/artifact`).then((r) => r.arrayBuffer())
    await new Promise((r) => setTimeout(r, 200))
    const after = await fetch(`${b}/v1/datasets/${id}/access`)
    expect(after.headers.get("cache-control")).toBe("no-store")
    const a = (await after.json()) as { access_count: number; last_accessed_at: string }
    expect(a.access_count).toBe(before + 2)
    expect(a.last_accessed_at).toMatch(/Z$/)
    const v1 = (await send("POST", "/v1/datasets", { generator: "spiral", params: { seed: 100 }, name: "runs" })).body
    const v2 = (await send("POST", "/v1/datasets", { generator: "spiral", params: { seed: 101 }, name: "runs" })).body
    expect([v1.meta.dataset_version, v2.meta.dataset_version]).toEqual([1, 2])
    const versions = (await send("GET", "/v1/datasets/versions?name=runs")).body
    expect(versions).toMatchObject({ dataset_name: "runs", total: 2, latest_version: 2 })
    expect((await send("GET", "/v1/datasets/latest?name=runs")).body.dataset_id).toBe(v2.dataset_id)
    expect(await send("GET", "/v1/datasets/latest?name=none")).toMatchObject({ status: 404, body: { detail: "No versions found for dataset 'none'" } })
    expect((await send("GET", "/v1/datasets/versions")).status).toBe(422)
  })
})
