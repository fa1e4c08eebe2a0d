// `npm run bundle -w @juniper/canopy`: type-check the dashboard (web/tsconfig.json), then bundle it with esbuild into
// dist/web/ (minified, content-hashed asset names, source maps) and write index.html pointing at the hashed files.
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"

const webDir = dirname(fileURLToPath(import.meta.url))
const outDir = join(webDir, "..", "dist", "web")

if (process.env.JUNIPER_WEB_SKIP_TYPECHECK !== "1") {
  const tsc = spawnSync("npx", ["--no-install", "tsc", "-p", join(webDir, "tsconfig.json")], { stdio: "inherit" })
  if (tsc.status !== 0) process.exit(tsc.status ?? 1)
}

rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
const result = await esbuild.build({
  entryPoints: { app: join(webDir, "main.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  minify: true,
  sourcemap: "linked",
  entryNames: "assets/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  outdir: outDir,
  metafile: true,
  legalComments: "linked",
  logLevel: "warning"
})

// The entry's JS and its CSS sibling (imported CSS is emitted next to the JS bundle).
const outputs = Object.entries(result.metafile.outputs)
const js = outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith("main.ts"))
if (!js) throw new Error("bundle: no JS output for main.ts")
const jsPath = relative(outDir, js[0]).split("\\").join("/")
const cssPath = js[1].cssBundle ? relative(outDir, js[1].cssBundle).split("\\").join("/") : null

const html = readFileSync(join(webDir, "index.html"), "utf8")
  .replace("%APP_JS%", jsPath)
  .replace("%APP_CSS%", cssPath ?? "")
writeFileSync(join(outDir, "index.html"), html)
writeFileSync(join(outDir, "manifest.json"), JSON.stringify({ js: jsPath, css: cssPath }, null, 2) + "\n")
console.log(`bundle: dist/web/${jsPath}${cssPath ? `, dist/web/${cssPath}` : ""}`)
