/** `GET /v1/metrics/transport` (M5): the broadcast counters of a run's stream plus the server's WebSocket state. */
import type { TransportMetrics } from "../api/schema.js"
import type { Broadcaster } from "../session/broadcaster.js"
import type { WsContext } from "./context.js"

const recordOf = (m: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)))

const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)

/** `ws` is null where no WebSocket routes are served (then every connection count is 0). */
export const transportMetricsOf = (b: Broadcaster, ws: WsContext | null): TransportMetrics => {
  let dropped = 0
  for (const c of ws?.connections ?? []) dropped += c.outbox.dropped
  return {
    server_instance_id: b.instanceId,
    current_seq: b.currentSeq,
    messages_by_type: recordOf(b.counters.messages),
    bytes_by_type: recordOf(b.counters.bytes),
    total_messages: sum(b.counters.messages),
    total_bytes: sum(b.counters.bytes),
    connections: {
      training: ws?.admission.count("training") ?? 0,
      control: ws?.admission.count("control") ?? 0,
      total: ws?.admission.count() ?? 0
    },
    subscribers: b.subscriberCount,
    dropped_frames: dropped,
    replay_buffer: { occupancy: b.replayOccupancy, capacity: b.settings.replayBufferSize }
  }
}
