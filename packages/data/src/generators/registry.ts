// The generator registry in the contract's order (§5), and the info that G1/G2 serve (§3.4).
import { Either } from "effect"
import { UnknownGenerator } from "../errors.js"
import { checkerboard } from "./checkerboard.js"
import { circles } from "./circles.js"
import { gaussian } from "./gaussian.js"
import { moon } from "./moon.js"
import { DEFAULT_GENERATOR_SEED } from "./params.js"
import { spiral } from "./spiral.js"
import type { AnyGenerator } from "./types.js"
import { xor } from "./xor.js"

export const GENERATORS: ReadonlyArray<AnyGenerator> = [spiral, xor, gaussian, circles, moon, checkerboard]
export const GENERATOR_NAMES: ReadonlyArray<string> = GENERATORS.map((g) => g.name)

const byName = new Map(GENERATORS.map((g) => [g.name, g]))

export const findGenerator = (name: string): AnyGenerator | undefined => byName.get(name)

export const resolveGenerator = (name: string): Either.Either<AnyGenerator, UnknownGenerator> => {
  const g = byName.get(name)
  return g ? Either.right(g) : Either.left(new UnknownGenerator({ generator: name, available: GENERATOR_NAMES }))
}

/** GeneratorInfo as served by G1 (plain JSON; see schema.ts for its Schema). */
export interface GeneratorInfoJson {
  readonly name: string
  readonly version: string
  readonly description: string
  readonly available: boolean
  readonly install_hint: string | null
  readonly schema: Record<string, unknown>
}

export const generatorInfo = (g: AnyGenerator, defaultSeed = DEFAULT_GENERATOR_SEED): GeneratorInfoJson => ({
  name: g.name,
  version: g.version,
  description: g.description,
  available: true,
  install_hint: null,
  schema: g.params.jsonSchema(defaultSeed)
})

export const listGeneratorInfo = (defaultSeed = DEFAULT_GENERATOR_SEED): ReadonlyArray<GeneratorInfoJson> =>
  GENERATORS.map((g) => generatorInfo(g, defaultSeed))
