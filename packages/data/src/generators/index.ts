export { checkerboard, type CheckerboardParams, checkerboardParams } from "./checkerboard.js"
export { circles, type CirclesParams, circlesParams } from "./circles.js"
export * from "./fields.js"
export { gaussian, type GaussianParams, gaussianParams } from "./gaussian.js"
export { linspace, linspaceStep, roundHalfEven } from "./maths.js"
export { moon, type MoonParams, moonParams } from "./moon.js"
export {
  checkRatioSum,
  DEFAULT_GENERATOR_SEED,
  defineParams,
  formatParamIssues,
  type ParamIssue,
  type ParamsDefinition,
  type ParamsOf,
  type ParamSpec,
  splitFields,
  type SplitParams
} from "./params.js"
export { type PreparedDataset, prepareDataset, type PrepareOptions, runGenerator } from "./prepare.js"
export {
  findGenerator,
  GENERATOR_NAMES,
  generatorInfo,
  type GeneratorInfoJson,
  GENERATORS,
  listGeneratorInfo,
  resolveGenerator
} from "./registry.js"
export { spiral, type SpiralParams, spiralParams, spiralPoints } from "./spiral.js"
export {
  type GeneratedDataset,
  type Matrix,
  type SplitCounts,
  splitCounts,
  splitDataset,
  TABULAR_KEYS,
  type TabularKey
} from "./split.js"
export { type AnyGenerator, GENERATOR_VERSION, type GeneratorDefinition, type RawDataset } from "./types.js"
export { xor, type XorParams, xorParams } from "./xor.js"
