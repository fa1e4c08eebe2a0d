/**
 * Test support: start a real service process (e.g. `node dist/data`) on 127.0.0.1 with a random port, wait for its
 * "listening" log line (INFO level: do not raise LOG_LEVEL above INFO), and stop it (SIGTERM, or SIGKILL to simulate a crash). Used by every package's integration
 * tests so that they talk to real servers over real HTTP and WebSocket.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export interface ServiceProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly baseUrl: string
  /** stdout + stderr so far. */
  readonly output: () => string
  /** SIGTERM and wait for the exit code. */
  readonly stop: () => Promise<number | null>
  /** SIGKILL (a crash) and wait. */
  readonly kill: () => Promise<number | null>
  readonly exited: Promise<number | null>
}

/** The repository root (this file lives in packages/core/{src,dist}/testing). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

export const startService = (
  entry: string,
  env: Readonly<Record<string, string>>,
  options: { readonly timeoutMs?: number; readonly args?: ReadonlyArray<string> } = {}
): Promise<ServiceProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...(options.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, LOG_FORMAT: "json", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    const exited = new Promise<number | null>((r) => child.once("exit", (code, signal) => r(code ?? (signal ? -1 : null))))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${entry} did not report listening within ${options.timeoutMs ?? 30_000} ms:\n${out}`))
    }, options.timeoutMs ?? 30_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /"message":"listening".*?"port":\s*(\d+)/.exec(out) ?? /listening.*?"port":\s*(\d+)/s.exec(out)
      if (m) {
        clearTimeout(timer)
        const port = Number(m[1])
        const wait = async (signal: NodeJS.Signals) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        }
        resolve({ child, port, baseUrl: `http://127.0.0.1:${port}`, output: () => out, stop: () => wait("SIGTERM"), kill: () => wait("SIGKILL"), exited })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()))
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${entry} exited with ${code} before listening:\n${out}`))
    })
  })
