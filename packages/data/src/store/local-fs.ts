// The LocalFS DatasetStore (§8.1): `{id}.npz` + `{id}.meta.json` in one directory.
//
// Crash safety: every file is written to a unique `*.tmp`, fsynced, then moved into place; the NPZ first,
// the meta last. A dataset is visible only once its meta exists, so a writer killed at any point leaves
// nothing half-written in view; the start-up sweep removes its leftovers (`*.tmp`, NPZ without meta).
// First writer wins: the meta is published with link(2), which fails if the name exists.
import { Clock, Effect, Layer, Option } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import { join, resolve } from "node:path"
import { compareCodePoints } from "../dataset-id/python-json.js"
import { DatasetNotFound, StorageError } from "../errors.js"
import type { StoredDatasetMeta } from "../schema.js"
import { checkDatasetId } from "./dataset-id-check.js"
import { DatasetStore, type DatasetStoreShape } from "./dataset-store.js"
import { metaFromJson, metaToJson } from "./meta-file.js"

export interface LocalFsOptions {
  /** JUNIPER_DATA_STORAGE_PATH; created if missing. */
  readonly directory: string
  /** Run the start-up sweep (default true). */
  readonly sweep?: boolean
  /** An NPZ without meta younger than this may belong to a live writer in another process (default 10 s). */
  readonly orphanGraceMs?: number
  /** fsync files before publishing them (default true). */
  readonly fsync?: boolean
}

export interface SweepReport {
  readonly removedTemp: ReadonlyArray<string>
  readonly removedOrphans: ReadonlyArray<string>
}

const META = ".meta.json"
const NPZ = ".npz"

const code = (e: unknown): string | undefined => (e as { code?: string } | null)?.code
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const io = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, StorageError> =>
  Effect.tryPromise({ try: f, catch: (e) => new StorageError({ operation, reason: reason(e) }) })

/** ENOENT becomes None. */
const ioOptional = <A>(operation: string, f: () => Promise<A>): Effect.Effect<Option.Option<A>, StorageError> =>
  io(operation, async () => {
    try {
      return Option.some(await f())
    } catch (e) {
      if (code(e) === "ENOENT") return Option.none()
      throw e
    }
  })

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return code(e) === "EPERM"
  }
}

// Temp names carry the writer's pid so that the sweep can spare a live writer's files.
const TEMP = /\.(\d+)-[0-9a-f]+\.tmp$/

const hash = (s: string): number => {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h >>> 0
}

