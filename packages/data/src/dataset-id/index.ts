export { canonicalString, computeDatasetId, datasetIdFromCanonical, randomNonce } from "./dataset-id.js"
export {
  compareCodePoints,
  PyFloat,
  pyFloat,
  type PyValue,
  pythonFloatRepr,
  pythonIntRepr,
  pythonJsonDumps,
  pythonJsonString
} from "./python-json.js"
