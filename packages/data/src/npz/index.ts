export { decodeNpy, encodeNpy, type NpyArray, npyHeader, type NpyTypedArray, shapeRepr } from "./npy.js"
export { datasetToNpz, decodeNpz, decodeTabularNpz, encodeNpz, type Float32Npy, type NpzOptions } from "./npz.js"
