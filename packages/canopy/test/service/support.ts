// Re-exports for the unit tests.
export { makeCsrf, originAllowed } from "../../src/http/security.js"
export { safePath as safePathForTest } from "../../src/http/static.js"
