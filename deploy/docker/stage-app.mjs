// Stages the production tree of a built checkout: what the images (and any deployment) run, without sources, dev
// dependencies or build tools.
//
//   node deploy/docker/stage-app.mjs --out DIR [--offline]      (run from the repository root, after `npm run build`)
//
// DIR receives package.json + package-lock.json, every workspace's package.json and its published files ("files" in
// its package.json, else dist/), the dist/<service>/index.js entries, the native addon when it was built, the
// deployment helpers the containers run (healthcheck, demo seed), and node_modules from `npm ci --omit=dev` (install
// scripts off, as npm 11 does; the addon is built explicitly by `npm run build`). --offline prefers npm's cache, so a
// CI machine that has just run `npm ci` stages without the network.
//
// Used twice: inside the Dockerfiles' build stage (APP_SOURCE=source), and on the host by deploy/ci before a
// COPY-only image build (APP_SOURCE=prebuilt).
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

const args = process.argv.slice(2)
const outIndex = args.indexOf("--out")
if (outIndex < 0 || !args[outIndex + 1]) {
  console.error("usage: node deploy/docker/stage-app.mjs --out DIR [--offline]")
  process.exit(2)
}
const out = resolve(args[outIndex + 1])
const offline = args.includes("--offline")
const root = process.cwd()
const fail = (msg) => {
  console.error(`stage-app: ${msg}`)
  process.exit(1)
}
if (!existsSync(join(root, "package-lock.json"))) fail("run from the repository root (no package-lock.json here)")

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const skip = (src) => /\.tsbuildinfo$/.test(src)
const copy = (rel) => {
  const from = join(root, rel)
  if (!existsSync(from)) return false
  mkdirSync(dirname(join(out, rel)), { recursive: true })
  cpSync(from, join(out, rel), { recursive: true, filter: (src) => !skip(src), verbatimSymlinks: true })
  return true
}

for (const f of ["package.json", "package-lock.json", ".npmrc"]) copy(f)

// Workspaces: their manifests always (npm ci needs every one), their files when built.
const services = []
for (const ws of manifest.workspaces ?? []) {
  const pkgFile = join(root, ws, "package.json")
  if (!existsSync(pkgFile)) fail(`workspace ${ws} has no package.json`)
  copy(join(ws, "package.json"))
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"))
  for (const f of pkg.files ?? ["dist"]) copy(join(ws, f))
  if (pkg.main && !pkg.main.startsWith("./dist") && !pkg.main.startsWith("dist")) copy(join(ws, pkg.main))
}
// The native addon: the loader plus the built .node files (CPU, and CUDA when it was built with nvcc).
const release = join(root, "native", "build", "Release")
if (existsSync(release))
  for (const f of readdirSync(release)) if (f.endsWith(".node")) copy(join("native", "build", "Release", f))

// dist/<service>/index.js: the start-up entries written by scripts/build.mjs.
if (existsSync(join(root, "dist")))
  for (const svc of readdirSync(join(root, "dist")))
    if (existsSync(join(root, "dist", svc, "index.js"))) {
      copy(join("dist", svc))
      services.push(svc)
    }

// What the containers run besides the services (health check, demo seed, the init containers' wait).
for (const f of ["deploy/healthcheck.js", "deploy/scripts/demo_seed.mjs", "deploy/scripts/juniper-health.mjs"]) if (!copy(f)) fail(`missing ${f}`)

const npmArgs = ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
if (offline) npmArgs.push("--prefer-offline")
const npm = spawnSync("npm", npmArgs, { cwd: out, stdio: "inherit" })
if (npm.status !== 0) fail(`npm ${npmArgs.join(" ")} failed`)

// Writable state directories the images declare as volumes (owned by uid 1000 through COPY --chown).
for (const d of ["var/datasets", "var/snapshots", "var/logs"]) mkdirSync(join(out, d), { recursive: true })

const size = (p) => {
  const st = statSync(p, { throwIfNoEntry: false })
  if (!st || st.isSymbolicLink()) return 0
  if (!st.isDirectory()) return st.size
  return readdirSync(p).reduce((n, f) => n + size(join(p, f)), 0)
}
writeFileSync(join(out, "STAGED.json"), JSON.stringify({ services, staged_at: new Date().toISOString() }, null, 2) + "\n")
console.log(`stage-app: ${out} (${(size(out) / 1048576).toFixed(0)} MiB; services: ${services.join(", ") || "none built"})`)
