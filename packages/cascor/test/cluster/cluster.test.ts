// JuniperCascor on Effect Cluster with PostgreSQL, end to end with real processes: one API process and three
// runner processes (`node dist/cascor` with CLUSTER__ROLE=api|runner) on a fresh database.
//
// - 12 concurrent runs complete, each equal, unit for unit, to the same run trained in this process (same seed,
//   same backend) — candidate jobs split over the runners.
// - Bad input: invalid parameters 422, unknown run 404, malformed id 400, taken id 409, oversized payloads 413.
// - A malformed candidate job gets a typed error reply and the runner keeps serving.
// - SIGTERM: a runner drains its in-flight candidate jobs (each started job replies) and exits cleanly.
// - kill -9 of a runner in the middle of runs: every run completes, equal to its reference; no hidden unit is
//   installed twice; journaled phases are not run again.
import { Effect, Layer, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { selectBackendSync } from "../../src/backend/registry.js"
import { defaultClusterSettings } from "../../src/cluster/config.js"
import { clusterCore } from "../../src/cluster/layers.js"
import { CandidateTrainer } from "../../src/cluster/protocol.js"
import { twoSpirals } from "../../src/engine/datasets.js"
import { makeParams } from "../../src/engine/params.js"
import { trainSync } from "../../src/engine/runs.js"
import { topologyOf } from "../../src/session/views.js"
import {
  built,
  call,
  data,
  freshDatabase,
  logLines,
  pgReachable,
  query,
  type Runner,
  sleep,
  startApi,
  startRunner,
  until
} from "./helpers.js"
import type { ServiceProcess } from "@juniper/core"
import WebSocket from "ws"

/** A recording /ws/training client. It sends no resume (after the resume window it gets a fresh connect) and answers
 * the server's heartbeat `ping` with a `pong`, as the contract asks of clients (a silent client is closed with 1011
 * after heartbeat interval + pong timeout, 40 s by default: longer than a slow machine's heavy run). */
const watch = (url: string) => {
  const frames: Array<any> = []
  const closed: { code: number; reason: string } = { code: 0, reason: "" }
  const ws = new WebSocket(url)
  ws.on("message", (d) => {
    const f = JSON.parse(String(d))
    if (f.type === "ping") ws.send(JSON.stringify({ type: "pong", ts: f.ts }))
    else frames.push(f)
  })
  ws.on("close", (code, reason) => Object.assign(closed, { code, reason: String(reason) }))
  const status = new Promise<number | null>((resolve) => {
    ws.once("open", () => resolve(101))
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? null))
    ws.once("error", () => resolve(null))
  })
  return { frames, status, closed, close: () => ws.close() }
}

const ready = built && (await pgReachable())
// The machine's best CPU backend (native when built), or JUNIPER_TEST_CLUSTER_BACKEND=ts|cpu.
const chosen = process.env["JUNIPER_TEST_CLUSTER_BACKEND"] ?? selectBackendSync("auto").backend
const backend = chosen === "cuda" ? "cpu" : chosen
const kernels = selectBackendSync(backend).kernels

type Params = Record<string, number>
/** The same run in this process. `chunks`: the split an explicit candidate_chunks asked for (on the TS kernels any
 * split equals the unsplit pool; the native kernels match the unsplit pool only for small pools, see autoChunks). */
const reference = (params: Params, pairs = 97, chunks = 1) => {
  const run = trainSync(kernels, makeParams("twoSpirals", params), twoSpirals(pairs), { candidateChunks: chunks }).run
  return { status: run.status(), topology: JSON.parse(JSON.stringify(topologyOf(run.network()))) }
}

const terminal = (s: string) => s === "completed" || s === "failed" || s === "stopped"

