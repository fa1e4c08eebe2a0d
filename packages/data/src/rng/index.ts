export { Pcg64, PCG64_BATCH, pcg64OutputBigInt, type Pcg64Options, pcg64StepBigInt } from "./pcg64.js"
export { KERNEL_BATCH, NORMALS_CAPACITY, sharedWasmPcg64Kernel, type WasmPcg64Kernel } from "./pcg64-wasm.js"
export { defaultRng, entropySeed, NumpyRandom, type Seed } from "./random.js"
export { generateStateWords, mixEntropy, seedSequenceState, seedToWords } from "./seed-sequence.js"
