// generate-spiral-1M: TypeScript spiral generation (maths, float32 cast, permutation split) against NumPy
// doing the same maths in the same run.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { splitDataset } from "../generators/split.js"
import { type SpiralParams, spiralPoints } from "../generators/spiral.js"
import { defaultRng } from "../rng/random.js"
import { type BenchCase, type BenchRow, row, timeMs } from "./report.js"

// Beyond the API's bounds (10000 points per arm), so the maths is called directly.
const PARAMS: SpiralParams = {
  n_spirals: 2,
  n_points_per_spiral: 500_000,
  n_rotations: 3,
  noise: 0.25,
  clockwise: true,
  seed: 42,
  algorithm: "modern",
  radius: 10,
  origin: [0, 0],
  train_ratio: 0.8,
  test_ratio: 0.2,
  val_ratio: 0,
  shuffle: true
}
const N = PARAMS.n_spirals * PARAMS.n_points_per_spiral

const generate = () => splitDataset(spiralPoints(PARAMS, defaultRng(PARAMS.seed)), PARAMS)
// The same without the WebAssembly PCG64 kernel: the pure TypeScript (int32-limb) bit generator.
const generatePureJs = () =>
  splitDataset(spiralPoints(PARAMS, defaultRng(PARAMS.seed, { wasm: false })), PARAMS, { wasm: false })

// The same maths in NumPy (data-api §5.2 modern + §5.1 split). It runs as a persistent child that times one
// generation per "run" line, so TS and NumPy repetitions interleave and share whatever load the machine has.
const NUMPY = `
import json, sys, time, numpy as np
S, n, nr, noise, R, seed = ${PARAMS.n_spirals}, ${PARAMS.n_points_per_spiral}, 3.0, 0.25, 10.0, 42
def gen():
    rng = np.random.default_rng(seed)
    arms, labels = [], []
    for i in range(S):
        phi = 2 * np.pi * i / S
        r = np.linspace(0, R, n)
        th = np.linspace(0, 2 * np.pi * nr, n) + phi
        x = r * np.cos(th) + noise * rng.standard_normal(n)
        y = r * np.sin(th) + noise * rng.standard_normal(n)
        arms.append(np.stack([x, y], axis=1).astype(np.float32))
        l = np.zeros((n, S), np.float32); l[:, i] = 1; labels.append(l)
    X = np.vstack(arms); Y = np.vstack(labels)
    perm = np.random.default_rng(seed).permutation(len(X))
    Xs, Ys = X[perm], Y[perm]
    nt = round(len(X) * 0.8); ne = round(len(X) * 0.2)
    return dict(X_train=Xs[:nt], y_train=Ys[:nt], X_test=Xs[nt:nt + ne], y_test=Ys[nt:nt + ne], X_full=X, y_full=Y)
out = gen()
print(json.dumps({"numpy": np.__version__, "x_train0": out["X_train"][0].tolist(),
    "x_full_last": out["X_full"][-1].tolist()}), flush=True)
for line in sys.stdin:
    t = time.perf_counter(); gen(); print((time.perf_counter() - t) * 1000, flush=True)
`

interface NumpyHello {
  readonly numpy: string
  readonly x_train0: Array<number>
  readonly x_full_last: Array<number>
}

/** A python3 child answering one line per request; null when python3/numpy is unavailable. */
const startNumpy = async (): Promise<{ hello: NumpyHello; time: () => Promise<number>; close: () => void } | null> => {
  const child = spawn("python3", ["-c", NUMPY], { stdio: ["pipe", "pipe", "ignore"] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<string | null> => {
    const r = await lines.next()
    return r.done ? null : r.value
  }
  const failed = new Promise<null>((resolve) => {
    child.on("error", () => resolve(null))
    child.on("exit", () => resolve(null))
  })
  const first = await Promise.race([next(), failed])
  if (first === null) return null
  return {
    hello: JSON.parse(first) as NumpyHello,
    time: async () => {
      child.stdin.write("run\n")
      return Number(await next())
    },
    close: () => child.stdin.end()
  }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const REPEATS = 7

export const spiralCase: BenchCase = {
  name: "generate-spiral-1M",
  description: "1M-point modern spiral (2 arms, noise 0.25) incl. float32 cast and permutation split",
  run: async (): Promise<ReadonlyArray<BenchRow>> => {
    const d = generate()
    generatePureJs() // warm-up
    const np = await startNumpy()
    const ts: Array<number> = []
    const js: Array<number> = []
    const py: Array<number> = []
    try {
      for (let i = 0; i < REPEATS; i++) {
        ts.push(timeMs(generate, { warmup: 0, repeats: 1 }).median)
        js.push(timeMs(generatePureJs, { warmup: 0, repeats: 1 }).median)
        if (np) py.push(await np.time())
      }
    } finally {
      np?.close()
    }
    const same = np
      ? JSON.stringify(Array.from(d.arrays.X_train.data.subarray(0, 2))) === JSON.stringify(np.hello.x_train0) &&
        JSON.stringify(Array.from(d.arrays.X_full.data.subarray(2 * N - 2))) === JSON.stringify(np.hello.x_full_last)
      : null
    // Best of the interleaved repetitions: the least disturbed run of each side on a shared machine.
    const best = (xs: ReadonlyArray<number>) => Math.min(...xs)
    const baseline = np && py.length > 0 ? N / (best(py) / 1000) : null
    const numpyExtras = {
      numpy_best_ms: py.length > 0 ? best(py) : null,
      numpy_median_ms: py.length > 0 ? median(py) : null,
      repeats: REPEATS,
      numpy: np?.hello.numpy ?? null
    }
    return [
      row(
        {
          case: "generate-spiral-1M",
          metric: "throughput",
          value: N / (best(ts) / 1000),
          unit: "points/s",
          baseline
        },
        {
          ts_best_ms: best(ts),
          ts_median_ms: median(ts),
          median_ratio: py.length > 0 ? median(py) / median(ts) : null,
          ...numpyExtras,
          bit_generator: "wasm",
          same_values_as_numpy: same
        }
      ),
      row(
        {
          case: "generate-spiral-1M-purejs",
          metric: "throughput",
          value: N / (best(js) / 1000),
          unit: "points/s",
          baseline
        },
        {
          ts_best_ms: best(js),
          ts_median_ms: median(js),
          median_ratio: py.length > 0 ? median(py) / median(js) : null,
          ...numpyExtras,
          bit_generator: "js"
        }
      )
    ]
  }
}
