// Prepares native/gpu/.carry/ for a GPU session (run HERE, on a machine with node_modules):
//
//   node native/gpu/prepare.mjs
//
// The GPU machines have CUDA, CMake and ninja but no Node.js, no node_modules and no registry, and a call may carry
// at most 64 MiB. So this bundles, with esbuild:
//   backend-tests.mjs   the backend tests (packages/cascor/test/backend/*.test.ts), vitest replaced by
//                       native/gpu/vitest-shim.mjs, ending with the "N passed, M failed" line
//   kernels-bench.mjs   packages/cascor/src/bench/kernels.ts (B3, OUT, B6, B4)
//   b1.mjs              native/gpu/b1.ts: B1 (two-spirals runs per seed) on a chosen backend
// and copies the Node-API headers (node-api-headers, node-addon-api) and an xz-compressed copy of this node binary.
// Then, from the repository root:  run(command="bash native/gpu/run-gpu-checks.sh", carry=["native/gpu/.carry"])
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "..", "..")
const carry = join(here, ".carry")
const require = createRequire(join(root, "package.json"))
const esbuild = require("esbuild")

rmSync(carry, { recursive: true, force: true })
mkdirSync(carry, { recursive: true })

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  // Bundled ESM still needs `require` for the .node addon.
  banner: { js: "import { createRequire as __jnCreateRequire } from 'node:module'; const require = __jnCreateRequire(import.meta.url);" }
}

// Tests: one entry importing every backend test file, then running them.
const testDir = join(root, "packages", "cascor", "test", "backend")
const testFiles = readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).sort()
const entry = join(carry, "tests-entry.mjs")
writeFileSync(
  entry,
  testFiles.map((f) => `import ${JSON.stringify(join(testDir, f))}`).join("\n") +
    `\nimport { run } from ${JSON.stringify(join(here, "vitest-shim.mjs"))}\nprocess.exitCode = (await run()) ? 1 : 0\n`
)
await esbuild.build({
  ...common,
  entryPoints: [entry],
  outfile: join(carry, "backend-tests.mjs"),
  alias: { vitest: join(here, "vitest-shim.mjs") },
  external: ["*.node"]
})
rmSync(entry)

await esbuild.build({ ...common, entryPoints: [join(root, "packages/cascor/src/bench/kernels.ts")], outfile: join(carry, "kernels-bench.mjs") })
await esbuild.build({ ...common, entryPoints: [join(here, "b1.ts")], outfile: join(carry, "b1.mjs") })

// Headers for a direct CMake build.
cpSync(join(root, "node_modules/node-api-headers/include"), join(carry, "include/node-api-headers"), { recursive: true })
for (const f of ["napi.h", "napi-inl.h", "napi-inl.deprecated.h"])
  cpSync(join(root, "node_modules/node-addon-api", f), join(carry, "include/node-addon-api", f))

// Node itself.
execFileSync("sh", ["-c", `xz -T0 -6 -c "${process.execPath}" > "${join(carry, "node.xz")}"`], { stdio: "inherit" })

let total = 0
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f)
    const s = statSync(p)
    if (s.isDirectory()) walk(p)
    else total += s.size
  }
}
walk(carry)
console.log(`prepared ${carry}: ${(total / 2 ** 20).toFixed(1)} MiB (the whole call may carry 64 MiB)`)
console.log(`run: command "bash native/gpu/run-gpu-checks.sh", carry ["native/gpu/.carry"], timeout ≈ 540 s`)
