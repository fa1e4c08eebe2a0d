import { Cause, Effect, Either, Exit, Option } from "effect"
import { spawn } from "node:child_process"
import { build } from "esbuild"
import * as fs from "node:fs"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { prepareDataset, runGenerator } from "../src/generators/index.js"
import { decodeNpz } from "../src/npz/index.js"
import type { StoredDatasetMeta } from "../src/schema.js"
import { buildDatasetMeta } from "../src/service/meta.js"
import {
  type DatasetStoreShape,
  makeInMemoryDatasetStore,
  makeLocalFsDatasetStore,
  validateDatasetId
} from "../src/store/index.js"

const dirs: Array<string> = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "juniper-store-"))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

const prepared = Either.getOrThrow(prepareDataset("spiral", {}))
const generated = Either.getOrThrow(runGenerator(prepared))
const request = { name: "n", description: null, created_by: null, parent_dataset_id: null, tags: ["a"], ttl_seconds: null }
const metaFor = (id: string, createdAt = new Date("2026-03-04T05:06:07.089Z")): StoredDatasetMeta => ({
  ...buildDatasetMeta(prepared, generated, request, createdAt),
  dataset_id: id
})
const artifact = Uint8Array.from([1, 2, 3, 4, 5])
const run = <A, E>(eff: Effect.Effect<A, E>) => Effect.runPromise(eff)
const fail = async <A, E>(eff: Effect.Effect<A, E>) => {
  const exit = await Effect.runPromiseExit(eff)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrow(Cause.failureOption(exit.cause))
}

describe("dataset id validation (§7)", () => {
  it.each(["spiral-1.0.0-20b8434af6769210", "a", "A.b_c-d", "x".repeat(128)])("accepts %s", (id) => {
    expect(Either.isRight(validateDatasetId(id, "/data"))).toBe(true)
  })
  it.each(["", ".hidden", "-x", "a..b", "../etc", "a/b", "a\\b", "x".repeat(129), "é", "a b", ".."])("rejects %j", (id) => {
    const r = validateDatasetId(id, "/data")
    expect(Either.isLeft(r) && r.left._tag).toBe("InvalidDatasetId")
  })
})

const suite = (name: string, make: () => Promise<DatasetStoreShape>) =>
  describe(`${name} store semantics`, () => {
    it("save → exists, getMeta, getArtifact, list, count", async () => {
      const store = await make()
      expect(await run(store.exists("ds-1"))).toBe(false)
      const saved = await run(store.save(metaFor("ds-1"), artifact))
      expect(saved.created).toBe(true)
      expect(await run(store.exists("ds-1"))).toBe(true)
      expect(await run(store.getMeta("ds-1"))).toEqual(metaFor("ds-1"))
      expect(Array.from(await run(store.getArtifact("ds-1")))).toEqual([1, 2, 3, 4, 5])
      expect(await run(store.list({ limit: 100, offset: 0 }))).toEqual(["ds-1"])
      expect(await run(store.count)).toBe(1)
      expect((await run(store.health)).healthy).toBe(true)
    })

    it("first writer wins, also for concurrent saves", async () => {
      const store = await make()
      const first = metaFor("same", new Date("2026-01-01T00:00:00Z"))
      await run(store.save(first, artifact))
      const again = await run(store.save(metaFor("same", new Date("2027-01-01T00:00:00Z")), Uint8Array.from([9])))
      expect(again.created).toBe(false)
      expect(again.meta.created_at).toEqual(first.created_at)
      expect(Array.from(await run(store.getArtifact("same")))).toEqual([1, 2, 3, 4, 5])
      const results = await run(
        Effect.all(
          Array.from({ length: 6 }, (_, i) => store.save(metaFor("race", new Date(Date.UTC(2026, 0, 1 + i))), artifact)),
          { concurrency: "unbounded" }
        )
      )
      expect(results.filter((r) => r.created)).toHaveLength(1)
      const winner = results.find((r) => r.created)!.meta.created_at
      for (const r of results) expect(r.meta.created_at).toEqual(winner)
    })

    it("list: sorted by meta file name, then offset/limit", async () => {
      const store = await make()
      for (const id of ["b", "a", "c-2", "c", "B"]) await run(store.save(metaFor(id), artifact))
      // "c-2.meta.json" < "c.meta.json" because '-' < '.'.
      expect(await run(store.list({ limit: 100, offset: 0 }))).toEqual(["B", "a", "b", "c-2", "c"])
      expect(await run(store.list({ limit: 2, offset: 1 }))).toEqual(["a", "b"])
      expect(await run(store.list({ limit: 10, offset: 10 }))).toEqual([])
      expect((await run(store.listMeta)).map((m) => m.dataset_id)).toEqual(["B", "a", "b", "c-2", "c"])
    })

    it("delete removes both files; a second delete is DatasetNotFound", async () => {
      const store = await make()
      await run(store.save(metaFor("gone"), artifact))
      await run(store.delete("gone"))
      expect(await run(store.exists("gone"))).toBe(false)
      expect(await fail(store.delete("gone"))).toMatchObject({ _tag: "DatasetNotFound", dataset_id: "gone" })
      expect(await fail(store.getMeta("gone"))).toMatchObject({ _tag: "DatasetNotFound" })
      expect(await fail(store.getArtifact("gone"))).toMatchObject({ _tag: "DatasetNotFound" })
    })

    it("recordAccess and updateMeta", async () => {
      const store = await make()
      await run(store.save(metaFor("acc"), artifact))
      await run(store.recordAccess("acc"))
      const m = await run(store.recordAccess("acc"))
      expect(m.access_count).toBe(2)
      expect(m.last_accessed_at).toBeInstanceOf(Date)
      expect((await run(store.getMeta("acc"))).access_count).toBe(2)
      const tagged = await run(store.updateMeta("acc", (x) => ({ ...x, tags: ["z", "a"], dataset_id: "ignored" })))
      expect(tagged.tags).toEqual(["z", "a"])
      expect(tagged.dataset_id).toBe("acc")
      expect(await fail(store.recordAccess("nope"))).toMatchObject({ _tag: "DatasetNotFound" })
    })

    it("invalid ids fail with InvalidDatasetId on every operation", async () => {
      const store = await make()
      for (const eff of [store.getMeta("../x"), store.getArtifact("a..b"), store.delete(".x"), store.exists("a/b"), store.save(metaFor("../evil"), artifact)]) {
        expect(await fail(eff as Effect.Effect<unknown, unknown>)).toMatchObject({ _tag: "InvalidDatasetId" })
      }
    })
  })

