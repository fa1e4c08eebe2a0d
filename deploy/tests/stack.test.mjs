// Integration tests of a running Juniper stack (the compose `test` profile's test-runner; also runnable by hand
// against any deployment):
//
//   JUNIPER_STACK_DATA_URL=http://127.0.0.1:8100 JUNIPER_STACK_CASCOR_URL=http://127.0.0.1:8200 \
//   JUNIPER_STACK_CANOPY_URL=http://127.0.0.1:8050 node --test deploy/tests/stack.test.mjs
//
// JUNIPER_STACK_SERVICES (default data,cascor,canopy) names the services under test. API keys, when the stack has
// them, come from JUNIPER_DATA_API_KEY[_FILE] and JUNIPER_CASCOR_API_KEY[_FILE] (first key of the file).
// Node's own test runner: no dependencies, so the test image is the bare Node base.
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { describe, test } from "node:test"

const env = process.env
const urls = {
  data: env.JUNIPER_STACK_DATA_URL || "http://127.0.0.1:8100",
  cascor: env.JUNIPER_STACK_CASCOR_URL || "http://127.0.0.1:8200",
  canopy: env.JUNIPER_STACK_CANOPY_URL || "http://127.0.0.1:8050"
}
const services = (env.JUNIPER_STACK_SERVICES || "data,cascor,canopy").split(",").map((s) => s.trim()).filter(Boolean)
const dependenciesOf = { data: [], cascor: ["juniper_data"], canopy: ["juniper_data", "juniper_cascor"] }

const firstKey = (prefix) => {
  const file = env[`${prefix}_FILE`]
  if (file) {
    const key = readFileSync(file, "utf8").split(/[\r\n,]/).map((k) => k.trim()).find((k) => k !== "")
    if (key) return key
  }
  return env[prefix] || undefined
}
const keys = { data: firstKey("JUNIPER_DATA_API_KEY"), cascor: firstKey("JUNIPER_CASCOR_API_KEY") }

const call = async (svc, path, { method = "GET", body, key = keys[svc], headers = {} } = {}) => {
  const res = await fetch(`${urls[svc]}${path}`, {
    method,
    redirect: "manual",
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(key ? { "x-api-key": key } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30000)
  })
  const buf = Buffer.from(await res.arrayBuffer())
  const text = buf.toString("utf8")
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json, buf }
}

for (const svc of services) {
  describe(`juniper-${svc} at ${urls[svc]}`, () => {
    test("GET /v1/health answers ok and names the service", async () => {
      const r = await call(svc, "/v1/health")
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.status, "ok")
      assert.equal(r.json.service, `juniper-${svc}`)
      assert.equal(typeof r.json.version, "string")
    })

    test("GET /v1/health/live answers alive", async () => {
      const r = await call(svc, "/v1/health/live")
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.status, "alive")
    })

    test("GET /v1/health/ready is ready, with every dependency healthy", async () => {
      const r = await call(svc, "/v1/health/ready")
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.status, "ready", r.text)
      assert.equal(r.json.service, `juniper-${svc}`)
      for (const dep of dependenciesOf[svc]) {
        assert.ok(r.json.dependencies?.[dep], `dependency ${dep} reported (${r.text})`)
        assert.equal(r.json.dependencies[dep].status, "healthy", `${dep}: ${JSON.stringify(r.json.dependencies[dep])}`)
      }
    })

    test("GET /metrics is Prometheus text with the HTTP request counters", async () => {
      const r = await call(svc, "/metrics")
      assert.equal(r.status, 200, `metrics refused (HTTP ${r.status}): is this network in METRICS_TRUSTED_IPS?`)
      assert.match(r.headers.get("content-type") ?? "", /text\/plain/)
      assert.match(r.text, new RegExp(`^# TYPE juniper_${svc}_http_requests_total counter`, "m"))
    })
  })
}

if (services.includes("data"))
  describe("juniper-data datasets", () => {
    test("create a seeded spiral, read its metadata and NPZ artifact, delete it", async () => {
      const params = { n_spirals: 2, n_points_per_spiral: 50, noise: 0.1, seed: 7 }
      const created = await call("data", "/v1/datasets", {
        method: "POST",
        body: { generator: "spiral", params, persist: true, tags: ["stack-test"] }
      })
      assert.equal(created.status, 201, created.text)
      const id = created.json.dataset_id
      assert.match(id, /^[A-Za-z0-9_.-]+$/)
      assert.equal(created.json.meta.n_samples, 100)

      const meta = await call("data", `/v1/datasets/${id}`)
      assert.equal(meta.status, 200, meta.text)
      assert.equal(meta.json.generator, "spiral")

      const npz = await call("data", `/v1/datasets/${id}/artifact`)
      assert.equal(npz.status, 200)
      assert.equal(npz.buf.subarray(0, 4).toString("hex"), "504b0304", "the artifact is a zip (NPZ)")

      const listed = await call("data", "/v1/datasets?limit=1000")
      assert.ok(listed.json.includes(id), "listed")

      const del = await call("data", `/v1/datasets/${id}`, { method: "DELETE" })
      assert.equal(del.status, 204, del.text)
      assert.equal((await call("data", `/v1/datasets/${id}`)).status, 404)
    })

    test("with API keys configured, a request without the key is refused", { skip: !keys.data && "no API key configured" }, async () => {
      const r = await call("data", "/v1/generators", { key: null })
      assert.equal(r.status, 401, r.text)
      const ok = await call("data", "/v1/generators")
      assert.equal(ok.status, 200, ok.text)
    })
  })

if (services.includes("cascor"))
  describe("juniper-cascor training API", () => {
    test("GET /v1/training/status answers in the success envelope", async () => {
      const r = await call("cascor", "/v1/training/status")
      assert.equal(r.status, 200, r.text)
      assert.equal(r.json.status, "success")
      assert.ok(r.json.data && typeof r.json.data === "object")
    })
  })

if (services.includes("canopy"))
  describe("juniper-canopy dashboard", () => {
    test("GET / leads to the dashboard", async () => {
      let r = await call("canopy", "/")
      if (r.status >= 300 && r.status < 400) {
        const location = r.headers.get("location") ?? ""
        assert.match(location, /dashboard/)
        r = await call("canopy", new URL(location, urls.canopy).pathname)
      }
      assert.equal(r.status, 200)
      assert.match(r.text, /<html/i)
    })
  })
