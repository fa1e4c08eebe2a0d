/**
 * systemd notification (Type=notify): READY=1 once listening, WATCHDOG=1 at half the watchdog interval, STOPPING=1
 * on shutdown. Node cannot write to a unix datagram socket, so messages go through `systemd-notify --pid=<our pid>`
 * (the units set NotifyAccess=all). Without NOTIFY_SOCKET everything here is a no-op.
 */
import { execFile } from "node:child_process"
import { Context, Duration, Effect, Layer, Schedule } from "effect"

export interface SdNotifyShape {
  readonly enabled: boolean
  readonly ready: Effect.Effect<void>
  readonly stopping: Effect.Effect<void>
}
export class SdNotify extends Context.Tag("@juniper/core/SdNotify")<SdNotify, SdNotifyShape>() {}

const send = (message: string) =>
  Effect.async<void>((resume) => {
    execFile("systemd-notify", [`--pid=${process.pid}`, message], (error) => {
      if (error) Effect.runFork(Effect.logWarning(`sd_notify ${message} failed: ${error.message}`))
      resume(Effect.void)
    })
  })

/** Reads NOTIFY_SOCKET / WATCHDOG_USEC (set by systemd, not Juniper settings) once at start-up. */
export const layerSdNotify = Layer.scoped(
  SdNotify,
  Effect.gen(function* () {
    const socket = process.env["NOTIFY_SOCKET"]
    if (!socket) return { enabled: false, ready: Effect.void, stopping: Effect.void }
    const usec = Number(process.env["WATCHDOG_USEC"] ?? "0")
    const watchdogPid = Number(process.env["WATCHDOG_PID"] ?? process.pid)
    if (usec > 0 && watchdogPid === process.pid) {
      // Ping only while the event loop runs: a wedged loop misses pings and systemd restarts the service.
      yield* send("WATCHDOG=1").pipe(
        Effect.repeat(Schedule.spaced(Duration.micros(BigInt(Math.floor(usec / 2))))),
        Effect.forkScoped
      )
    }
    return { enabled: true, ready: send("READY=1"), stopping: send("STOPPING=1") }
  })
)
