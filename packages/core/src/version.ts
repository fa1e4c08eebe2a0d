/** The version of the package that contains `importMetaUrl` (read from its package.json at start-up). */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const packageVersion = (importMetaUrl: string): string => {
  let dir = dirname(fileURLToPath(importMetaUrl))
  for (let i = 0; i < 6; i++) {
    try {
      return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version
    } catch {
      dir = dirname(dir)
    }
  }
  return "0.0.0"
}
