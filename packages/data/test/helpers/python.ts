// Runs python3 (with NumPy) from tests so that our ports are compared with the real thing on this machine.
import { spawnSync } from "node:child_process"

const probe = spawnSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" })
/** NumPy's version, or null when python3/numpy is missing (the comparison tests are then skipped). */
export const numpyVersion: string | null = probe.status === 0 ? probe.stdout.trim() : null
export const hasNumpy = numpyVersion !== null

/** Run a python script and return its stdout; throws with stderr on failure. */
export const runPython = (code: string, input?: string | Uint8Array): string => {
  const r = spawnSync("python3", ["-c", code], {
    encoding: "utf8",
    input: input ?? "",
    maxBuffer: 512 * 1024 * 1024
  })
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

/** Run a python script that prints one JSON document. Floats printed by json.dumps round-trip exactly. */
export const pythonJson = <A = unknown>(code: string, input?: string | Uint8Array): A =>
  JSON.parse(runPython(code, input)) as A
