// The same scenario (./scenario.ts) against the fakes and against the real services: the fakes honour the interface.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ManagedRuntime } from "effect"
import type { ServiceProcess } from "@juniper/core"
import { layerCascor, layerFakeCascor } from "../../src/client/index.js"
import { built, startCascor, startData } from "../integration/helpers.js"
import { dashboardScenario } from "./scenario.js"

describe("the dashboard scenario", () => {
  it("passes against the fakes", async () => {
    const rt = ManagedRuntime.make(layerFakeCascor({ scenario: "idle", stream: { delay: 5 } }))
    const out = await rt.runPromise(dashboardScenario)
    expect(out.hiddenUnits).toBeGreaterThanOrEqual(2)
    await rt.dispose()
  })

  describe.runIf(built)("against node dist/data + node dist/cascor", () => {
    let data: ServiceProcess
    let cascor: ServiceProcess
    beforeAll(async () => {
      data = await startData()
      cascor = await startCascor({ JUNIPER_DATA_URL: data.baseUrl })
    })
    afterAll(async () => {
      await cascor?.stop()
      await data?.stop()
    })

    it("passes unchanged", async () => {
      const rt = ManagedRuntime.make(layerCascor({ baseUrl: cascor.baseUrl, retries: 1, backoffMs: 50 }))
      const out = await rt.runPromise(dashboardScenario)
      expect(out.hiddenUnits).toBeGreaterThanOrEqual(2)
      await rt.dispose()
    })
  })
})

