export { decodeNpy, encodeNpy, type NpyArray, npyHeader, type NpyTypedArray, shapeRepr } from "./npy.js"
export { datasetToNpz, decodeNpz, encodeNpz, type NpzOptions } from "./npz.js"
