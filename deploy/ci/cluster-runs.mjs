// Drives runs on the cluster profile (checks-compose.sh, check_compose_cluster):
//   node cluster-runs.mjs <base> start          creates 3 two-spiral runs (pools split in 2 jobs), waits until each has
//                                               run a phase, pauses them (durably, before their next phase): prints ids
//   node cluster-runs.mjs <base> finish <file>  resumes them, waits for the end; every run completed, each hidden unit
//                                               installed once, phases numbered without gaps
import { readFileSync } from "node:fs"

const [base, mode, file] = process.argv.slice(2)
const call = async (method, path, body) => {
  const res = await fetch(base + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000)
  })
  const json = await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`)
  return json.data
}
const until = async (label, timeoutMs, f) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await f().catch(() => undefined)
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
const terminal = (s) => ["completed", "failed", "stopped"].includes(s)

if (mode === "start") {
  const ids = []
  for (const seed of [1, 2, 3]) {
    const run = await call("POST", "/v1/runs", { preset: "twoSpirals", params: { seed }, dataset: { kind: "two_spirals" }, candidate_chunks: 2 })
    ids.push(run.run_id)
  }
  await until("every run ran a phase", 120_000, async () => {
    const infos = await Promise.all(ids.map((id) => call("GET", `/v1/runs/${id}`)))
    return infos.every((i) => i.phases >= 1 || terminal(i.state))
  })
  for (const id of ids) await call("POST", `/v1/runs/${id}/pause`).catch((e) => console.error(`pause ${id}: ${e.message}`))
  const paused = await until("the pauses to land", 60_000, async () => {
    const infos = await Promise.all(ids.map((id) => call("GET", `/v1/runs/${id}`)))
    return infos.every((i) => i.state === "paused" || terminal(i.state)) ? infos : undefined
  })
  const mid = paused.filter((i) => i.state === "paused")
  if (mid.length === 0) throw new Error("every run ended before it could be paused")
  console.error(`runs ${ids.join(", ")}: ${mid.length} paused mid-run (phases ${mid.map((i) => i.phases).join(", ")})`)
  console.log(JSON.stringify({ ids }))
} else if (mode === "finish") {
  const { ids } = JSON.parse(readFileSync(file, "utf8"))
  for (const id of ids) await call("POST", `/v1/runs/${id}/resume`).catch((e) => console.error(`resume ${id}: ${e.message}`))
  const infos = await until("every run to end", 300_000, async () => {
    const all = await Promise.all(ids.map((id) => call("GET", `/v1/runs/${id}`)))
    return all.every((i) => terminal(i.state)) ? all : undefined
  })
  let bad = 0
  for (const info of infos) {
    const { phases } = await call("GET", `/v1/runs/${info.run_id}/metrics`)
    const units = phases.filter((p) => p.kind === "candidate" && p.unit !== null).map((p) => p.unit)
    const unique = new Set(units).size === units.length && units.every((u, i) => u === i)
    const numbered = phases.every((p, i) => p.phase === i)
    const ok = info.state === "completed" && info.status?.hidden_units === units.length && unique && numbered
    if (!ok) bad++
    console.log(
      `${ok ? "ok  " : "BAD "} ${info.run_id}: ${info.state}${info.error ? ` (${info.error})` : ""}, ${info.status?.hidden_units} hidden units, ` +
        `${phases.length} phases, units installed once: ${unique}, runners ${[...new Set(phases.map((p) => p.runner))].join(" ")}, ` +
        `jobs per candidate phase ${[...new Set(phases.filter((p) => p.jobs !== null).map((p) => p.jobs))].join("/")}`
    )
  }
  process.exit(bad ? 1 : 0)
} else {
  console.error("usage: cluster-runs.mjs <base> start | finish <file>")
  process.exit(2)
}
