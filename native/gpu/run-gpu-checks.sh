#!/usr/bin/env bash
# One command on a machine with an NVIDIA GPU (H100) and nvcc: build the addon with CUDA, record the card, run the
# backend equivalence tests with JUNIPER_NATIVE_REQUIRED=1 (CUDA and CPU against the TS kernels), then B3 (all
# shapes, cuda and cpu), OUT, B6, a truncated B4 and B1 (5 seeds, when the engine's bench exists). Everything goes
# to $OUT (or ./gpu-results): gpu-checks.log (full log), bench.jsonl (one JSON object per line), summary.txt.
#
# Works in two settings:
#   - a full checkout with node_modules and Node on the PATH (npm run build:native, vitest, tsc output);
#   - the lent GPU machines (no Node, no node_modules, no registry): first, HERE, `node native/gpu/prepare.mjs`,
#     then run this script there with carry ["native/gpu/.carry"] (bundled tests/benches, headers, node.xz).
#
# Environment: B4_UNITS (default 5), BENCH_REPS (default 5), SKIP_TESTS=1, SKIP_BENCH=1.
set -uo pipefail
INVOKED_FROM=$PWD
cd "$(dirname "$0")/../.."
ROOT=$PWD
RESULTS="${OUT:-$INVOKED_FROM/gpu-results}"
mkdir -p "$RESULTS"
LOG="$RESULTS/gpu-checks.log"
JSONL="$RESULTS/bench.jsonl"
SUMMARY="$RESULTS/summary.txt"
: > "$JSONL"
: > "$SUMMARY"
exec > >(tee -a "$LOG") 2>&1
CARRY="$ROOT/native/gpu/.carry"
B4_UNITS="${B4_UNITS:-5}"
REPS="${BENCH_REPS:-5}"
t_start=$(date +%s)
step() { echo; echo "=== $* (+$(( $(date +%s) - t_start )) s)"; }
note() { echo "$*" | tee -a "$SUMMARY"; }

step "machine"
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.sm,clocks.max.mem,memory.total,driver_version --format=csv | tee -a "$SUMMARY"
nvidia-smi -q -d CLOCK | sed -n '1,40p' || true
export PATH="$PATH:/usr/local/cuda/bin"
nvcc --version | tail -2
lscpu | grep -E "Model name|^CPU\(s\)" | tee -a "$SUMMARY"

step "node"
if ! command -v node >/dev/null 2>&1; then
  if [ -f "$CARRY/node.xz" ]; then
    mkdir -p /tmp/jn-node/bin
    xz -dc "$CARRY/node.xz" > /tmp/jn-node/bin/node && chmod +x /tmp/jn-node/bin/node
    export PATH="/tmp/jn-node/bin:$PATH"
  else
    echo "no node on PATH and no $CARRY/node.xz: run 'node native/gpu/prepare.mjs' first and carry native/gpu/.carry"
    exit 2
  fi
fi
node --version | tee -a "$SUMMARY"

step "build (CUDA)"
if [ -d node_modules/cmake-js ]; then
  JUNIPER_NATIVE_REQUIRED=1 npm run build:native || { note "BUILD FAILED"; exit 1; }
  BUILD_MODE=npm
else
  # Direct CMake build with the carried Node-API headers (what cmake-js would pass).
  cmake -S . -B native/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DJUNIPER_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$(command -v nvcc)" \
    -DCMAKE_JS_INC="$CARRY/include/node-api-headers;$CARRY/include/node-addon-api" \
    -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$ROOT/native/build/Release" || { note "CONFIGURE FAILED"; exit 1; }
  cmake --build native/build -j "$(nproc)" || { note "BUILD FAILED"; exit 1; }
  BUILD_MODE=cmake
fi
export JUNIPER_NATIVE_ADDON="$ROOT/native/build/Release/juniper_native.node"
node -e '
  const i = require(process.env.JUNIPER_NATIVE_ADDON).info()
  console.log(JSON.stringify(i))
  if (i.backend !== "cuda") { console.error("CUDA backend not usable: cudaError " + i.cudaError); process.exit(1) }
