export * from "./engine/kernel.js"
