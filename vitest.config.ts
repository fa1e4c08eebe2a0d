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
    // Integration tests drive real processes on a shared 2-core machine: one retry absorbs a scheduling hiccup, and
    // `npm test` names every test that needed it (FLAKY lines), so a flake stays visible instead of silently green.
    retry: 1,
    pool: "forks"
  }
})