describe.runIf(ready)(`cluster on PostgreSQL: 3 runners + API (backend ${backend})`, () => {
  let db: { url: string; drop: () => Promise<void> }
  let api: ServiceProcess
  const runners: Array<Runner> = []
  const env = () => ({
    url: db.url,
    backend,
    extra: {
      JUNIPER_CASCOR_CLUSTER__MAX_DATASET_BYTES: "65536",
      JUNIPER_CASCOR_MAX_BODY_BYTES: "1048576",
      // A short heartbeat, so that the run streams below must answer pings to stay connected.
      JUNIPER_WS_HEARTBEAT_INTERVAL_SEC: "2",
      JUNIPER_WS_HEARTBEAT_PONG_TIMEOUT_SEC: "3"
    }
  })
  const base = () => api.baseUrl

  const waitAll = (ids: ReadonlyArray<string>, timeoutMs: number) =>
    until(
      async () => {
        const infos = await Promise.all(ids.map((id) => data(base(), "GET", `/v1/runs/${id}`)))
        return infos.every((i) => terminal(i.state)) ? infos : undefined
      },
      timeoutMs,
      `runs ${ids.join(", ")} to end`
    )

  /** The run equals its single-process reference unit for unit, and each hidden unit was installed once. */
  const checkRun = async (id: string, params: Params, pairs = 97, chunks = 1) => {
    const ref = reference(params, pairs, chunks)
    const info = await data(base(), "GET", `/v1/runs/${id}`)
    expect(info.state, `${id}: ${info.error}`).toBe("completed")
    expect(info.status).toMatchObject({
      epoch: ref.status.epoch,
      hidden_units: ref.status.hiddenUnits,
      crossings: ref.status.crossings,
      true_error: ref.status.trueError,
      error_bits: ref.status.errorBits
    })
    expect(await data(base(), "GET", `/v1/runs/${id}/topology`)).toEqual(ref.topology)
    const { phases } = await data(base(), "GET", `/v1/runs/${id}/metrics`)
    const units = phases.filter((p: any) => p.kind === "candidate" && p.unit !== null).map((p: any) => p.unit)
    expect(units).toEqual(Array.from({ length: ref.status.hiddenUnits }, (_, i) => i))
    expect(phases.map((p: any) => p.phase)).toEqual(phases.map((_: unknown, i: number) => i))
    return { info, phases }
  }

  beforeAll(async () => {
    db = await freshDatabase("cluster")
    // The first runner creates the tables; the others and the API start together.
    runners.push(await startRunner(env()))
    const [r2, r3, a] = await Promise.all([startRunner(env()), startRunner(env()), startApi(env())])
    runners.push(r2, r3)
    api = a
    await sleep(2000) // runners see each other (refresh interval 1 s)
  }, 180_000)

  afterAll(async () => {
    await Promise.all([api?.stop(), ...runners.map((r) => r.stop())])
    await db?.drop()
  }, 120_000)

  it("12 concurrent runs each equal the same run trained in one process", async () => {
    const specs = Array.from({ length: 12 }, (_, i) => ({
      run_id: `eq-${i}`,
      preset: "twoSpirals",
      params: { seed: 100 + i, poolSize: 8, rounds: 4, inLimit: 60, outLimit: 80 },
      dataset: { kind: "two_spirals" },
      // Any split gives the same result: unsplit (1), one job per runner (0 = auto) and five jobs.
      candidate_chunks: [1, 0, 5][i % 3]
    }))
    const created = await Promise.all(specs.map((s) => call(base(), "POST", "/v1/runs", s)))
    for (const c of created) expect(c.status).toBe(201)
    await waitAll(specs.map((s) => s.run_id), 240_000)
    const workflowRunners = new Set<string>()
    for (const s of specs) {
      const { phases } = await checkRun(s.run_id, s.params)
      for (const p of phases) {
        expect(p.attempts).toBe(1)
        workflowRunners.add(p.runner)
        // Split pools add one replay job; auto (0) is one job per runner on the TS kernels, one unsplit job on native.
        const auto = backend === "ts" ? 4 : 1
        if (p.kind === "candidate" && p.unit !== null) expect(p.jobs).toBe(s.candidate_chunks === 1 ? 1 : s.candidate_chunks === 5 ? 6 : auto)
      }
    }
    // Workflows ran on several runners, and every runner trained candidate jobs.
    expect(workflowRunners.size).toBeGreaterThan(1)
    for (const r of runners) expect(logLines(r, /candidate job finished/).length).toBeGreaterThan(0)
    const listed = await data(base(), "GET", "/v1/runs?limit=100")
    expect(listed.runs.filter((r: any) => r.kind === "workflow").length).toBe(12)
  }, 300_000)

  it("bad input: typed 4xx (invalid params 422, unknown 404, malformed id 400, taken id 409, oversized 413)", async () => {
    const bad = await call(base(), "POST", "/v1/runs", { params: { poolSize: 0 }, dataset: { kind: "xor" } })
    expect(bad.status).toBe(422)
    expect(bad.body).toMatchObject({ _tag: "CascorValidationFailed", status: "error", detail: [{ loc: ["body", "params", "poolSize"] }] })
    const unknownParam = await call(base(), "POST", "/v1/runs", { params: { poolSizes: 3 }, dataset: { kind: "xor" } })
    expect(unknownParam.status).toBe(422)
    const badDataset = await call(base(), "POST", "/v1/runs", { dataset: { kind: "inline", inputs: [[1, 2], [3]], targets: [[1], [0]] } })
    expect(badDataset.status).toBe(422)
    expect((await call(base(), "POST", "/v1/runs", { dataset: { kind: "nope" } })).status).toBe(422)
    expect((await call(base(), "GET", "/v1/runs/no-such-run")).body).toMatchObject({ _tag: "CascorNotFound" })
    expect((await call(base(), "GET", "/v1/runs/no-such-run")).status).toBe(404)
    expect((await call(base(), "POST", "/v1/runs/no-such-run/pause")).status).toBe(404)
    expect((await call(base(), "DELETE", "/v1/runs/no-such-run")).status).toBe(404)
    expect((await call(base(), "GET", "/v1/runs/no-such-run/topology")).status).toBe(404)
    expect((await call(base(), "GET", `/v1/runs/${encodeURIComponent("bad id!")}`)).status).toBe(400)
    const ws404 = watch(`${base().replace("http", "ws")}/ws/training?run=no-such-run`)
    expect(await ws404.status).toBe(404)
    expect((await call(base(), "POST", "/v1/runs", { run_id: "eq-0", dataset: { kind: "xor" } })).status).toBe(409)
    expect((await call(base(), "POST", "/v1/runs/eq-0/pause")).status).toBe(409) // completed
    // 413: an inline dataset over CLUSTER__MAX_DATASET_BYTES (64 KiB), and a body over MAX_BODY_BYTES (1 MiB).
    const rows = Array.from({ length: 9000 }, (_, i) => [i % 7, i % 5])
    const big = await call(base(), "POST", "/v1/runs", { dataset: { kind: "inline", inputs: rows, targets: rows.map((r) => [r[0]! > 3 ? 0.5 : -0.5]) } })
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({ _tag: "CascorPayloadTooLarge" })
    const huge = await call(base(), "POST", "/v1/runs", JSON.stringify({ dataset: { kind: "xor" }, pad: "x".repeat(1_200_000) }))
    expect(huge.status).toBe(413)
    // An inline dataset within the limit trains.
    const xorRows = { inputs: [[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]], targets: [[-0.5], [0.5], [0.5], [-0.5]] }
    expect((await call(base(), "POST", "/v1/runs", { run_id: "inline-xor", params: { seed: 3, rounds: 3 }, dataset: { kind: "inline", ...xorRows } })).status).toBe(201)
    const [done] = await waitAll(["inline-xor"], 60_000)
    expect(done.state).toBe("completed")
  }, 120_000)

  it("a malformed candidate job gets a typed error reply; the runner keeps serving", async () => {
    const settings = {
      ...defaultClusterSettings,
      mode: "postgres" as const,
      role: "api" as const,
      databaseUrl: Option.some(Redacted.make(db.url)),
      databaseMaxConnections: 3,
      shardsPerGroup: 60
    }
    const job = {
      key: "test/values",
      activation: 0,
      settings: { epsilon: 1, mu: 2, decay: 0, patience: 8, changeThreshold: 0.03, maxEpochs: 20 },
      meanCorrection: "fahlman",
      weightRange: 1,
      runSeed: 1,
      unit: 0,
      c0: 0,
      c1: 2,
      mode: "pool"
    }
    const f32 = (n: number, f: (i: number) => number) => new Uint8Array(Float32Array.from({ length: n }, (_, i) => f(i)).buffer)
    const concat = (...parts: Array<Uint8Array>) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
      let at = 0
      for (const p of parts) (out.set(p, at), (at += p.byteLength))
      return out
    }
    const X = f32(12, (i) => (i % 3 === 0 ? 1 : ((i * 37) % 11) / 11 - 0.5))
    const E = f32(4, (i) => (i % 2 ? 0.3 : -0.3))
    const all = concat(X, E, f32(1, () => 0))
    const values = { key: "test/values", P: 4, K: 3, O: 1, sse: 0.36, part: 0, parts: 1, offset: 0, bytes: all }
    const out = await Effect.runPromise(
      Effect.gen(function* () {
        const client = (yield* CandidateTrainer.client)("w0")
        const missing = yield* Effect.flip(client.TrainJob({ ...job, key: "never-loaded" }))
        const badBytes = yield* Effect.flip(client.LoadValues({ ...values, bytes: new Uint8Array(5) }))
        const badPart = yield* Effect.flip(client.LoadValues({ ...values, part: 3, parts: 2 }))
        const nanValues = yield* Effect.flip(client.LoadValues({ ...values, key: "test/nan", bytes: concat(X, f32(4, () => Number.NaN), f32(1, () => 0)) }))
        // Two parts, the second first: complete once both are in.
        const second = yield* client.LoadValues({ ...values, key: "test/split", parts: 2, part: 1, offset: 32, bytes: all.subarray(32) })
        const first = yield* client.LoadValues({ ...values, key: "test/split", parts: 2, part: 0, offset: 0, bytes: all.subarray(0, 32) })
        const loaded = yield* client.LoadValues(values)
        const badRange = yield* Effect.flip(client.TrainJob({ ...job, c0: 5, c1: 2 }))
        const badMode = yield* Effect.flip(client.TrainJob({ ...job, mode: "sideways" }))
        const badSettings = yield* Effect.flip(client.TrainJob({ ...job, settings: { ...job.settings, epsilon: Number.NaN } }))
        const good = yield* client.TrainJob(job)
        const fromParts = yield* client.TrainJob({ ...job, key: "test/split" })
        return { missing, badBytes, badPart, nanValues, second, first, loaded, badRange, badMode, badSettings, good, fromParts }
      }).pipe(Effect.scoped, Effect.provide(clusterCore(settings) as Layer.Layer<never, unknown>), Effect.timeout("60 seconds"))
    )
    expect(out.missing).toMatchObject({ _tag: "ValuesMissing", key: "never-loaded" })
    expect(out.badBytes).toMatchObject({ _tag: "InvalidJob", message: expect.stringContaining("5 bytes") })
    expect(out.badPart).toMatchObject({ _tag: "InvalidJob", message: expect.stringContaining("bad part 3 of 2") })
    expect(out.nanValues).toMatchObject({ _tag: "InvalidJob", message: expect.stringContaining("not finite") })
    expect(out.second).toMatchObject({ complete: false })
    expect(out.first).toMatchObject({ complete: true, bytes: 4 * (12 + 4 + 1) })
    expect(out.loaded).toMatchObject({ complete: true, bytes: 4 * (12 + 4 + 1) })
    expect(out.badRange).toMatchObject({ _tag: "InvalidJob", message: expect.stringContaining("candidate range") })
    expect(out.badMode).toMatchObject({ _tag: "InvalidJob" })
    expect(out.badSettings).toMatchObject({ _tag: "InvalidJob", message: expect.stringContaining("epsilon") })
    expect(out.good).toMatchObject({ c0: 0, c1: 2, runner: expect.stringContaining("127.0.0.1:") })
    expect(out.good.weights.byteLength).toBe(2 * 3 * 4)
    expect(out.fromParts.weights).toEqual(out.good.weights)
    // Still serving: a run trains to its reference.
    const params = { seed: 7, poolSize: 6, rounds: 2, inLimit: 40, outLimit: 60 }
    await data(base(), "POST", "/v1/runs", { run_id: "after-bad-job", preset: "twoSpirals", params, dataset: { kind: "two_spirals" } })
    await waitAll(["after-bad-job"], 60_000)
    await checkRun("after-bad-job", params)
  }, 120_000)

  it("SIGTERM drains a runner's in-flight candidate jobs before it exits", async () => {
    // Heavy jobs (a large spiral, a big pool, every epoch traced) so that one is surely in flight.
    const params = { seed: 5, poolSize: 24, rounds: 2, inLimit: 300, outLimit: 60, inputPatience: 300 }
    const pairs = 3000
    const open = (r: Runner, id: string) => {
      const started = logLines(r, new RegExp(`candidate job started ${id}/`)).map((l) => l.replace("started", "").replace(/ (pool|trace)$/, ""))
      const finished = new Set(logLines(r, new RegExp(`candidate job finished ${id}/`)).map((l) => l.replace("finished", "").replace(/ in [\d.]+ ms$/, "")))
      return started.filter((s) => !finished.has(s))
    }
    // Jobs take a fraction of a second on the native kernels: if a run ends before a poll sees one of its jobs in
    // flight, another run is started (a few at most).
    let heavy = ""
    let stream: ReturnType<typeof watch> | null = null
    let victim: Runner | undefined
    for (let attempt = 0; attempt < 4 && !victim; attempt++) {
      stream?.close()
      heavy = attempt === 0 ? "heavy" : `heavy-${attempt}`
      await data(base(), "POST", "/v1/runs", { run_id: heavy, preset: "twoSpirals", params, dataset: { kind: "two_spirals", pairs }, candidate_chunks: 3 })
      // The run's own training stream, followed live through the API while it trains on the runners.
      stream = watch(`${base().replace("http", "ws")}/ws/training?run=${heavy}`)
      expect(await stream.status).toBe(101)
      victim = await until(
        async () => {
          const hit = runners.find((r) => open(r, heavy).length > 0)
          if (hit) return hit
          const info = await data(base(), "GET", `/v1/runs/${heavy}`)
          return terminal(info.state) ? null : undefined
        },
        120_000,
        "a heavy job in flight"
      ).then((r) => r ?? undefined)
    }
    if (!victim || !stream) throw new Error("no heavy candidate job was ever seen in flight")
    const target: Runner = victim
    const followed = stream
    const inFlight = open(target, heavy)
    const code = await target.stop() // SIGTERM
    expect(code).toBe(0)
    // Every job that was in flight at SIGTERM finished (and replied) before the process exited.
    const finished = logLines(target, new RegExp(`candidate job finished ${heavy}/`)).map((l) => l.replace("finished", "").replace(/ in [\d.]+ ms$/, ""))
    for (const j of inFlight) expect(finished).toContain(j)
    runners.splice(runners.indexOf(target), 1)
    runners.push(await startRunner(env()))
    await waitAll([heavy], 240_000)
    const { phases } = await checkRun(heavy, params, pairs, 3)
    await until(() => followed.frames.some((f) => f.type === "event"), 30_000, "the stream's end event").catch((e: Error) => {
      throw new Error(`${e.message} (close: ${JSON.stringify(followed.closed)}, last frame: ${followed.frames.at(-1)?.type})`)
    })
    expect(followed.closed.code, "the server kept the answering client connected").toBe(0)
    followed.close()
    const types = followed.frames.map((f) => f.type)
    expect(types.slice(0, 4)).toEqual(["connection_established", "initial_status", "state", "initial_metrics"])
    expect(followed.frames[0].data).toMatchObject({ channel: "training", run_id: heavy })
    // One metrics row per phase (from the initial rows and the live ones), a cascade_add per unit, then the end.
    const rows = [...followed.frames[3].data.metrics, ...followed.frames.filter((f) => f.type === "metrics").map((f) => f.data)]
    expect(rows.map((r: any) => r.epoch)).toEqual(phases.map((p: any) => p.phase))
    const live = followed.frames.filter((f) => f.seq !== undefined && f.seq !== null).map((f) => f.seq)
    expect(live).toEqual([...live].sort((a, b) => a - b))
    expect(followed.frames.filter((f) => f.type === "cascade_add").length).toBeLessThanOrEqual(2)
    expect(followed.frames.at(-1)).toMatchObject({ type: "event", data: { event: "training_complete" } })
  }, 400_000)

  it("kill -9 of a runner mid-run: every run completes equal to its reference, no unit installed twice", async () => {
    const specs = Array.from({ length: 6 }, (_, i) => ({
      run_id: `kill-${i}`,
      preset: "twoSpirals",
      params: { seed: 300 + i, poolSize: 8, rounds: 8, inLimit: 80, outLimit: 80 },
      dataset: { kind: "two_spirals" }
    }))
    await Promise.all(specs.map((s) => data(base(), "POST", "/v1/runs", s)))
    // A runner that is running one of these workflows, caught between its first and last phase.
    const pidOf = (runner: string) => Number(runner.split("/").pop())
    const target = await until(
      async () => {
        const infos = await Promise.all(specs.map((s) => data(base(), "GET", `/v1/runs/${s.run_id}`)))
        const mid = infos.find((i) => i.state === "running" && i.phases >= 2 && i.runner)
        return mid ? runners.find((r) => r.child.pid === pidOf(mid.runner)) : undefined
      },
      120_000,
      "a run in progress"
    )
    const before = await Promise.all(specs.map((s) => data(base(), "GET", `/v1/runs/${s.run_id}`)))
    const onVictim = before.filter((i) => !terminal(i.state) && i.runner && pidOf(i.runner) === target.child.pid).map((i) => i.run_id)
    expect(onVictim.length).toBeGreaterThan(0)
    await target.kill() // SIGKILL
    runners.splice(runners.indexOf(target), 1)
    await waitAll(specs.map((s) => s.run_id), 300_000)
    let rerun = 0
    for (const s of specs) {
      const { phases } = await checkRun(s.run_id, s.params)
      for (const p of phases) if (p.attempts > 1) rerun++
    }
    // Only phases in flight at the kill ran again (at most one per run); the runs of the dead runner moved on.
    expect(rerun).toBeLessThanOrEqual(specs.length)
    for (const id of onVictim) {
      const { phases } = await data(base(), "GET", `/v1/runs/${id}/metrics`)
      expect(phases.at(-1).runner).not.toContain(`/${target.child.pid}`)
    }
    // The journal holds each phase once per run: no phase activity of a finished run is pending.
    const pending = await query(db.url, "SELECT count(*)::int AS n FROM cluster_messages WHERE processed = false AND tag = 'activity'")
    expect(pending[0].n).toBe(0)
  }, 420_000)
})
