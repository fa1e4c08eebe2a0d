export { Pcg64, PCG64_BATCH, pcg64OutputBigInt, pcg64StepBigInt } from "./pcg64.js"
export { defaultRng, entropySeed, NumpyRandom, type Seed } from "./random.js"
export { generateStateWords, mixEntropy, seedSequenceState, seedToWords } from "./seed-sequence.js"
