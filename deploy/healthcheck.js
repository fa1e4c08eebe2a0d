// Container health check (Docker HEALTHCHECK / compose `healthcheck:`): exit 0 iff the service answers 2xx.
//
//   node /app/deploy/healthcheck.js <data|cascor|canopy|PORT> [PATH]
//
// The port comes from the service's own setting when it is set (JUNIPER_DATA_PORT, JUNIPER_CASCOR_PORT,
// JUNIPER_CANOPY_SERVER__PORT), so a changed port needs no change here; PATH defaults to /v1/health/ready, which
// answers 200 for "ready" and "degraded" and 503 for "not_ready". No curl, no shell: images run this with Node.
// A dynamic import keeps the file valid whether the nearest package.json says CommonJS or ESM.
import("node:http").then(({ get }) => {
  const [target = "8100", path = process.env.HEALTHCHECK_PATH || "/v1/health/ready"] = process.argv.slice(2)
  const fromEnv = { data: ["JUNIPER_DATA_PORT", 8100], cascor: ["JUNIPER_CASCOR_PORT", 8200], canopy: ["JUNIPER_CANOPY_SERVER__PORT", 8050] }
  const known = fromEnv[target]
  const port = known ? Number(process.env[known[0]] || known[1]) : Number(target)
  const req = get({ host: "127.0.0.1", port, path, timeout: 2000 }, (res) => {
    res.resume()
    process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1)
  })
  req.on("timeout", () => req.destroy(new Error("timeout")))
  req.on("error", (e) => {
    process.stderr.write(`healthcheck: ${e.message}\n`)
    process.exit(1)
  })
})