' | tee -a "$SUMMARY" || { note "CUDA NOT USABLE"; exit 1; }
note "build: $BUILD_MODE"

if [ "${SKIP_TESTS:-0}" != "1" ]; then
  step "backend tests (JUNIPER_NATIVE_REQUIRED=1; cuda.test.ts compares the CUDA backend with ts)"
  if [ -d node_modules/vitest ]; then
    npx tsc -b >/dev/null 2>&1 || true
    JUNIPER_NATIVE_REQUIRED=1 npx vitest run packages/cascor/test/backend 2>&1 | tee "$RESULTS/tests.txt"
    grep -E "Tests +[0-9]" "$RESULTS/tests.txt" | tail -1 | tee -a "$SUMMARY"
  else
    JUNIPER_NATIVE_REQUIRED=1 node "$CARRY/backend-tests.mjs" 2>&1 | tee "$RESULTS/tests.txt"
    tail -1 "$RESULTS/tests.txt" | tee -a "$SUMMARY"
  fi
fi

if [ "${SKIP_BENCH:-0}" != "1" ]; then
  if [ -f packages/cascor/dist/bench/kernels.js ] && [ -d node_modules/effect ]; then
    KB="packages/cascor/dist/bench/kernels.js"
    FULL=1
  else
    KB="$CARRY/kernels-bench.mjs"
    FULL=0
  fi
  step "B3 + OUT + B6: cuda"
  node --expose-gc "$KB" --backend cuda --json --reps "$REPS" | tee -a "$JSONL"
  step "B3 + OUT: cpu (same machine, all cores)"
  node --expose-gc "$KB" --backend cpu --json --reps "$REPS" --case b3 | tee -a "$JSONL"
  node --expose-gc "$KB" --backend cpu --json --reps "$REPS" --case out | tee -a "$JSONL"
  step "B4 truncated to $B4_UNITS units: cuda, then cpu"
  node --expose-gc "$KB" --backend cuda --json --case none --b4 "$B4_UNITS" | tee -a "$JSONL"
  node --expose-gc "$KB" --backend cpu --json --case none --b4 "$B4_UNITS" | tee -a "$JSONL"
  step "B1 (5 seeds; tiny phases run on the CPU by design, so cuda ≈ cpu here)"
  if [ "$FULL" = 1 ] && [ -f packages/cascor/dist/bench/cascor.js ]; then
    JUNIPER_BENCH_NO_BUILD=1 npm run --silent bench -- cascor b1 --backend cuda --seeds 5 --json | tee -a "$JSONL"
    JUNIPER_BENCH_NO_BUILD=1 npm run --silent bench -- cascor b1 --backend cpu --seeds 5 --json | tee -a "$JSONL"
  else
    node "$CARRY/b1.mjs" --backend cuda --seeds 5 --json | tee -a "$JSONL"
    node "$CARRY/b1.mjs" --backend cpu --seeds 5 --json | tee -a "$JSONL"
  fi
  step "summary"
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    const key = (r) => r.case
    const by = {}
    for (const r of rows) if (r.ms_median !== undefined) (by[key(r)] ??= {})[r.backend] = r
    for (const [c, b] of Object.entries(by)) {
      const cu = b.cuda, cp = b.cpu
      const f = (r) => r ? `${r.ms_median < 1 ? (r.ms_median * 1000).toFixed(2) + " us" : r.ms_median.toFixed(3) + " ms"}${r.gflops ? " " + r.gflops.toFixed(0) + " GF/s" : ""}` : "-"
      console.log(`${c.padEnd(22)} cuda ${f(cu).padEnd(26)} cpu ${f(cp).padEnd(26)} ${cu && cp ? "R2 = cpu/cuda ×" + (cp.ms_median / cu.ms_median).toFixed(1) : ""}`)
    }
  ' "$JSONL" | tee -a "$SUMMARY"
fi
step "done"
echo "results in $RESULTS"
