// Child process for the crash test: saves one large dataset after another into a LocalFS store until killed.
// Bundled with esbuild by store.test.ts and run with node.
import { Effect, Either } from "effect"
import { prepareDataset, runGenerator } from "../../src/generators/index.js"
import { encodeNpz } from "../../src/npz/npz.js"
import { buildDatasetMeta } from "../../src/service/meta.js"
import { makeLocalFsDatasetStore } from "../../src/store/local-fs.js"

const dir = process.argv[2]!
const prepared = Either.getOrThrow(prepareDataset("spiral", {}))
const template = buildDatasetMeta(
  prepared,
  Either.getOrThrow(runGenerator(prepared)),
  { name: null, description: null, created_by: null, parent_dataset_id: null, tags: [], ttl_seconds: null },
  new Date()
)
// 16 MiB stored uncompressed, so each write takes long enough to be interrupted.
const values = new Float32Array(4_000_000)
for (let i = 0; i < values.length; i++) values[i] = i
const npz = encodeNpz([["X_full", { descr: "<f4", shape: [2_000_000, 2], data: values }]], { level: 0 })

Effect.runPromise(
  Effect.gen(function* () {
    const store = yield* makeLocalFsDatasetStore({ directory: dir })
    for (let i = 0; ; i++) {
      yield* store.save({ ...template, dataset_id: `kill-${String(i).padStart(4, "0")}` }, npz)
      process.stdout.write(`saved ${i}\n`)
    }
  })
).catch((e) => {
  console.error(e)
  process.exit(1)
})
