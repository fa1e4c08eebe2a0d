export * from "./errors.js"
export * from "./fake.js"
export * from "./http-client.js"
export * from "./shape.js"
