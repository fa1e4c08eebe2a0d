import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src`, import.meta.url))

// Tests import workspace packages from their sources, never from a stale dist.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@juniper\/(core|data|cascor|canopy)$/, replacement: `${src("$1")}/index.ts` },
      { find: /^@juniper\/(core|data|cascor|canopy)\/(.*)$/, replacement: `${src("$1")}/$2.ts` }
    ]
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "native/test/**/*.test.ts", "deploy/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
