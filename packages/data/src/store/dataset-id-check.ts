// Dataset id validation (§7): fully matches [A-Za-z0-9][A-Za-z0-9._-]{0,127}, contains no "..", and the
// files it names resolve inside the storage directory.
import { Effect, Either } from "effect"
import { relative, resolve, isAbsolute } from "node:path"
import { InvalidDatasetId } from "../errors.js"

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export const validateDatasetId = (id: string, directory?: string): Either.Either<string, InvalidDatasetId> => {
  const fail = (reason: string) => Either.left(new InvalidDatasetId({ dataset_id: id, reason }))
  if (!ID_PATTERN.test(id)) return fail("must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}")
  if (id.includes("..")) return fail("must not contain '..'")
  if (directory !== undefined) {
    const rel = relative(resolve(directory), resolve(directory, `${id}.meta.json`))
    if (rel.startsWith("..") || isAbsolute(rel) || rel.includes("/") || rel.includes("\\")) {
      return fail("resolves outside the storage directory")
    }
  }
  return Either.right(id)
}

/** The Effect form, for store operations. */
export const checkDatasetId = (id: string, directory?: string): Effect.Effect<string, InvalidDatasetId> =>
  Either.match(validateDatasetId(id, directory), { onLeft: Effect.fail, onRight: Effect.succeed })
