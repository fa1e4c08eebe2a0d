// Request → validated params → dataset id → generated arrays. Pure (no I/O), so the service, the fake client
// and the benchmark share it.
import { Either } from "effect"
import { canonicalString, datasetIdFromCanonical, randomNonce } from "../dataset-id/dataset-id.js"
import type { PyValue } from "../dataset-id/python-json.js"
import { GenerationFailed, InvalidParameters, type UnknownGenerator } from "../errors.js"
import { defaultRng } from "../rng/random.js"
import { DEFAULT_GENERATOR_SEED, type SplitParams } from "./params.js"
import { resolveGenerator } from "./registry.js"
import { type GeneratedDataset, splitDataset } from "./split.js"
import type { AnyGenerator } from "./types.js"

export interface PreparedDataset {
  readonly generator: AnyGenerator
  /** The validated params (canonical names, defaults filled). */
  readonly params: SplitParams & Readonly<Record<string, unknown>>
  /** The params stored in DatasetMeta.params (extension fields only when not at their default). */
  readonly metaParams: Readonly<Record<string, unknown>>
  readonly canonicalParams: Readonly<Record<string, PyValue>>
  /** Set when the seed is null (§7). */
  readonly nonce: string | undefined
  readonly canonical: string
  readonly datasetId: string
}

export interface PrepareOptions {
  /** JUNIPER_DATA_DEFAULT_GENERATOR_SEED; 42 when absent. */
  readonly defaultSeed?: number
}

/** Resolve the generator, validate the params and compute the dataset id (D1 steps 1–3). */
export const prepareDataset = (
  generatorName: string,
  rawParams: unknown,
  options: PrepareOptions = {}
): Either.Either<PreparedDataset, UnknownGenerator | InvalidParameters> =>
  Either.flatMap(resolveGenerator(generatorName), (generator) =>
    Either.map(
      Either.mapLeft(
        generator.params.validate(rawParams ?? {}, options.defaultSeed ?? DEFAULT_GENERATOR_SEED),
        (issues) => new InvalidParameters({ generator: generator.name, issues })
      ),
      (params: SplitParams & Record<string, unknown>) => {
        const canonicalParams = generator.params.canonical(params)
        const nonce = params.seed === null ? randomNonce() : undefined
        const canonical = canonicalString(generator.name, generator.version, canonicalParams, nonce)
        return {
          generator,
          params,
          metaParams: generator.params.metaParams(params),
          canonicalParams,
          nonce,
          canonical,
          datasetId: datasetIdFromCanonical(generator.name, generator.version, canonical)
        }
      }
    )
  )

/** Run the generator and the split (D1 step 4). Seeds NumPy rejects (negative) fail like upstream: 400. */
export const runGenerator = (prepared: PreparedDataset): Either.Either<GeneratedDataset, GenerationFailed> => {
  const { generator, params } = prepared
  const fail = (reason: string) => Either.left(new GenerationFailed({ generator: generator.name, reason }))
  if (params.seed !== null && params.seed < 0) return fail("expected non-negative integer seed")
  try {
    return Either.flatMap(
      Either.mapLeft(generator.generate(params, defaultRng(params.seed)), (reason) => new GenerationFailed({ generator: generator.name, reason })),
      (raw) => Either.right(splitDataset(raw, params))
    )
  } catch (e) {
    // Pure numeric code only throws on sizes it cannot represent (RangeError); report, do not crash.
    return fail(e instanceof Error ? e.message : String(e))
  }
}
