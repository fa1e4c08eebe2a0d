// Child process for rng.test.ts: which backend did a generator get, and does it still match NumPy?
import { defaultRng } from "../../src/rng/random.js"

const r = defaultRng(42)
console.log(JSON.stringify({ backend: r.bitGenerator.backend, normals: Array.from(r.standardNormal(3)), perm: Array.from(defaultRng(42).permutation(12)) }))
