import { describe, expect, it } from "vitest"
import {
  defaultRng,
  Pcg64,
  PCG64_BATCH,
  pcg64OutputBigInt,
  pcg64StepBigInt,
  seedSequenceState,
  seedToWords
} from "../src/rng/index.js"
import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE } from "../src/rng/ziggurat-tables.js"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"
import { hasNumpy, pythonJson } from "./helpers/python.js"

describe("golden vectors (data-api §6)", () => {
  it("SeedSequence(42) → 4 × uint64", () => {
    expect(seedSequenceState(42)).toEqual([
      11465652750463011511n,
      15382171918060459190n,
      9018504550953525431n,
      3703499796004394495n
    ])
  })

  it("PCG64 seeded state, increment and first outputs", () => {
    const bg = defaultRng(42).bitGenerator
    expect(bg.seededState).toBe(274674114334540486603088602300644985544n)
    expect(bg.increment).toBe(332724090758049132448979897138935081983n)
    expect([bg.nextBigUint64(), bg.nextBigUint64(), bg.nextBigUint64()]).toEqual([
      0xc621fbcd16d92688n,
      0x705a5661a791ffc1n,
      0xdbcd12c26eda1624n
    ])
  })

  it("random(), standard_normal(), permutation(12)", () => {
    const r = defaultRng(42)
    expect([r.random(), r.random(), r.random()]).toEqual([0.7739560485559633, 0.4388784397520523, 0.8585979199113825])
    expect(Array.from(defaultRng(42).standardNormal(3))).toEqual([
      0.30471707975443135, -1.0399841062404955, 0.7504511958064572
    ])
    expect(Array.from(defaultRng(42).permutation(12))).toEqual([0, 7, 6, 9, 11, 3, 5, 2, 4, 10, 1, 8])
  })

  it("seeds split into little-endian uint32 words", () => {
    expect(Array.from(seedToWords(0))).toEqual([0])
    expect(Array.from(seedToWords(2 ** 32 + 5))).toEqual([5, 1])
    expect(Array.from(seedToWords(2n ** 64n + 7n))).toEqual([7, 0, 1])
    expect(() => seedToWords(-1)).toThrow(RangeError)
    expect(() => seedToWords(1.5)).toThrow(RangeError)
  })
})

describe.each([
  ["WASM kernel", true],
  ["int32-limb JS path", false]
])("%s vs a BigInt reference", (_name, wasm) => {
  it("uses the requested backend", () => {
    expect(new Pcg64([1n, 2n, 3n, 4n], { wasm }).backend).toBe(wasm ? "wasm" : "js")
  })

  const check = (words: ReadonlyArray<bigint>, steps: number) => {
    const bg = new Pcg64(words, { wasm })
    let state = bg.seededState
    for (let i = 0; i < steps; i++) {
      state = pcg64StepBigInt(state, bg.increment)
      const got = bg.nextBigUint64()
      if (got !== pcg64OutputBigInt(state)) {
        throw new Error(`step ${i}: ${got.toString(16)} != ${pcg64OutputBigInt(state).toString(16)}`)
      }
    }
  }

  it("matches over several batches for assorted seeds, including all-ones limbs", () => {
    const ones = (1n << 64n) - 1n
    check([ones, ones, ones, ones], 3 * PCG64_BATCH + 7)
    check([0n, 0n, 0n, 0n], 2 * PCG64_BATCH)
    check([ones, 0n, ones, 0n], 2 * PCG64_BATCH)
    for (const seed of [1, 42, 2 ** 32 - 1, 2 ** 53 - 1]) check(seedSequenceState(seed), 2 * PCG64_BATCH + 1)
  })

  it("normals and permutations are identical on both backends", () => {
    expect(Array.from(defaultRng(5, { wasm }).standardNormal(5000))).toEqual(Array.from(defaultRng(5).standardNormal(5000)))
    expect(Array.from(defaultRng(5, { wasm }).permutation(20000))).toEqual(Array.from(defaultRng(5, { wasm: !wasm }).permutation(20000)))
  })

  it("nextUint32 hands out the low half first, then the buffered high half", () => {
    const a = defaultRng(7, { wasm }).bitGenerator
    const b = defaultRng(7, { wasm }).bitGenerator
    const u64 = a.nextBigUint64()
    expect(BigInt(b.nextUint32())).toBe(u64 & 0xffffffffn)
    expect(BigInt(b.nextUint32())).toBe(u64 >> 32n)
  })
})

