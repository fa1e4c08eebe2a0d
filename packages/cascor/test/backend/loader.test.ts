/** Loader states and backend selection (ts | cpu | cuda | auto) through Effect Config. */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Effect, Either, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  addonCandidates,
  CascorBackend,
  KernelsLive,
  kernelsLayerFor,
  loadNativeAddon,
  resetNativeLoaderCache,
  selectBackendFrom
} from "../../src/backend/index.js"
import type { NativeLoad } from "../../src/backend/index.js"
import { CascorKernels } from "../../src/engine/service.js"
import { tsKernels } from "../../src/engine/ts-kernels.js"
import { built } from "./helpers.js"

const clean = { ...process.env, JUNIPER_NATIVE_ADDON: undefined, JUNIPER_NATIVE_REQUIRED: undefined }
const missing = { ...clean, JUNIPER_NATIVE_ADDON: "/nonexistent/dir/juniper_native.node" }

describe("native loader", () => {
  it.runIf(built)("built addon → cpu (or cuda on a GPU machine), with the reason", () => {
    const load = loadNativeAddon(clean)
    expect(load.loaded).toBe(true)
    if (!load.loaded) return
    expect(["cpu", "cuda"]).toContain(load.backend)
    expect(load.backend).toBe(load.info.backend)
    expect(load.path).toMatch(/juniper_native\.node$/)
    expect(load.reason).toContain(load.path)
    expect(load.info.threads).toBeGreaterThanOrEqual(1)
    expect(["avx512", "avx2", "generic"]).toContain(load.info.isa)
  })

  it("JUNIPER_NATIVE_ADDON pointing to a missing file → ts, with the path and the reason", () => {
    expect(addonCandidates(missing)).toEqual(["/nonexistent/dir/juniper_native.node"])
    const load = loadNativeAddon(missing)
    expect(load.loaded).toBe(false)
    expect(load.backend).toBe("ts")
    if (load.loaded) return
    expect(load.attempts).toHaveLength(1)
    expect(load.attempts[0]).toMatchObject({ path: "/nonexistent/dir/juniper_native.node", code: "ENOENT" })
    expect(load.reason).toContain("/nonexistent/dir/juniper_native.node")
    expect(load.reason).toContain("TypeScript kernels")
  })

  it("a file that is not an addon → ts with the loader's error", () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-loader-"))
    const file = join(dir, "juniper_native.node")
    writeFileSync(file, "not an ELF file")
    const load = loadNativeAddon({ ...clean, JUNIPER_NATIVE_ADDON: file })
    expect(load.loaded).toBe(false)
    if (load.loaded) return
    expect(load.attempts[0]!.path).toBe(file)
    expect(load.attempts[0]!.message.length).toBeGreaterThan(0)
  })

  it("JUNIPER_NATIVE_REQUIRED=1 turns a failed load into an error naming every attempt", () => {
    resetNativeLoaderCache()
    expect(() => loadNativeAddon({ ...missing, JUNIPER_NATIVE_REQUIRED: "1" })).toThrow(
      /JUNIPER_NATIVE_REQUIRED=1.*\/nonexistent\/dir\/juniper_native\.node/
    )
  })
})

describe("backend selection", () => {
  const failed: NativeLoad = { loaded: false, backend: "ts", attempts: [], reason: "not built" }

  it("ts is always available; auto falls back to ts without an addon; cpu and cuda are typed errors", () => {
    expect(Either.getOrThrow(selectBackendFrom("ts", failed)).kernels).toBe(tsKernels)
    const auto = Either.getOrThrow(selectBackendFrom("auto", failed))
    expect(auto.backend).toBe("ts")
    expect(auto.reason).toBe("not built")
    for (const requested of ["cpu", "cuda"] as const) {
      const r = selectBackendFrom(requested, failed)
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("BackendUnavailable")
        expect(r.left.requested).toBe(requested)
      }
    }
  })

  it.runIf(built)("with the addon: auto → its best backend, cpu → cpu, cuda → error unless a GPU is usable", () => {
    const load = loadNativeAddon(clean)
    const auto = Either.getOrThrow(selectBackendFrom("auto", load))
    expect(auto.backend).toBe(load.backend)
    expect(auto.kernels.backend).toBe(load.backend)
    expect(Either.getOrThrow(selectBackendFrom("cpu", load)).kernels.backend).toBe("cpu")
    const cuda = selectBackendFrom("cuda", load)
    if (load.backend === "cuda") expect(Either.getOrThrow(cuda).kernels.backend).toBe("cuda")
    else expect(Either.isLeft(cuda) && cuda.left.message).toMatch(/no usable CUDA device/)
  })

  const viaConfig = (backend?: string) => {
    const provider = ConfigProvider.fromMap(new Map(backend === undefined ? [] : [["backend", backend]]))
    return Effect.gen(function* () {
      const kernels = yield* CascorKernels
      const selection = yield* CascorBackend
      return { kernels, selection }
    }).pipe(Effect.provide(KernelsLive), Effect.withConfigProvider(provider), Effect.runSyncExit)
  }

  it("JUNIPER_CASCOR_BACKEND=ts (Config key `backend`) provides the TS kernels", () => {
    const exit = viaConfig("ts")
    expect(Exit.isSuccess(exit) && exit.value.kernels).toBe(tsKernels)
  })

  it.runIf(built)("the default is auto: the addon's best backend", () => {
    const exit = viaConfig()
    expect(Exit.isSuccess(exit)).toBe(true)
    if (Exit.isSuccess(exit)) {
      expect(exit.value.selection.requested).toBe("auto")
      expect(exit.value.kernels.backend).toBe(loadNativeAddon(clean).backend)
    }
  })

  it("an unknown backend name is a config error", () => {
    const exit = viaConfig("gpu")
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) && exit.cause)).toMatch(/backend/)
  })

  it("an explicit unavailable backend fails the layer with BackendUnavailable", () => {
    const layer = kernelsLayerFor("cuda")
    const exit = Effect.runSyncExit(
      Effect.provide(CascorKernels, layer).pipe(Effect.provide(Layer.empty))
    )
    if (built && loadNativeAddon(clean).backend === "cuda") expect(Exit.isSuccess(exit)).toBe(true)
    else expect(String(Exit.isFailure(exit) && exit.cause)).toMatch(/BackendUnavailable/)
  })
})
