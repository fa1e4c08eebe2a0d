// Builds juniper_native.node with cmake-js, from the CMakeLists.txt at the repository root into native/build/Release.
//
//   npm run build -w @juniper/native          CPU + CUDA (when nvcc is found)
//   npm run build:cpu -w @juniper/native      CPU only (JUNIPER_NATIVE_CUDA=0 does the same)
//
// Why a script rather than `cmake-js compile --directory ..`: cmake-js decides "Node-API project" (no header
// download, node-addon-api on the include path) from the `binary.napi_versions` field of the package.json *next to
// the CMakeLists.txt*, which here is the root manifest. The API lets us point at the root CMakeLists.txt while
// declaring Node-API ourselves, so the build works offline from a clean clone.
//
// nvcc: taken from PATH, else $CUDACXX, else /usr/local/cuda/bin/nvcc. The chosen configuration (CUDA on/off,
// compiler) is remembered; when it changes, the build directory is reconfigured from scratch (cmake-js compile
// would otherwise reuse the cached CUDA decision).
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const nativeDir = resolve(here, "..")
const root = resolve(nativeDir, "..")
const out = join(nativeDir, "build")
const args = process.argv.slice(2)
const cpuOnly = args.includes("--cpu") || process.env.JUNIPER_NATIVE_CUDA === "0"
const verbose = args.includes("--verbose") || process.env.JUNIPER_NATIVE_VERBOSE === "1"

const onPath = (exe) => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, exe))) return join(dir, exe)
  }
  return undefined
}
const findNvcc = () => {
  const fromPath = onPath("nvcc")
  if (fromPath) return fromPath
  if (process.env.CUDACXX && existsSync(process.env.CUDACXX)) return process.env.CUDACXX
  if (existsSync("/usr/local/cuda/bin/nvcc")) return "/usr/local/cuda/bin/nvcc"
  return undefined
}
const nvcc = cpuOnly ? undefined : findNvcc()
// A compiler that cannot even print its version (broken install) is treated as absent.
const usableNvcc = (() => {
  if (!nvcc) return undefined
  try {
    execFileSync(nvcc, ["--version"], { stdio: "ignore" })
    return nvcc
  } catch {
    console.warn(`build:native: ${nvcc} does not run; building without CUDA`)
    return undefined
  }
})()

const cMakeOptions = { JUNIPER_CUDA: usableNvcc ? "ON" : "OFF" }
if (usableNvcc) {
  cMakeOptions.CMAKE_CUDA_COMPILER = usableNvcc
  process.env.CUDACXX = usableNvcc
}
for (const arg of args) {
  const m = /^--CD([^=]+)=(.*)$/.exec(arg)
  if (m) cMakeOptions[m[1]] = m[2]
}

// One build at a time in native/build (several engineers and test runners share a checkout): an atomic mkdir lock
// with the holder's pid; a lock whose holder is gone is taken over.
const lockDir = join(nativeDir, ".build-lock")
const holderAlive = () => {
  try {
    const pid = Number(readFileSync(join(lockDir, "pid"), "utf8"))
    if (!pid) return false
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
for (let waited = 0; ; waited += 500) {
  try {
    mkdirSync(lockDir)
    writeFileSync(join(lockDir, "pid"), String(process.pid))
    break
  } catch {
    if (!holderAlive()) {
      await sleep(200) // the holder may be between mkdir and writing its pid
      if (!holderAlive()) {
        rmSync(lockDir, { recursive: true, force: true })
        continue
      }
    }
    if (waited === 0) console.log("build:native: waiting for another build of the addon to finish")
    if (waited > 10 * 60 * 1000) {
      console.error(`build:native: ${lockDir} held for 10 minutes; giving up`)
      process.exit(1)
    }
    await sleep(500)
  }
}
const unlock = () => rmSync(lockDir, { recursive: true, force: true })
process.on("exit", unlock)

// Reconfigure from scratch when the configuration differs from the last build's.
const stamp = join(out, "juniper-config.json")
const wanted = JSON.stringify(cMakeOptions)
let previous
try {
  previous = readFileSync(stamp, "utf8")
} catch {
  previous = undefined
}
if (previous !== undefined && previous !== wanted) {
  console.log("build:native: configuration changed; reconfiguring")
  rmSync(out, { recursive: true, force: true })
}
if (!existsSync(join(out, "CMakeCache.txt"))) rmSync(out, { recursive: true, force: true })

const { BuildSystem } = require("cmake-js")
const options = {
  directory: root,
  out,
  config: "Release",
  cMakeOptions,
  log: verbose ? "verbose" : "info",
  logLevel: verbose ? "verbose" : "info"
}
const buildSystem = new BuildSystem(options)
// The root package.json has no `binary.napi_versions`; this addon is a Node-API addon (see native/package.json).
buildSystem.options.isNodeApi = true
buildSystem.cmake.options.isNodeApi = true

console.log(`build:native: ${usableNvcc ? `CPU + CUDA (nvcc ${usableNvcc})` : "CPU only"} -> ${join(out, "Release")}`)
try {
  await buildSystem.compile()
} catch (e) {
  console.error(`build:native: failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
}
mkdirSync(out, { recursive: true })
writeFileSync(stamp, wanted)
const addon = join(out, "Release", "juniper_native.node")
if (!existsSync(addon)) {
  console.error(`build:native: ${addon} was not produced`)
  process.exit(1)
}
console.log(`build:native: built ${addon}`)