describe("ziggurat tables", () => {
  const ref = "/work/shared/reference/numpy-ziggurat.json"
  it.skipIf(!existsSync(ref))("the generated TS tables equal the reference JSON bit for bit", () => {
    const t = JSON.parse(readFileSync(ref, "utf8")) as Record<string, Array<number>>
    expect(Array.from(KI_DOUBLE)).toEqual(t["ki_double"])
    expect(Array.from(WI_DOUBLE)).toEqual(t["wi_double"])
    expect(Array.from(FI_DOUBLE)).toEqual(t["fi_double"])
  })
})

describe.skipIf(!hasNumpy)("value for value against NumPy on this machine", () => {
  const seeds: Array<number | bigint> = [0, 1, 42, 2 ** 32 + 5, 2n ** 64n + 7n, 12345678901234567890123n]

  it("raw outputs, random, uniform, standard_normal and permutation", () => {
    const py = pythonJson<Array<Record<string, Array<number | string>>>>(`
import json, numpy as np
out = []
for seed in [${seeds.map(String).join(", ")}]:
    r = np.random.default_rng(seed)
    raw = [str(int(v)) for v in r.bit_generator.random_raw(300)]
    r = np.random.default_rng(seed)
    rnd = r.random(500).tolist()
    uni = r.uniform(-3.5, 2.25, 500).tolist()
    nrm = r.standard_normal(20000).tolist()
    perm = np.random.default_rng(seed).permutation(3000).tolist()
    out.append(dict(raw=raw, rnd=rnd, uni=uni, nrm=nrm, perm=perm))
print(json.dumps(out))
`)
    seeds.forEach((seed, s) => {
      const want = py[s]!
      const bg = defaultRng(seed).bitGenerator
      expect(want["raw"]!.map(() => bg.nextBigUint64().toString())).toEqual(want["raw"])
      const r = defaultRng(seed)
      expect(Array.from(r.randomArray(500))).toEqual(want["rnd"])
      expect(Array.from(r.uniform(-3.5, 2.25, 500))).toEqual(want["uni"])
      // Bit for bit: the tail and wedge paths (exp/log1p) are exercised many times in 20000 draws.
      expect(Array.from(r.standardNormal(20000))).toEqual(want["nrm"])
      expect(Array.from(defaultRng(seed).permutation(3000))).toEqual(want["perm"])
    })
  })

  it("permutation of a size whose masks need many rejections (2^k + 1)", () => {
    const n = 65537
    const want = pythonJson<Array<number>>(
      `import json, numpy as np; print(json.dumps(np.random.default_rng(3).permutation(${n}).tolist()))`
    )
    expect(Array.from(defaultRng(3).permutation(n))).toEqual(want)
  })
})

describe("WASM unavailable → the JS path, same numbers", () => {
  it("with JUNIPER_DATA_PCG64_WASM=0 and when a virtual-memory ulimit makes instantiation fail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-rng-"))
    try {
      const bundle = join(dir, "probe.mjs")
      await build({
        entryPoints: [new URL("./helpers/rng-probe.ts", import.meta.url).pathname],
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: bundle,
        logLevel: "silent"
      })
      const run = (cmd: string, env: Record<string, string> = {}) =>
        JSON.parse(execFileSync("bash", ["-c", cmd], { encoding: "utf8", env: { ...process.env, ...env } })) as {
          backend: string
          normals: Array<number>
          perm: Array<number>
        }
      const node = JSON.stringify(process.execPath)
      const normals = [0.30471707975443135, -1.0399841062404955, 0.7504511958064572]
      const perm = [0, 7, 6, 9, 11, 3, 5, 2, 4, 10, 1, 8]
      expect(run(`${node} ${bundle}`)).toEqual({ backend: "wasm", normals, perm })
      expect(run(`${node} ${bundle}`, { JUNIPER_DATA_PCG64_WASM: "0" })).toEqual({ backend: "js", normals, perm })
      // A WASM memory reserves far more address space than 4 GB allows; Node itself still starts.
      expect(run(`ulimit -v 4000000; ${node} ${bundle}`)).toEqual({ backend: "js", normals, perm })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
