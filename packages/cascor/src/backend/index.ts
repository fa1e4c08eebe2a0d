/** Kernel backends: the native addon loader, the native `Kernels`, and the ts | cpu | cuda | auto selection. */
export * from "./native-kernels.js"
export * from "./native-loader.js"
export * from "./registry.js"
