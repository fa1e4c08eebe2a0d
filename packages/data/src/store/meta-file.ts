// The `.meta.json` format: StoredDatasetMeta, 2-space-indented, isoformat `+00:00` datetimes (§8.1).
import { Effect, Schema } from "effect"
import { StorageError } from "../errors.js"
import { StoredDatasetMeta } from "../schema.js"

const encode = Schema.encodeSync(StoredDatasetMeta)
const decode = Schema.decodeUnknown(Schema.parseJson(StoredDatasetMeta))

export const metaToJson = (meta: StoredDatasetMeta): string => JSON.stringify(encode(meta), null, 2)

export const metaFromJson = (text: string, where: string): Effect.Effect<StoredDatasetMeta, StorageError> =>
  decode(text).pipe(Effect.mapError((e) => new StorageError({ operation: "read meta", reason: `${where}: ${e.message}` })))
