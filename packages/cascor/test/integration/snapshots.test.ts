// Snapshots across process lifetimes: save → stop the service → start a new one → restore → continue ends with the
// same network, bit for bit, as an uninterrupted run with the same seed; and a `kill -9` in the middle of a snapshot
// write leaves the previous snapshot intact and loadable (the torn write is swept at start-up).
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { built, call, data, type ServiceProcess, sleep, startCascor, startData, status, tempDir, until } from "./helpers.js"

const NETWORK = { candidate_pool_size: 6, max_hidden_units: 10, candidate_epochs: 80, output_epochs: 80, random_seed: 21 }
const DATASET = { generator: "spiral", params: { n_points_per_spiral: 60, noise: 0.2, seed: 9 } }

const train = async (svc: ServiceProcess) => {
  await data(svc, "POST", "/v1/network", NETWORK)
  await data(svc, "POST", "/v1/training/start", { dataset: DATASET })
}
const completed = (svc: ServiceProcess) => until(async () => (await status(svc)).state_machine.status === "COMPLETED", 120_000, "COMPLETED")

describe.runIf(built)("snapshots across restarts (real processes)", () => {
  let dataSvc: ServiceProcess
  beforeAll(async () => {
    dataSvc = await startData()
  })
  afterAll(async () => {
    await dataSvc?.stop()
  })

  for (const backend of ["ts", "auto"] as const)
    it(`save → stop → start → restore → continue equals the uninterrupted run (backend ${backend})`, async () => {
      const env = { JUNIPER_DATA_URL: dataSvc.baseUrl, JUNIPER_CASCOR_BACKEND: backend }
      const one = await startCascor(env)
      await train(one)
      await completed(one)
      const full = await data(one, "GET", "/v1/network/topology")
      const fullStatus = await status(one)
      await one.stop()
      expect(full.hidden_units.length).toBeGreaterThan(3)

      const dir = tempDir()
      // Paced (candidate phases ≥ 1 s apart; the results do not change) so that the pause lands mid-run on any machine.
      const two = await startCascor({ ...env, JUNIPER_CASCOR_SNAPSHOTS_DIR: dir, JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: "1" })
      await train(two)
      await until(async () => (await status(two)).current_epoch >= 3, 60_000, "3 steps")
      await data(two, "POST", "/v1/training/pause")
      // The snapshot waits for the phase in flight (if any): the run rests between phases.
      const meta = await data(two, "POST", "/v1/snapshots", { description: "before restart" })
      expect(meta).toMatchObject({ description: "before restart", kind: "manual", format: "juniper.cascor.snapshot", format_version: 1 })
      expect(meta.path).toBe(join(dir, `${meta.snapshot_id}.json`))
      const atSave = await status(two)
      expect(await two.stop()).toBe(0)

      const three = await startCascor({ ...env, JUNIPER_CASCOR_SNAPSHOTS_DIR: dir })
      const list = await data(three, "GET", "/v1/snapshots")
      expect(list).toMatchObject({ total: 1, snapshots: [{ snapshot_id: meta.snapshot_id }] })
      expect(await data(three, "GET", `/v1/snapshots/${meta.snapshot_id}`)).toMatchObject({ snapshot_id: meta.snapshot_id, network: meta.network })
      const restored = await data(three, "POST", `/v1/snapshots/${meta.snapshot_id}/restore`)
      expect(restored).toMatchObject({ snapshot_id: meta.snapshot_id, operation: "restore", status: "restored", fsm_state: "INVESTIGATING" })
      const after = await status(three)
      expect(after.current_epoch).toBe(atSave.current_epoch)
      expect(after.monitor.current_hidden_units).toBe(atSave.monitor.current_hidden_units)
      expect((await data(three, "GET", "/v1/dataset")).source.dataset_id).toMatch(/^spiral-/)
      await data(three, "POST", "/v1/training/start")
      await completed(three)
      expect(await data(three, "GET", "/v1/network/topology")).toEqual(full)
      const end = await status(three)
      expect(end.current_epoch).toBe(fullStatus.current_epoch)
      expect(end.completion_reason).toBe(fullStatus.completion_reason)
      await three.stop()
    }, 300_000)

  it("kill -9 during a snapshot write leaves the previous snapshot intact and loadable", async () => {
    const dir = tempDir()
    const env = { JUNIPER_DATA_URL: dataSvc.baseUrl, JUNIPER_CASCOR_SNAPSHOTS_DIR: dir }
    const slow = await startCascor({ ...env, JUNIPER_CASCOR_SNAPSHOT_WRITE_DELAY_MS: "250", JUNIPER_CASCOR_TRAINING_STEP_INTERVAL_SEC: "1" })
    await train(slow)
    await until(async () => (await status(slow)).current_epoch >= 2, 60_000, "2 steps")
    await data(slow, "POST", "/v1/training/pause")
    await sleep(200)
    const first = await data(slow, "POST", "/v1/snapshots", { description: "good" })
    await data(slow, "POST", "/v1/training/resume")
    await sleep(200)
    void call(slow, "POST", "/v1/snapshots", { description: "torn" }).catch(() => undefined)
    await until(() => readdirSync(dir).some((n) => n.includes(".tmp-")), 10_000, "a write in progress")
    await sleep(300)
    expect(readdirSync(dir).filter((n) => n.endsWith(".json"))).toEqual([`${first.snapshot_id}.json`])
    await slow.kill()

    const next = await startCascor(env)
    expect(readdirSync(dir)).toEqual([`${first.snapshot_id}.json`]) // the torn temp file is gone
    const list = await data(next, "GET", "/v1/snapshots")
    expect(list.total).toBe(1)
    expect(list.snapshots[0]).toMatchObject({ snapshot_id: first.snapshot_id, description: "good" })
    expect(await data(next, "POST", `/v1/snapshots/${first.snapshot_id}/restore`)).toMatchObject({ status: "restored" })
    await data(next, "POST", "/v1/training/start")
    await completed(next)
    expect(existsSync(join(dir, `${first.snapshot_id}.json`))).toBe(true)
    // Errors: unknown id 404, bad id 400, restore while training 409, delete.
    expect((await call(next, "GET", "/v1/snapshots/unknown_id")).status).toBe(404)
    expect((await call(next, "GET", "/v1/snapshots/bad.id")).status).toBe(400)
    expect((await call(next, "DELETE", `/v1/snapshots/${first.snapshot_id}`)).status).toBe(200)
    expect((await data(next, "GET", "/v1/snapshots")).total).toBe(0)
    await next.stop()
  }, 180_000)
})
