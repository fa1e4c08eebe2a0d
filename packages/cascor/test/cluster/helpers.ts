// Real processes and a real PostgreSQL for the cluster tests: a fresh database per test file (dropped afterwards),
// `node dist/cascor` as API and runners (same entry, role by environment), REST helpers.
import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import pg from "pg"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"

export const cascorEntry = join(repoRoot, "dist/cascor/index.js")
export const built = existsSync(cascorEntry) && existsSync(join(repoRoot, "packages/cascor/dist/cluster/main-hook.js"))
export const PG_URL = process.env["JUNIPER_TEST_PG_URL"]

/** Whether PostgreSQL answers at JUNIPER_TEST_PG_URL (the tests skip with a message otherwise). */
export const pgReachable = async (): Promise<boolean> => {
  if (!PG_URL) {
    console.warn("cluster tests skipped: JUNIPER_TEST_PG_URL is not set (CI sets it; locally: pg_ctlcluster 15 main start and see .ci/run)")
    return false
  }
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
  try {
    await c.connect()
    await c.query("SELECT 1")
    return true
  } catch (e) {
    console.warn(`cluster tests skipped: PostgreSQL at JUNIPER_TEST_PG_URL is unreachable (${String(e)})`)
    return false
  } finally {
    await c.end().catch(() => {})
  }
}

const admin = async <A>(f: (c: pg.Client) => Promise<A>): Promise<A> => {
  const c = new pg.Client({ connectionString: PG_URL })
  await c.connect()
  try {
    return await f(c)
  } finally {
    await c.end()
  }
}

/** A fresh database on the test server; returns its URL and a drop function. */
export const freshDatabase = async (tag: string): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `juniper_test_${tag}_${process.pid}_${Date.now().toString(36)}`
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(PG_URL!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      admin(async (c) => {
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])
        await c.query(`DROP DATABASE IF EXISTS ${name}`)
      })
  }
}

export const query = (url: string, text: string, values: ReadonlyArray<unknown> = []) =>
  (async () => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      return (await c.query(text, values as Array<unknown>)).rows
    } finally {
      await c.end()
    }
  })()

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const a = s.address()
      const port = typeof a === "object" && a ? a.port : 0
      s.close(() => resolve(port))
    })
  })

export interface ClusterEnv {
  readonly url: string
  readonly backend: string
  readonly extra?: Record<string, string>
}

const common = (o: ClusterEnv): Record<string, string> => ({
  JUNIPER_CASCOR_PORT: "0",
  JUNIPER_CASCOR_BACKEND: o.backend,
  JUNIPER_DATA_URL: "http://127.0.0.1:9",
  JUNIPER_CASCOR_CLUSTER__MODE: "postgres",
  JUNIPER_CASCOR_CLUSTER__DATABASE_URL: o.url,
  JUNIPER_CASCOR_CLUSTER__DATABASE_MAX_CONNECTIONS: "6",
  JUNIPER_CASCOR_CLUSTER__SHARDS_PER_GROUP: "60",
  JUNIPER_CASCOR_CLUSTER__HEALTH_CHECK_INTERVAL_SEC: "2",
  JUNIPER_CASCOR_CLUSTER__REFRESH_ASSIGNMENTS_INTERVAL_SEC: "1",
  JUNIPER_CASCOR_CLUSTER__MESSAGE_POLL_INTERVAL_SEC: "2",
  JUNIPER_CASCOR_CLUSTER__ENTITY_TERMINATION_TIMEOUT_SEC: "60",
  JUNIPER_CASCOR_CLUSTER__COMPUTE_WORKERS: "1",
  ...o.extra
})

export interface Runner extends ServiceProcess {
  readonly runnerPort: number
}

export const startRunner = async (o: ClusterEnv, runnerPort?: number): Promise<Runner> => {
  const port = runnerPort ?? (await freePort())
  const p = await startService(
    cascorEntry,
    {
      ...common(o),
      JUNIPER_CASCOR_CLUSTER__ROLE: "runner",
      JUNIPER_CASCOR_CLUSTER__RUNNER_HOST: "127.0.0.1",
      JUNIPER_CASCOR_CLUSTER__RUNNER_LISTEN_HOST: "127.0.0.1",
      JUNIPER_CASCOR_CLUSTER__RUNNER_PORT: String(port)
    },
    { timeoutMs: 60_000 }
  )
  return Object.assign(p, { runnerPort: port })
}

export const startApi = (o: ClusterEnv) =>
  startService(cascorEntry, { ...common(o), JUNIPER_CASCOR_CLUSTER__ROLE: "api" }, { timeoutMs: 60_000 })

export interface Reply {
  readonly status: number
  readonly body: any
}

export const call = async (base: string, method: string, path: string, body?: unknown): Promise<Reply> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body !== undefined ? { "content-type": "application/json" } : {},
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {})
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed }
}

export const data = async (base: string, method: string, path: string, body?: unknown): Promise<any> => {
  const r = await call(base, method, path, body)
  if (r.status >= 300 || r.body?.status !== "success") throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`)
  return r.body.data
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const until = async <A>(f: () => Promise<A | undefined | false> | A | undefined | false, timeoutMs = 60_000, label = "condition"): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await sleep(100)
  }
}

/** Lines of a process's JSON log whose message matches. */
export const logLines = (p: ServiceProcess, re: RegExp): Array<string> =>
  p
    .output()
    .split("\n")
    .flatMap((l) => {
      try {
        const m = JSON.parse(l).message
        return typeof m === "string" && re.test(m) ? [m] : []
      } catch {
        return []
      }
    })
