/**
 * The service's route patterns, used at the edge for metrics labels (route pattern, not raw URL) and to tell
 * 404 (no such path) from 405 (path exists for another method).
 */
import type { HttpApi } from "@effect/platform"

export interface RoutePattern {
  readonly method: string
  readonly path: string
}

interface Compiled extends RoutePattern {
  readonly regex: RegExp
}

const compile = (route: RoutePattern): Compiled => ({
  ...route,
  method: route.method.toUpperCase(),
  regex: new RegExp(
    `^${route.path
      .split("/")
      .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/")}/?$`
  )
})

/** All endpoints of an HttpApi as (method, path) patterns; HttpApi paths already carry group and API prefixes. */
export const apiRoutes = (api: HttpApi.HttpApi.Any): ReadonlyArray<RoutePattern> => {
  const out: Array<RoutePattern> = []
  const groups = (api as unknown as { groups: Record<string, { endpoints: Record<string, RoutePattern> }> }).groups
  for (const group of Object.values(groups))
    for (const endpoint of Object.values(group.endpoints)) out.push({ method: endpoint.method, path: endpoint.path })
  return out
}

export interface RouteMatch {
  /** The matched pattern, or null. */
  readonly route: string | null
  /** True when the path exists but not for this method. */
  readonly wrongMethod: boolean
}

export const makeRouteTable = (routes: ReadonlyArray<RoutePattern>) => {
  // Static paths first so that "/v1/datasets/filter" wins over "/v1/datasets/:id" for labels.
  const compiled = routes.map(compile).sort((a, b) => Number(a.path.includes(":")) - Number(b.path.includes(":")))
  const cache = new Map<string, RouteMatch>()
  return {
    match(method: string, url: string): RouteMatch {
      const q = url.indexOf("?")
      const path = q === -1 ? url : url.slice(0, q)
      const key = `${method} ${path}`
      const hit = cache.get(key)
      if (hit) return hit
      let wrongMethod = false
      let found: RouteMatch | undefined
      for (const r of compiled) {
        if (!r.regex.test(path)) continue
        if (r.method === method || r.method === "*" || (method === "HEAD" && r.method === "GET")) {
          found = { route: r.path, wrongMethod: false }
          break
        }
        wrongMethod = true
      }
      const result = found ?? { route: null, wrongMethod }
      if (cache.size < 10_000) cache.set(key, result)
      return result
    }
  }
}
export type RouteTable = ReturnType<typeof makeRouteTable>
