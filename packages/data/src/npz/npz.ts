// NPZ = a ZIP (deflate) of `<key>.npy` members, loadable with np.load(..., allow_pickle=False) (§8.2).
import { Either } from "effect"
import { unzipSync } from "fflate"
import { type GeneratedDataset, TABULAR_KEYS } from "../generators/split.js"
import { decodeNpy, encodeNpy, type NpyArray } from "./npy.js"
import { zipDeflate } from "./zip.js"

export interface NpzOptions {
  /** Deflate level 0–9. Float data barely compresses, so a low level buys speed at little cost in size. */
  readonly level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
}

/** Members are written in the given order, deflated, with a fixed timestamp (equal data → equal bytes). */
export const encodeNpz = (members: ReadonlyArray<readonly [string, NpyArray]>, options: NpzOptions = {}): Uint8Array =>
  zipDeflate(
    members.map(([key, a]) => ({ name: `${key}.npy`, data: encodeNpy(a) })),
    { level: options.level ?? 1 }
  )

/** Read every `.npy` member; keys lose their `.npy` suffix, in archive order. */
export const decodeNpz = (bytes: Uint8Array): Either.Either<Record<string, NpyArray>, string> => {
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(bytes)
  } catch (e) {
    return Either.left(`not a valid NPZ (zip) file: ${e instanceof Error ? e.message : String(e)}`)
  }
  const out: Record<string, NpyArray> = {}
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith(".npy")) continue
    const a = decodeNpy(data)
    if (Either.isLeft(a)) return Either.left(`${name}: ${a.left}`)
    out[name.slice(0, -4)] = a.right
  }
  return Either.right(out)
}

/** The 8-key tabular artifact in the contract's member order; every array `<f4` of shape (rows, cols). */
export const datasetToNpz = (d: GeneratedDataset, options: NpzOptions = {}): Uint8Array =>
  encodeNpz(
    TABULAR_KEYS.map((key) => {
      const m = d.arrays[key]
      return [key, { descr: "<f4", shape: [m.rows, m.cols], data: m.data }] as const
    }),
    options
  )

/** A `<f4` member, as every array of the tabular artifact is. */
export interface Float32Npy {
  readonly descr: "<f4"
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

/** decodeNpz for tabular artifacts: every member must be `<f4`, so callers get Float32Array-typed data. */
export const decodeTabularNpz = (bytes: Uint8Array): Either.Either<Record<string, Float32Npy>, string> =>
  Either.flatMap(decodeNpz(bytes), (members) => {
    const out: Record<string, Float32Npy> = {}
    for (const [key, a] of Object.entries(members)) {
      if (a.descr !== "<f4" || !(a.data instanceof Float32Array)) return Either.left(`${key}: expected <f4, got ${a.descr}`)
      out[key] = { descr: "<f4", shape: a.shape, data: a.data }
    }
    return Either.right(out)
  })
