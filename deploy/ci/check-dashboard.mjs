// Lints the Grafana dashboard against its provisioning and, when given, against live /metrics output.
//
//   node check-dashboard.mjs DASHBOARD.json DATASOURCE.yml RULES_OUT.yml [SERVICE=METRICS_FILE ...]
//
// - the JSON parses; uid, title, unique panel ids, every panel placed on the grid;
// - every panel and target uses the provisioned datasource uid;
// - every PromQL expression is written to RULES_OUT.yml as a recording rule, so `promtool check rules` checks its
//   syntax (Grafana's $__rate_interval becomes 1m);
// - for each SERVICE=FILE given (Prometheus text scraped from that running service), every metric the dashboard
//   reads from that service exists in the scrape. Metrics of services not given are not checked (not built yet).
import { readFileSync, writeFileSync } from "node:fs"

const [dashFile, dsFile, rulesOut, ...scrapes] = process.argv.slice(2)
const problems = []
const dash = JSON.parse(readFileSync(dashFile, "utf8"))
const dsUid = /^\s*uid:\s*(\S+)/m.exec(readFileSync(dsFile, "utf8"))?.[1]
if (!dsUid) problems.push(`${dsFile}: no datasource uid`)
if (!dash.uid || !dash.title) problems.push("dashboard needs uid and title")

const ids = new Set()
const exprs = []
const walk = (panels) => {
  for (const p of panels ?? []) {
    if (ids.has(p.id)) problems.push(`duplicate panel id ${p.id}`)
    ids.add(p.id)
    const g = p.gridPos
    if (!g || ![g.h, g.w, g.x, g.y].every(Number.isInteger) || g.x + g.w > 24) problems.push(`panel "${p.title}": bad gridPos`)
    if (p.type !== "row") {
      if (p.datasource?.uid !== dsUid) problems.push(`panel "${p.title}": datasource ${JSON.stringify(p.datasource)} is not ${dsUid}`)
      if (!p.targets?.length) problems.push(`panel "${p.title}": no targets`)
      for (const t of p.targets ?? []) {
        if (t.datasource?.uid !== dsUid) problems.push(`panel "${p.title}" ${t.refId}: datasource is not ${dsUid}`)
        if (!t.expr) problems.push(`panel "${p.title}" ${t.refId}: no expr`)
        else exprs.push({ panel: p.title, expr: t.expr })
      }
    }
    walk(p.panels)
  }
}
walk(dash.panels)

// PromQL syntax through promtool: one recording rule per expression.
const rules = exprs.map((e, i) => `      - record: juniper:dashboard_expr_${i}\n        expr: ${JSON.stringify(e.expr.replaceAll("$__rate_interval", "1m"))}`)
writeFileSync(rulesOut, `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`)

// Metric names per service: literal names, and __name__=~"juniper_(a|b)_suffix" expanded over the alternatives.
const wanted = new Map() // service -> Set(metric)
const add = (name) => {
  const m = /^juniper_(data|cascor|canopy)_/.exec(name)
  if (!m) return
  if (!wanted.has(m[1])) wanted.set(m[1], new Set())
  wanted.get(m[1]).add(name.replace(/_(bucket|sum|count)$/, "_bucket"))
}
for (const { expr } of exprs) {
  for (const m of expr.matchAll(/__name__=~"juniper_\(([a-z|]+)\)_([a-z_]+)"/g))
    for (const svc of m[1].split("|")) add(`juniper_${svc}_${m[2]}`)
  for (const m of expr.replace(/__name__=~"[^"]*"/g, "").matchAll(/\bjuniper_[a-z_]+\b/g)) add(m[0])
}
const checked = []
for (const arg of scrapes) {
  const [svc, file] = arg.split("=")
  const text = readFileSync(file, "utf8")
  const have = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/gm)].map((m) => m[1]))
  for (const name of wanted.get(svc) ?? []) {
    const ok = have.has(name) || (name.endsWith("_bucket") && have.has(name))
    if (!ok) problems.push(`${svc}: the dashboard reads ${name}, which ${svc}'s /metrics does not expose`)
  }
  checked.push(`${svc} (${(wanted.get(svc) ?? new Set()).size} metrics)`)
}
for (const p of problems) console.error(`FAIL ${p}`)
console.log(`${ids.size} panels, ${exprs.length} expressions; metric names checked against: ${checked.join(", ") || "no live service"}`)
process.exit(problems.length ? 1 : 0)
