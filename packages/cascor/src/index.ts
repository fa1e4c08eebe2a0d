export * from "./engine/kernel.js"
export * from "./engine/index.js"
export * from "./backend/index.js"
export * from "./client/index.js"