suite("InMemory", async () => makeInMemoryDatasetStore())
suite("LocalFS", () => run(makeLocalFsDatasetStore({ directory: tempDir() })))

describe("LocalFS specifics", () => {
  it("meta file: 2-space JSON, isoformat +00:00 datetimes, contract key order, access fields last", async () => {
    const dir = tempDir()
    const store = await run(makeLocalFsDatasetStore({ directory: dir }))
    await run(store.save(metaFor("fmt"), artifact))
    const text = fs.readFileSync(join(dir, "fmt.meta.json"), "utf8")
    expect(text.startsWith('{\n  "dataset_id": "fmt",\n  "generator": "spiral",')).toBe(true)
    expect(text).toContain('"created_at": "2026-03-04T05:06:07.089000+00:00"')
    const keys = Object.keys(JSON.parse(text))
    expect(keys.slice(-4)).toEqual(["ttl_seconds", "expires_at", "access_count", "last_accessed_at"])
    expect(fs.readFileSync(join(dir, "fmt.npz"))).toEqual(Buffer.from(artifact))
    expect(readdirSync(dir).sort()).toEqual(["fmt.meta.json", "fmt.npz"])
  })

  it("exists needs both files; an NPZ without meta is invisible", async () => {
    const dir = tempDir()
    const store = await run(makeLocalFsDatasetStore({ directory: dir }))
    fs.writeFileSync(join(dir, "half.npz"), "x")
    expect(await run(store.exists("half"))).toBe(false)
    expect(await fail(store.getArtifact("half"))).toMatchObject({ _tag: "DatasetNotFound" })
    expect(await run(store.list({ limit: 10, offset: 0 }))).toEqual([])
    // delete succeeds when only one of the files exists.
    await run(store.delete("half"))
    expect(fs.existsSync(join(dir, "half.npz"))).toBe(false)
  })

  it("two store instances (as two processes) racing on one id: one dataset", async () => {
    const dir = tempDir()
    const a = await run(makeLocalFsDatasetStore({ directory: dir }))
    const b = await run(makeLocalFsDatasetStore({ directory: dir }))
    const results = await run(
      Effect.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).save(metaFor("x", new Date(Date.UTC(2026, 0, 1 + i))), artifact)),
        { concurrency: "unbounded" }
      )
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(readdirSync(dir).sort()).toEqual(["x.meta.json", "x.npz"])
  })

  it("start-up sweep removes *.tmp and old orphan NPZs, keeps datasets", async () => {
    const dir = tempDir()
    const store = await run(makeLocalFsDatasetStore({ directory: dir }))
    await run(store.save(metaFor("keep"), artifact))
    fs.writeFileSync(join(dir, "keep.meta.json.999999-abcd.tmp"), "partial")
    fs.writeFileSync(join(dir, "old.npz.tmp"), "partial")
    // A temp file of a live writer in another process (our parent's pid stands in for it) is spared.
    const live = `busy.npz.${process.ppid}-ab.tmp`
    fs.writeFileSync(join(dir, live), "partial")
    fs.writeFileSync(join(dir, "orphan.npz"), "x")
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(join(dir, "orphan.npz"), old, old)
    fs.writeFileSync(join(dir, "fresh.npz"), "x")
    const restarted = await run(makeLocalFsDatasetStore({ directory: dir }))
    expect(readdirSync(dir).sort()).toEqual([live, "fresh.npz", "keep.meta.json", "keep.npz"])
    expect(await run(restarted.list({ limit: 10, offset: 0 }))).toEqual(["keep"])
    // The recent orphan may belong to a live writer; it is invisible and goes with a later sweep.
    expect(await run(restarted.exists("fresh"))).toBe(false)
    const report = await run(restarted.sweep)
    expect(report).toEqual({ removedTemp: [], removedOrphans: [] })
  })

  it("health: `<path> (<N> datasets)`, unhealthy when the directory is gone", async () => {
    const dir = tempDir()
    const store = await run(makeLocalFsDatasetStore({ directory: dir }))
    await run(store.save(metaFor("h"), artifact))
    expect(await run(store.health)).toEqual({ healthy: true, message: `${dir} (1 datasets)`, datasets: 1 })
    fs.rmSync(dir, { recursive: true })
    expect(await run(store.health)).toMatchObject({ healthy: false, message: `${dir} not found or not a directory` })
    expect(await fail(store.list({ limit: 1, offset: 0 }))).toMatchObject({ _tag: "StorageError" })
  })
})

