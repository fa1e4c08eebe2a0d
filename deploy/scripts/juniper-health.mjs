// Health tooling shared by the shell scripts (Node only: no curl, jq or python needed).
//
//   juniper-health.mjs report [--json] [--allow-degraded] SERVICE...   table of readiness (health_check.sh)
//   juniper-health.mjs wait [--timeout S] [--interval S] SERVICE...   until every one is ready (wait_for_services.sh)
//   juniper-health.mjs wait-url URL [TIMEOUT_S]                        until URL answers 2xx (wait_for_health.sh)
//   juniper-health.mjs probe NAME URL                                  one JSON line, exit 1 if unhealthy
//                                                                      (health_check_systemd.sh)
//
// SERVICE is data | cascor | canopy, or a compose service name (juniper-data, juniper-cascor-demo, ...); other names
// (demo-seed, prometheus, ...) are ignored. Base URLs: JUNIPER_<SVC>_BASE_URL, else http://127.0.0.1:<port> with the
// port from DATA_HOST_PORT / CASCOR_HOST_PORT / CANOPY_HOST_PORT (compose) or 8100 / 8200 / 8050.
// Readiness follows the shared ReadinessResponse: {status: ready|degraded|not_ready, version, service, dependencies}.
const env = process.env
const color = process.stdout.isTTY && !env.NO_COLOR
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const green = (s) => paint("32", s)
const yellow = (s) => paint("33", s)
const red = (s) => paint("31", s)

const SERVICES = {
  data: { name: "juniper-data", port: env.DATA_HOST_PORT || 8100, base: env.JUNIPER_DATA_BASE_URL },
  cascor: { name: "juniper-cascor", port: env.CASCOR_HOST_PORT || 8200, base: env.JUNIPER_CASCOR_BASE_URL },
  canopy: { name: "juniper-canopy", port: env.CANOPY_HOST_PORT || 8050, base: env.JUNIPER_CANOPY_BASE_URL }
}
const baseUrl = (key) => (SERVICES[key].base || `http://127.0.0.1:${SERVICES[key].port}`).replace(/\/+$/, "")
const keyOf = (name) => {
  const m = /^(?:juniper-)?(data|cascor|canopy)(?:-(?:demo|dev))?$/.exec(name)
  return m ? m[1] : undefined
}
const selected = (names) => {
  const keys = [...new Set((names.length ? names : Object.keys(SERVICES)).map(keyOf).filter(Boolean))]
  return keys.sort((a, b) => Object.keys(SERVICES).indexOf(a) - Object.keys(SERVICES).indexOf(b))
}

// A referenced timer aborts the request: AbortSignal.timeout's timer is unreferenced, and a top-level await whose only
// pending work is an unreferenced timer ends the process with exit code 13 (seen while a container restarts).
const fetchJson = async (url, timeoutMs) => {
  const t0 = performance.now()
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error("timeout")), timeoutMs)
  try {
    const res = await fetch(url, { signal: abort.signal })
    const text = await res.text()
    let body
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return { ok: res.ok, code: res.status, body, ms: Math.round(performance.now() - t0) }
  } catch (e) {
    return { ok: false, code: 0, error: e.cause?.code ?? (e.name === "AbortError" ? "timeout" : e.name) ?? String(e), ms: Math.round(performance.now() - t0) }
  } finally {
    clearTimeout(timer)
  }
}

const readiness = async (key) => {
  const r = await fetchJson(`${baseUrl(key)}/v1/health/ready`, 5000)
  const status = r.body?.status ?? (r.code ? `HTTP ${r.code}` : "unreachable")
  return {
    service: r.body?.service ?? SERVICES[key].name,
    url: baseUrl(key),
    status,
    http: r.code,
    version: r.body?.version ?? null,
    latency_ms: r.ms,
    dependencies: r.body?.dependencies ?? {},
    error: r.error ?? null
  }
}

const opt = (args, flag, fallback) => {
  const i = args.indexOf(flag)
  if (i < 0) return fallback
  const v = args[i + 1]
  args.splice(i, 2)
  return v
}
const flag = (args, name) => {
  const i = args.indexOf(name)
  if (i < 0) return false
  args.splice(i, 1)
  return true
}

