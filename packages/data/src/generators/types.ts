import type { Either } from "effect"
import type { NumpyRandom } from "../rng/random.js"
import type { ParamSpec, SplitParams } from "./params.js"

/** Points and class indices in generation order, before the split. */
export interface RawDataset {
  /** N×F, row-major, already cast to float32. */
  readonly X: Float32Array
  /** Class index per row. */
  readonly labels: Uint8Array
  readonly nSamples: number
  readonly nFeatures: number
  readonly nClasses: number
}

export interface GeneratorDefinition<P extends SplitParams> {
  readonly name: string
  readonly version: string
  readonly description: string
  readonly params: ParamSpec<P>
  /**
   * The generator's maths on an rng already seeded with `params.seed`. Left = a semantic failure that the
   * HTTP layer reports as 400 `Invalid request parameters` (e.g. gaussian centres of the wrong shape).
   */
  readonly generate: (params: P, rng: NumpyRandom) => Either.Either<RawDataset, string>
}

/** A generator with its params type forgotten, for the registry. */
export type AnyGenerator = GeneratorDefinition<any>

export const GENERATOR_VERSION = "1.0.0"
