/**
 * The snapshot store: one file per snapshot in a directory (./format.ts), written atomically (a temp file in the
 * same directory, fsync, rename, fsync of the directory), so a crash at any point leaves either the previous state or
 * the complete new file; temp files left by a crash are swept at start-up. An in-memory index of the headers makes
 * listing cheap however many files there are.
 */
import { createHash, randomBytes } from "node:crypto"
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Context, Effect, Either, Layer, ParseResult, Schema } from "effect"
import { SNAPSHOT_ID_PATTERN, type SnapshotMeta } from "../api/schema.js"
import { badRequest, SessionInternal, SessionInvalid, SessionNotFound } from "../session/errors.js"
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotBody,
  type SnapshotBodyEncoded,
  SnapshotHeader,
  type StoredMeta
} from "./format.js"

export interface SnapshotStoreOptions {
  readonly directory: string
  /** Auto snapshots kept (oldest removed first); manual ones are never pruned. */
  readonly autoRetain: number
  /** Test hook: pause this many ms between the body's chunks while writing (simulates a slow disk). */
  readonly writeDelayMs?: number
}

export interface SaveInput {
  readonly kind: "manual" | "auto"
  readonly description: string
  readonly meta: Omit<StoredMeta, "snapshot_id" | "created_at" | "description" | "kind" | "path" | "format" | "format_version" | "size_bytes">
  readonly body: SnapshotBodyEncoded
}

export interface SnapshotStoreShape {
  readonly directory: string
  readonly save: (input: SaveInput) => Effect.Effect<SnapshotMeta, SessionInternal>
  /** Newest first. */
  readonly list: (options?: { readonly limit?: number; readonly offset?: number }) => Effect.Effect<{ snapshots: Array<SnapshotMeta>; total: number }>
  readonly meta: (id: string) => Effect.Effect<SnapshotMeta, SessionNotFound | SessionInvalid>
  /** The verified body; a corrupt file is a 422 naming the reason. */
  readonly load: (id: string) => Effect.Effect<{ meta: SnapshotMeta; body: SnapshotBody }, SessionNotFound | SessionInvalid>
  readonly remove: (id: string) => Effect.Effect<void, SessionNotFound | SessionInvalid | SessionInternal>
}

export class SnapshotStore extends Context.Tag("@juniper/cascor/SnapshotStore")<SnapshotStore, SnapshotStoreShape>() {}

const pad = (n: number, w = 2) => String(n).padStart(w, "0")
/** `cascor_snapshot_YYYYmmdd_HHMMSS_<12 hex>` (upstream's naming, without the .h5). */
export const newSnapshotId = (d = new Date()): string =>
  `cascor_snapshot_${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}_${randomBytes(6).toString("hex")}`

const isTemp = (name: string) => name.startsWith(".") && name.includes(".tmp-")
const fileOf = (dir: string, id: string) => join(dir, `${id}.json`)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads the header line of a file (the first line; headers are small). */
const readHeader = async (file: string): Promise<{ header: SnapshotHeader; offset: number; size: number } | string> => {
  const fh = await open(file, "r")
  try {
    const { size } = await fh.stat()
    const buf = Buffer.alloc(Math.min(size, 1 << 16))
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0)
    const nl = buf.subarray(0, bytesRead).indexOf(10)
    if (nl < 0) return "no header line"
    let raw: unknown
    try {
      raw = JSON.parse(buf.subarray(0, nl).toString("utf8"))
    } catch {
      return "the header is not JSON"
    }
    const decoded = Schema.decodeUnknownEither(SnapshotHeader)(raw)
    if (Either.isLeft(decoded)) return `bad header: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left).split("\n")[0]}`
    return { header: decoded.right, offset: nl + 1, size }
  } finally {
    await fh.close()
  }
}

