/** An in-memory SnapshotStore for the fake (same metadata, ids, ordering and failures as the file store). */
import { Effect, Either, ParseResult, Schema } from "effect"
import { SNAPSHOT_ID_PATTERN, type SnapshotMeta } from "../../api/schema.js"
import { badRequest, SessionInvalid, SessionNotFound } from "../../session/errors.js"
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, SnapshotBody } from "../../snapshots/format.js"
import { newSnapshotId, type SnapshotStoreShape } from "../../snapshots/store.js"

export const makeMemorySnapshotStore = (directory = "memory://snapshots"): SnapshotStoreShape => {
  const entries = new Map<string, { readonly meta: SnapshotMeta; readonly body: string }>()
  type Entry = { readonly meta: SnapshotMeta; readonly body: string }
  const known = (id: string): Effect.Effect<Entry, SessionNotFound | SessionInvalid> =>
    !SNAPSHOT_ID_PATTERN.test(id)
      ? Effect.fail(badRequest(`Invalid snapshot id '${id.slice(0, 200)}'`))
      : Effect.suspend(() => {
          const e = entries.get(id)
          return e ? Effect.succeed(e) : Effect.fail(new SessionNotFound({ message: `Snapshot '${id}' not found` }))
        })
  return {
    directory,
    save: (input) =>
      Effect.sync(() => {
        const now = new Date()
        const id = newSnapshotId(now)
        const body = JSON.stringify(input.body)
        const meta: SnapshotMeta = {
          ...input.meta,
          snapshot_id: id,
          path: `${directory}/${id}.json`,
          created_at: now.toISOString(),
          description: input.description,
          kind: input.kind,
          format: SNAPSHOT_FORMAT,
          format_version: SNAPSHOT_FORMAT_VERSION,
          size_bytes: Buffer.byteLength(body)
        }
        entries.set(id, { meta, body })
        return meta
      }),
    list: (options = {}) =>
      Effect.sync(() => {
        const all = [...entries.values()].map((e) => e.meta).sort((a, b) =>
          a.created_at === b.created_at ? (a.snapshot_id < b.snapshot_id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1
        )
        const offset = options.offset ?? 0
        return { snapshots: all.slice(offset, options.limit === undefined ? undefined : offset + options.limit), total: all.length }
      }),
    meta: (id) => Effect.map(known(id), (e) => e.meta),
    load: (id) =>
      Effect.flatMap(known(id), (e) => {
        const body = Schema.decodeUnknownEither(SnapshotBody)(JSON.parse(e.body))
        return Either.isLeft(body)
          ? Effect.fail(
              new SessionInvalid({
                message: `Snapshot '${id}' is corrupt: ${ParseResult.TreeFormatter.formatErrorSync(body.left).split("\n")[0]}`,
                status: 422,
                issues: []
              })
            )
          : Effect.succeed({ meta: e.meta, body: body.right })
      }),
    remove: (id) => Effect.map(known(id), () => void entries.delete(id))
  }
}
