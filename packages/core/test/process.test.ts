// Process-level behaviour of a service built on the core: these start a real node process (the built core).
import { describe, expect, it } from "vitest"
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const fixture = fileURLToPath(new URL("./fixtures/server.mjs", import.meta.url))

const start = (env: Record<string, string>) => {
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  child.stdout!.on("data", (d) => (out += d))
  child.stderr!.on("data", (d) => (err += d))
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out} ${err}`)), 20_000)
    child.stdout!.on("data", () => {
      const m = /"port":\s*(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    child.on("exit", () => reject(new Error(`exited early: ${out} ${err}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, port, exited, output: () => out + err }
}

const kill = (c: ChildProcess) => { if (c.exitCode === null) c.kill("SIGKILL") }

describe("service process", () => {
  it("lets in-flight requests finish on SIGTERM, then exits cleanly", async () => {
    const s = start({ JUNIPER_FIXTURE_LOG_FORMAT: "json" })
    try {
      const port = await s.port
      const inflight = fetch(`http://127.0.0.1:${port}/v1/slow`).then(async (r) => ({ status: r.status, body: await r.json() }))
      await new Promise((r) => setTimeout(r, 200))
      s.child.kill("SIGTERM")
      expect(await inflight).toEqual({ status: 200, body: "finished" })
      expect(await s.exited).toBe(0)
      // Structured JSON logs on stdout.
      const line = s.output().split("\n").find((l) => l.includes('"listening"'))
      expect(JSON.parse(line!)).toMatchObject({ message: "listening", logLevel: "INFO" })
    } finally {
      kill(s.child)
    }
  })

  it("refuses to start on invalid configuration, naming every bad variable", async () => {
    const s = start({ JUNIPER_FIXTURE_PORT: "99999", JUNIPER_FIXTURE_RATE_LIMIT_ENABLED: "perhaps" })
    s.port.catch(() => undefined)
    expect(await s.exited).toBe(78)
    expect(s.output()).toMatch(/JUNIPER_FIXTURE_PORT/)
    expect(s.output()).toMatch(/JUNIPER_FIXTURE_RATE_LIMIT_ENABLED/)
  })

  it.runIf(spawnSync("which", ["systemd-notify"]).status === 0)("sends READY=1 and WATCHDOG=1 to NOTIFY_SOCKET", async () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-notify-"))
    const sock = join(dir, "notify.sock")
    const log = join(dir, "messages.txt")
    // A unix datagram socket standing in for systemd, recording what it receives.
    const listener = spawn("python3", ["-c", `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\\n"); f.flush()
`, sock, log], { stdio: ["ignore", "pipe", "inherit"] })
    await new Promise<void>((resolve) => listener.stdout!.once("data", () => resolve()))
    const s = start({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: "300000" })
    try {
      await s.port
      const deadline = Date.now() + 10_000
      let messages = ""
      while (Date.now() < deadline) {
        messages = existsSync(log) ? readFileSync(log, "utf8") : ""
        if (messages.includes("READY=1") && messages.includes("WATCHDOG=1")) break
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(messages).toContain("READY=1")
      expect(messages).toContain("WATCHDOG=1")
      s.child.kill("SIGTERM")
      await s.exited
    } finally {
      kill(s.child)
      listener.kill("SIGKILL")
    }
  })
})
