/**
 * Where a worker thread's compiled entry is: next to the calling module in dist, or, when the caller runs from the
 * sources (vitest), the built copy under the package's dist. Undefined when it is not built.
 */
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const builtWorkerEntry = (callerUrl: string, file: string): URL | undefined => {
  const here = new URL(`./${file}`, callerUrl)
  if (existsSync(fileURLToPath(here))) return here
  const built = new URL(callerUrl.replace(/\/src\/([^/]+)\/[^/]+$/, `/dist/$1/${file}`))
  return existsSync(fileURLToPath(built)) ? built : undefined
}