const [command, ...rest] = process.argv.slice(2)
const args = [...rest]

if (command === "report") {
  const json = flag(args, "--json")
  const allowDegraded = flag(args, "--allow-degraded")
  const keys = selected(args)
  const rows = await Promise.all(keys.map(readiness))
  if (json) console.log(JSON.stringify(rows, null, 2))
  else {
    const deps = (row) =>
      Object.entries(row.dependencies)
        .map(([k, d]) => `${k}: ${d.status}${d.latency_ms != null ? ` (${Math.round(d.latency_ms)} ms)` : ""}${d.status !== "healthy" && d.message ? ` — ${d.message}` : ""}`)
        .join("; ") || "-"
    const mark = (s) => (s === "ready" ? green(`✓ ${s}`) : s === "degraded" ? yellow(`! ${s}`) : red(`✗ ${s}`))
    const pad = (s, n) => s + " ".repeat(Math.max(1, n - s.replace(/\x1b\[[0-9;]*m/g, "").length))
    console.log(pad("SERVICE", 17) + pad("STATUS", 15) + pad("VERSION", 13) + pad("LATENCY", 10) + "DEPENDENCIES")
    for (const r of rows)
      console.log(pad(r.service, 17) + pad(mark(r.status), 15) + pad(r.version ?? "-", 13) + pad(`${r.latency_ms} ms`, 10) + (r.error ? red(`${r.url}: ${r.error}`) : deps(r)))
  }
  const bad = rows.filter((r) => !(r.status === "ready" || (allowDegraded && r.status === "degraded")))
  process.exit(keys.length === 0 ? 2 : bad.length ? 1 : 0)
}

if (command === "wait") {
  const timeout = Number(opt(args, "--timeout", env.TIMEOUT || 90))
  const interval = Number(opt(args, "--interval", 2))
  const keys = selected(args)
  const deadline = Date.now() + timeout * 1000
  const pending = new Set(keys)
  const t0 = Date.now()
  for (;;) {
    for (const k of [...pending]) {
      const r = await readiness(k)
      if (r.status === "ready") {
        pending.delete(k)
        console.log(`${green("✓")} ${r.service} ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
      }
    }
    if (pending.size === 0) {
      console.log(green(`All services healthy (${keys.map((k) => SERVICES[k].name).join(", ")})`))
      process.exit(0)
    }
    if (Date.now() > deadline) {
      for (const k of pending) {
        const r = await readiness(k)
        console.error(red(`✗ ${r.service} not ready after ${timeout} s: ${r.error ?? r.status}`))
      }
      process.exit(1)
    }
    await new Promise((res) => setTimeout(res, interval * 1000))
  }
}

if (command === "wait-url") {
  const [url, seconds = "30"] = args
  if (!url) {
    console.error("usage: juniper-health.mjs wait-url URL [TIMEOUT_S]")
    process.exit(2)
  }
  const deadline = Date.now() + Number(seconds) * 1000
  let last = ""
  for (;;) {
    const r = await fetchJson(url, 2000)
    if (r.ok) process.exit(0)
    last = r.error ?? `HTTP ${r.code}${r.body?.status ? ` (${r.body.status})` : ""}`
    if (Date.now() > deadline) {
      console.error(`TIMEOUT: ${url} not healthy after ${seconds}s (last: ${last})`)
      process.exit(1)
    }
    await new Promise((res) => setTimeout(res, 250))
  }
}

if (command === "probe") {
  const [name, url] = args
  const r = await fetchJson(url, 5000)
  const status = r.body?.status ?? null
  const healthy = r.ok && (status === "ready" || status === "degraded" || status === "ok" || status === "alive")
  const line = { service: name, url, healthy, status, http: r.code, latency_ms: r.ms, version: r.body?.version ?? null }
  if (r.body?.dependencies)
    line.dependencies = Object.fromEntries(Object.entries(r.body.dependencies).map(([k, d]) => [k, d.status]))
  if (r.error) line.error = r.error
  console.log(JSON.stringify(line))
  process.exit(healthy ? 0 : 1)
}

console.error("usage: juniper-health.mjs report|wait|wait-url|probe ... (see the header of this file)")
process.exit(2)
