// dataset_id = "<generator>-<VERSION>-" + sha256(canonical)[0:16] (data-api §7).
import { createHash, randomBytes } from "node:crypto"
import { type PyValue, pythonJsonDumps } from "./python-json.js"

/** 8 random hex characters, added as `_nonce` for seedless requests so they never collide. */
export const randomNonce = (): string => randomBytes(4).toString("hex")

/** The canonical string: {"generator","params","version"[,"_nonce"]} in Python's sorted compact form. */
export const canonicalString = (
  generator: string,
  version: string,
  params: { readonly [key: string]: PyValue },
  nonce?: string
): string =>
  pythonJsonDumps({ generator, version, params, ...(nonce === undefined ? {} : { _nonce: nonce }) })

export const datasetIdFromCanonical = (generator: string, version: string, canonical: string): string =>
  `${generator}-${version}-${createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 16)}`

export const computeDatasetId = (
  generator: string,
  version: string,
  params: { readonly [key: string]: PyValue },
  nonce?: string
): string => datasetIdFromCanonical(generator, version, canonicalString(generator, version, params, nonce))
