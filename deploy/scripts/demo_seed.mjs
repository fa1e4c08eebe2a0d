// demo-seed (compose `demo` profile, roadmap §7.6): creates the canonical demo dataset in JuniperData, then exits.
// JuniperCascor's demo service waits for this container to complete successfully before it auto-starts training.
//
//   node demo_seed.mjs                      (all settings from the environment)
//
// JUNIPER_DATA_URL           JuniperData base URL (default http://juniper-data:8100)
// JUNIPER_DATA_API_KEY[_FILE] key for X-API-Key when JuniperData has keys configured (first line of the file)
// DEMO_SEED_GENERATOR        generator name (default spiral)
// DEMO_SEED_PARAMS           JSON params (default two spirals, 200 points each, noise 0.15, seed 42)
// DEMO_SEED_TIMEOUT_SECONDS  how long to wait for JuniperData to become ready (default 60)
import { readFileSync } from "node:fs"

const base = (process.env.JUNIPER_DATA_URL || "http://juniper-data:8100").replace(/\/+$/, "")
const generator = process.env.DEMO_SEED_GENERATOR || "spiral"
const params = JSON.parse(process.env.DEMO_SEED_PARAMS || '{"n_spirals":2,"n_points_per_spiral":200,"noise":0.15,"seed":42}')
const deadline = Date.now() + Number(process.env.DEMO_SEED_TIMEOUT_SECONDS || 60) * 1000

const apiKey = (() => {
  const file = process.env.JUNIPER_DATA_API_KEY_FILE
  if (file) {
    const first = readFileSync(file, "utf8").split(/[\r\n,]/).map((k) => k.trim()).find((k) => k !== "")
    if (first) return first
  }
  return process.env.JUNIPER_DATA_API_KEY || undefined
})()
const headers = { "content-type": "application/json", ...(apiKey ? { "x-api-key": apiKey } : {}) }
const log = (msg) => console.log(`demo-seed: ${msg}`)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
// fetch with a referenced timeout timer (AbortSignal.timeout's is unreferenced: with nothing else pending, a top-level
// await would end the process with exit code 13).
const fetchWithin = async (url, ms, init = {}) => {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${ms} ms`)), ms)
  try {
    return await fetch(url, { ...init, signal: abort.signal })
  } finally {
    clearTimeout(timer)
  }
}

for (;;) {
  try {
    const res = await fetchWithin(`${base}/v1/health/ready`, 3000)
    if (res.ok) break
    log(`JuniperData not ready yet (HTTP ${res.status})`)
  } catch (e) {
    log(`JuniperData not reachable yet (${e.cause?.code ?? e.message})`)
  }
  if (Date.now() > deadline) {
    log(`giving up: ${base} not ready`)
    process.exit(1)
  }
  await sleep(1000)
}

const body = { generator, params, persist: true, name: "demo-spiral", description: "Juniper demo dataset", tags: ["demo"] }
for (let attempt = 1; ; attempt++) {
  try {
    const res = await fetchWithin(`${base}/v1/datasets`, 30000, { method: "POST", headers, body: JSON.stringify(body) })
    const text = await res.text()
    if (res.status === 200 || res.status === 201) {
      const created = JSON.parse(text)
      log(`dataset ${created.dataset_id} ready (${generator}, ${created.meta?.n_samples ?? "?"} samples)`)
      process.exit(0)
    }
    // 4xx other than 429 will not get better by retrying.
    if (res.status !== 429 && res.status < 500) {
      log(`JuniperData refused the dataset: HTTP ${res.status} ${text}`)
      process.exit(1)
    }
    log(`attempt ${attempt}: HTTP ${res.status}`)
  } catch (e) {
    log(`attempt ${attempt}: ${e.message}`)
  }
  if (Date.now() > deadline) process.exit(1)
  await sleep(1000 * Math.min(attempt, 5))
}
