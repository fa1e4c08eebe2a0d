/**
 * The dashboard's files (canopy-ui §1): `GET /` → 307 `/dashboard/`; `/dashboard/` is `index.html` and
 * `/dashboard/<path>` any file of the bundle directory (packages/canopy/dist/web/ by default: index.html plus the
 * esbuild output). Self-hosted only; content types by extension; ETags with 304; `index.html` and unhashed files are
 * revalidated (`no-cache`), content-hashed files (`name-HASH.ext`) are immutable for a year. Paths cannot leave the
 * directory. When the bundle has not been built, `/dashboard/` explains how to build it.
 */
import { stat, readFile } from "node:fs/promises"
import { extname, normalize, resolve, sep } from "node:path"
import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".wasm": "application/wasm"
}

const HASHED = /[-.][A-Za-z0-9_]{8,}\.[a-z0-9]+$/

const notBuilt = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Juniper Canopy</title></head>
<body><h1>Juniper Canopy</h1>
<p>The dashboard bundle was not found in <code>${dir.replace(/[<>&]/g, "")}</code>. Build it with <code>npm run build</code>.</p>
<p>The API is up: <a href="/v1/health">/v1/health</a>, <a href="/api/status">/api/status</a>, <a href="/docs">/docs</a>.</p>
</body></html>
`

/** Resolves a request path under `root`, or null when it would escape it. */
export const safePath = (root: string, rel: string): string | null => {
  let decoded: string
  try {
    decoded = decodeURIComponent(rel)
  } catch {
    return null
  }
  if (decoded.includes("\0")) return null
  const full = resolve(root, normalize(decoded).replace(/^([/\\])+/, ""))
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null
}

const fileResponse = (root: string, rel: string) =>
  Effect.gen(function* () {
    const req = yield* HttpServerRequest.HttpServerRequest
    const file = safePath(root, rel === "" ? "index.html" : rel)
    if (file === null) return HttpServerResponse.text("Not Found", { status: 404 })
    const info = yield* Effect.tryPromise(() => stat(file)).pipe(Effect.option)
    if (info._tag === "None" || !info.value.isFile()) {
      if (rel === "" || rel === "index.html") return HttpServerResponse.text(notBuilt(root), { contentType: "text/html; charset=utf-8", headers: { "cache-control": "no-store" } })
      return HttpServerResponse.unsafeJson({ error: "Not Found", detail: `No dashboard file ${rel.slice(0, 200)}`, status_code: 404 }, { status: 404 })
    }
    const etag = `W/"${info.value.size.toString(16)}-${Math.floor(info.value.mtimeMs).toString(16)}"`
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream"
    const cache = rel !== "" && rel !== "index.html" && HASHED.test(rel) ? "public, max-age=31536000, immutable" : "no-cache"
    const headers = { etag, "cache-control": cache, "x-content-type-options": "nosniff" }
    if (req.headers["if-none-match"] === etag) return HttpServerResponse.empty({ status: 304, headers })
    const bytes = yield* Effect.tryPromise(() => readFile(file)).pipe(Effect.orDie)
    return HttpServerResponse.uint8Array(bytes, { contentType: type, headers })
  })

const redirect = (to: string) => HttpServerResponse.empty({ status: 307, headers: { location: to, "cache-control": "no-store" } })

/** The dashboard routes over `dir`. */
export const staticRoutes = (dir: string) => {
  const root = resolve(dir)
  const handler = Effect.gen(function* () {
    const req = yield* HttpServerRequest.HttpServerRequest
    const q = req.url.indexOf("?")
    const path = q === -1 ? req.url : req.url.slice(0, q)
    // The router ignores trailing slashes: "/dashboard" itself is sent to "/dashboard/" so relative asset URLs work.
    if (path === "/dashboard") return redirect("/dashboard/")
    const rel = path.replace(/^\/dashboard\/?/, "")
    return yield* fileResponse(root, rel)
  })
  return Layer.mergeAll(
    HttpLayerRouter.add("GET", "/", Effect.sync(() => redirect("/dashboard/"))),
    HttpLayerRouter.add("GET", "/dashboard", handler),
    HttpLayerRouter.add("GET", "/dashboard/*", handler)
  )
}

export const staticRoutePatterns = [
  { method: "GET", path: "/" },
  { method: "GET", path: "/dashboard" },
  { method: "GET", path: "/dashboard/*" }
]