export const makeLocalFsDatasetStore = (
  options: LocalFsOptions
): Effect.Effect<DatasetStoreShape & { readonly sweep: Effect.Effect<SweepReport, StorageError> }, StorageError> =>
  Effect.gen(function* () {
    const dir = resolve(options.directory)
    const doSync = options.fsync ?? true
    const grace = options.orphanGraceMs ?? 10_000
    yield* io("create storage directory", () => fs.mkdir(dir, { recursive: true }))

    const metaPath = (id: string) => join(dir, id + META)
    const npzPath = (id: string) => join(dir, id + NPZ)
    // In-process: one writer per id at a time (striped, so the lock table stays bounded).
    const locks = Array.from({ length: 64 }, () => Effect.unsafeMakeSemaphore(1))
    const withLock = <A, E>(id: string, eff: Effect.Effect<A, E>) => locks[hash(id) % locks.length]!.withPermits(1)(eff)
    const valid = (id: string) => checkDatasetId(id, dir)

    /** Write to a unique temp file, fsync, then publish: "replace" renames over, "exclusive" never overwrites. */
    const writeAtomic = (final: string, data: Uint8Array | string, mode: "replace" | "exclusive") =>
      io(`write ${final}`, async () => {
        const tmp = `${final}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`
        try {
          const fh = await fs.open(tmp, "wx")
          try {
            await fh.writeFile(data)
            if (doSync) await fh.datasync()
          } finally {
            await fh.close()
          }
          if (mode === "replace") {
            await fs.rename(tmp, final)
            return true
          }
          try {
            await fs.link(tmp, final)
          } catch (e) {
            if (code(e) === "EEXIST") return false
            // Filesystems without hard links: check, then rename (racy only across processes).
            if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].includes(code(e) ?? "")) throw e
            if (await fs.stat(final).then(() => true, () => false)) return false
            await fs.rename(tmp, final)
            return true
          }
          return true
        } finally {
          await fs.rm(tmp, { force: true })
        }
      })

    const readMeta = (id: string): Effect.Effect<StoredDatasetMeta, DatasetNotFound | StorageError> =>
      Effect.flatMap(
        ioOptional("read meta", () => fs.readFile(metaPath(id), "utf8")),
        (text): Effect.Effect<StoredDatasetMeta, DatasetNotFound | StorageError> =>
          Option.isNone(text) ? Effect.fail(new DatasetNotFound({ dataset_id: id })) : metaFromJson(text.value, id + META)
      )

    const fileExists = (path: string) => Effect.map(ioOptional("stat", () => fs.stat(path)), Option.isSome)

    const sortedMetaNames = Effect.map(io("list storage directory", () => fs.readdir(dir)), (names) =>
      names.filter((n) => n.endsWith(META)).sort(compareCodePoints)
    )

    const update = (id: string, f: (m: StoredDatasetMeta) => StoredDatasetMeta) =>
      Effect.flatMap(valid(id), () =>
        withLock(
          id,
          Effect.gen(function* () {
            const next = { ...f(yield* readMeta(id)), dataset_id: id }
            yield* writeAtomic(metaPath(id), metaToJson(next), "replace")
            return next
          })
        )
      )

    const sweep = Effect.gen(function* () {
      const names = yield* io("list storage directory", () => fs.readdir(dir))
      const present = new Set(names)
      const removedTemp: Array<string> = []
      const removedOrphans: Array<string> = []
      const now = yield* Clock.currentTimeMillis
      for (const name of names) {
        if (name.endsWith(".tmp")) {
          const pid = Number(TEMP.exec(name)?.[1] ?? NaN)
          if (pid !== process.pid && Number.isFinite(pid) && pidAlive(pid)) continue
          yield* io("remove temp file", () => fs.rm(join(dir, name), { force: true }))
          removedTemp.push(name)
        } else if (name.endsWith(NPZ) && !present.has(name.slice(0, -NPZ.length) + META)) {
          const st = yield* ioOptional("stat", () => fs.stat(join(dir, name)))
          if (Option.isSome(st) && now - st.value.mtimeMs < grace) continue
          yield* io("remove orphan artifact", () => fs.rm(join(dir, name), { force: true }))
          removedOrphans.push(name)
        }
      }
      if (removedTemp.length + removedOrphans.length > 0) {
        yield* Effect.logInfo("storage sweep removed leftovers", { removedTemp, removedOrphans })
      }
      return { removedTemp, removedOrphans }
    })

    const store: DatasetStoreShape & { readonly sweep: Effect.Effect<SweepReport, StorageError> } = {
      location: options.directory,
      sweep,
      save: (meta, artifact) =>
        Effect.flatMap(valid(meta.dataset_id), (id) =>
          withLock(
            id,
            Effect.gen(function* () {
              const existing = yield* Effect.option(readMeta(id))
              if (Option.isSome(existing) && (yield* fileExists(npzPath(id)))) {
                return { created: false, meta: existing.value }
              }
              yield* writeAtomic(npzPath(id), artifact, "replace")
              const won = yield* writeAtomic(metaPath(id), metaToJson(meta), "exclusive")
              if (won) return { created: true, meta }
              // Another process published first: report its dataset.
              const stored = yield* Effect.catchTag(readMeta(id), "DatasetNotFound", () =>
                Effect.fail(new StorageError({ operation: "save", reason: `${id}: meta vanished during save` }))
              )
              return { created: false, meta: stored }
            })
          )
        ),
      exists: (id) =>
        Effect.flatMap(valid(id), () =>
          Effect.zipWith(fileExists(metaPath(id)), fileExists(npzPath(id)), (a, b) => a && b)
        ),
      getMeta: (id) => Effect.flatMap(valid(id), readMeta),
      getArtifact: (id) =>
        Effect.gen(function* () {
          yield* valid(id)
          // Visible only with its meta: an NPZ alone is a write in progress or a crash leftover.
          if (!(yield* fileExists(metaPath(id)))) return yield* Effect.fail(new DatasetNotFound({ dataset_id: id }))
          const bytes = yield* ioOptional("read artifact", () => fs.readFile(npzPath(id)))
          if (Option.isNone(bytes)) return yield* Effect.fail(new DatasetNotFound({ dataset_id: id }))
          return new Uint8Array(bytes.value.buffer, bytes.value.byteOffset, bytes.value.byteLength)
        }),
      recordAccess: (id) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          update(id, (m) => ({ ...m, access_count: m.access_count + 1, last_accessed_at: new Date(now) }))
        ),
      updateMeta: update,
      list: ({ limit, offset }) =>
        Effect.map(sortedMetaNames, (names) => names.slice(offset, offset + limit).map((n) => n.slice(0, -META.length))),
      listMeta: Effect.gen(function* () {
        const out: Array<StoredDatasetMeta> = []
        for (const name of yield* sortedMetaNames) {
          const id = name.slice(0, -META.length)
          const meta = yield* readMeta(id).pipe(
            Effect.map(Option.some),
            Effect.catchTag("DatasetNotFound", () => Effect.succeed(Option.none())),
            Effect.catchTag("StorageError", (e) =>
              Effect.as(Effect.logWarning("skipping unreadable meta", e.reason), Option.none())
            )
          )
          if (Option.isSome(meta)) out.push(meta.value)
        }
        return out
      }),
      delete: (id) =>
        Effect.flatMap(valid(id), () =>
          withLock(
            id,
            Effect.gen(function* () {
              // Meta first: the dataset disappears from view before its artifact does.
              const hadMeta = yield* fileExists(metaPath(id))
              yield* io("delete meta", () => fs.rm(metaPath(id), { force: true }))
              const hadNpz = yield* fileExists(npzPath(id))
              yield* io("delete artifact", () => fs.rm(npzPath(id), { force: true }))
              if (!hadMeta && !hadNpz) return yield* Effect.fail(new DatasetNotFound({ dataset_id: id }))
            })
          )
        ),
      count: Effect.map(io("list storage directory", () => fs.readdir(dir)), (names) => names.filter((n) => n.endsWith(NPZ)).length),
      health: Effect.gen(function* () {
        const st = yield* Effect.option(io("stat storage directory", () => fs.stat(dir)))
        if (Option.isNone(st) || !st.value.isDirectory()) {
          return { healthy: false, message: `${options.directory} not found or not a directory`, datasets: 0 }
        }
        const n = yield* Effect.orElseSucceed(store.count, () => 0)
        return { healthy: true, message: `${options.directory} (${n} datasets)`, datasets: n }
      })
    }
    if (options.sweep ?? true) yield* sweep
    return store
  })

/** The LocalFS store as a Layer: creates the directory and sweeps leftovers at build time. */
export const LocalFsDatasetStoreLayer = (options: LocalFsOptions): Layer.Layer<DatasetStore, StorageError> =>
  Layer.effect(DatasetStore, makeLocalFsDatasetStore(options))