export const makeSnapshotStore = (o: SnapshotStoreOptions): Effect.Effect<SnapshotStoreShape, SessionInternal> =>
  Effect.gen(function* () {
    const dir = resolve(o.directory)
    const index = new Map<string, StoredMeta>()
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true })
        for (const name of await readdir(dir)) {
          if (isTemp(name)) {
            await rm(join(dir, name), { force: true }) // a write interrupted by a crash
            continue
          }
          if (!name.endsWith(".json")) continue
          const id = name.slice(0, -5)
          if (!SNAPSHOT_ID_PATTERN.test(id)) continue
          const h = await readHeader(join(dir, name)).catch((e: Error) => e.message)
          // A corrupt file stays listed (so that it can be inspected and deleted); restore reports why.
          index.set(
            id,
            typeof h === "string"
              ? { snapshot_id: id, created_at: new Date(0).toISOString(), description: `unreadable: ${h}`, network: { input_size: 0, output_size: 0, hidden_units: 0 }, kind: "manual" }
              : { ...h.header.meta, size_bytes: h.size }
          )
        }
      },
      catch: (e) => new SessionInternal({ message: `snapshot directory ${dir}: ${String(e)}` })
    })

    const publicMeta = (m: StoredMeta): SnapshotMeta => ({ ...m, path: fileOf(dir, m.snapshot_id) })
    const checkId = (id: string) => (SNAPSHOT_ID_PATTERN.test(id) ? Effect.void : Effect.fail(badRequest(`Invalid snapshot id '${id.slice(0, 200)}'`)))
    const known = (id: string) =>
      Effect.flatMap(checkId(id), () => {
        const m = index.get(id)
        return m ? Effect.succeed(m) : Effect.fail(new SessionNotFound({ message: `Snapshot '${id}' not found` }))
      })

    const write = async (id: string, headerLine: string, body: string) => {
      const tmp = join(dir, `.${id}.json.tmp-${process.pid}-${randomBytes(4).toString("hex")}`)
      const fh = await open(tmp, "wx", 0o644)
      try {
        await fh.write(headerLine)
        const delay = o.writeDelayMs ?? 0
        if (delay > 0) {
          const step = Math.max(1, Math.ceil(body.length / 8))
          for (let i = 0; i < body.length; i += step) {
            await fh.write(body.slice(i, i + step))
            await sleep(delay)
          }
        } else await fh.write(body)
        await fh.sync()
      } catch (e) {
        await fh.close().catch(() => undefined)
        await rm(tmp, { force: true })
        throw e
      }
      await fh.close()
      await rename(tmp, fileOf(dir, id))
      const d = await open(dir, "r")
      try {
        await d.sync()
      } finally {
        await d.close()
      }
    }

    const prune = Effect.promise(async () => {
      const autos = [...index.values()].filter((m) => m.kind === "auto").sort((a, b) => (a.created_at < b.created_at ? -1 : 1))
      while (autos.length > Math.max(0, o.autoRetain)) {
        const m = autos.shift()!
        index.delete(m.snapshot_id)
        await rm(fileOf(dir, m.snapshot_id), { force: true })
      }
    })

    const store: SnapshotStoreShape = {
      directory: dir,
      save: (input) =>
        Effect.gen(function* () {
          const now = new Date()
          const id = newSnapshotId(now)
          const body = JSON.stringify(input.body)
          const meta: StoredMeta = {
            ...input.meta,
            snapshot_id: id,
            created_at: now.toISOString(),
            description: input.description,
            kind: input.kind,
            format: SNAPSHOT_FORMAT,
            format_version: SNAPSHOT_FORMAT_VERSION
          }
          const header: SnapshotHeader = {
            format: SNAPSHOT_FORMAT,
            format_version: SNAPSHOT_FORMAT_VERSION,
            meta,
            body_bytes: Buffer.byteLength(body),
            body_sha256: createHash("sha256").update(body).digest("hex")
          }
          const headerLine = `${JSON.stringify(header)}\n`
          yield* Effect.tryPromise({
            try: () => write(id, headerLine, body),
            catch: (e) => new SessionInternal({ message: `Failed to write snapshot: ${String(e)}` })
          })
          const stored = { ...meta, size_bytes: Buffer.byteLength(headerLine) + header.body_bytes }
          index.set(id, stored)
          if (input.kind === "auto") yield* prune
          return publicMeta(stored)
        }),
      list: (options = {}) =>
        Effect.sync(() => {
          const all = [...index.values()].sort((a, b) =>
            a.created_at === b.created_at ? (a.snapshot_id < b.snapshot_id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1
          )
          const offset = options.offset ?? 0
          const page = all.slice(offset, options.limit === undefined ? undefined : offset + options.limit)
          return { snapshots: page.map(publicMeta), total: all.length }
        }),
      meta: (id) => Effect.map(known(id), publicMeta),
      load: (id) =>
        Effect.gen(function* () {
          yield* known(id)
          const file = fileOf(dir, id)
          const corrupt = (reason: string) =>
            new SessionInvalid({
              message: `Snapshot '${id}' is corrupt: ${reason}`,
              status: 422,
              issues: [{ type: "value_error", loc: ["path", "id"], msg: `corrupt snapshot: ${reason}`, input: id }]
            })
          const bytes = yield* Effect.tryPromise({ try: () => readFile(file), catch: () => new SessionNotFound({ message: `Snapshot '${id}' not found` }) })
          const nl = bytes.indexOf(10)
          if (nl < 0) return yield* Effect.fail(corrupt("no header line"))
          let rawHeader: unknown
          try {
            rawHeader = JSON.parse(bytes.subarray(0, nl).toString("utf8"))
          } catch {
            return yield* Effect.fail(corrupt("the header is not JSON"))
          }
          const header = Schema.decodeUnknownEither(SnapshotHeader)(rawHeader)
          if (Either.isLeft(header)) return yield* Effect.fail(corrupt("unknown format or version"))
          const bodyBytes = bytes.subarray(nl + 1)
          if (bodyBytes.length !== header.right.body_bytes)
            return yield* Effect.fail(corrupt(`truncated body (${bodyBytes.length} of ${header.right.body_bytes} bytes)`))
          if (createHash("sha256").update(bodyBytes).digest("hex") !== header.right.body_sha256) return yield* Effect.fail(corrupt("checksum mismatch"))
          let raw: unknown
          try {
            raw = JSON.parse(bodyBytes.toString("utf8"))
          } catch {
            return yield* Effect.fail(corrupt("the body is not JSON"))
          }
          const body = Schema.decodeUnknownEither(SnapshotBody)(raw)
          if (Either.isLeft(body)) return yield* Effect.fail(corrupt(ParseResult.TreeFormatter.formatErrorSync(body.left).split("\n").slice(0, 3).join(" ")))
          return { meta: publicMeta({ ...header.right.meta, size_bytes: bytes.length }), body: body.right }
        }),
      remove: (id) =>
        Effect.gen(function* () {
          yield* known(id)
          yield* Effect.tryPromise({
            try: () => rm(fileOf(dir, id), { force: true }),
            catch: (e) => new SessionInternal({ message: `Failed to delete snapshot: ${String(e)}` })
          })
          index.delete(id)
        })
    }
    return store
  })

export const layerSnapshotStore = (o: SnapshotStoreOptions): Layer.Layer<SnapshotStore, SessionInternal> =>
  Layer.effect(SnapshotStore, makeSnapshotStore(o))

/** Exists for tests: true when the directory holds temp files (an interrupted write). */
export const hasTempFiles = async (dir: string): Promise<boolean> =>
  (await readdir(dir).catch(() => [] as Array<string>)).some(isTemp) && (await stat(dir)).isDirectory()