describe("crash safety", () => {
  it("a writer SIGKILLed mid-write leaves no half-written dataset visible after restart", async () => {
    const bundle = join(tempDir(), "store-writer.mjs")
    await build({
      entryPoints: [new URL("./helpers/store-writer.ts", import.meta.url).pathname],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bundle,
      logLevel: "silent"
    })
    let interrupted = 0
    for (let attempt = 0; attempt < 3 && interrupted === 0; attempt++) {
      const dir = tempDir()
      const child = spawn(process.execPath, [bundle, dir], { stdio: ["ignore", "pipe", "inherit"] })
      let saved = 0
      child.stdout.on("data", (b: Buffer) => (saved += b.toString().split("\n").filter((l) => l.startsWith("saved")).length))
      const exited = new Promise((r) => child.on("exit", r))
      // Kill as soon as a temp file is being written, once at least one dataset is complete.
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 30_000
        const poll = () => {
          if (Date.now() > deadline) return reject(new Error("writer never got going"))
          if (saved >= 1 && readdirSync(dir).some((n) => n.endsWith(".tmp"))) {
            child.kill("SIGKILL")
            return resolve()
          }
          setTimeout(poll, 1)
        }
        poll()
      })
      await exited
      if (readdirSync(dir).some((n) => n.endsWith(".tmp"))) interrupted++

      const store = await run(makeLocalFsDatasetStore({ directory: dir, orphanGraceMs: 0 }))
      const left = readdirSync(dir)
      expect(left.filter((n) => n.endsWith(".tmp"))).toEqual([])
      const ids = await run(store.list({ limit: 1000, offset: 0 }))
      expect(ids.length).toBeGreaterThanOrEqual(1)
      expect(await run(store.count)).toBe(ids.length)
      for (const id of ids) {
        expect(await run(store.exists(id))).toBe(true)
        const meta = await run(store.getMeta(id))
        expect(meta.dataset_id).toBe(id)
        const npz = Either.getOrThrow(decodeNpz(await run(store.getArtifact(id))))
        expect(npz["X_full"]!.data.length).toBe(4_000_000)
        expect((npz["X_full"]!.data as Float32Array)[3_999_999]).toBe(3_999_999)
      }
    }
    expect(interrupted).toBeGreaterThanOrEqual(1)
  })
})
