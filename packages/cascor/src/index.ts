export * from "./engine/kernel.js"
export * from "./engine/index.js"
