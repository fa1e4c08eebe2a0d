/**
 * WebSocket admission (§6.4, §7.1): connection caps (global across endpoints, per IP, per API-key identity on
 * control, per endpoint) → close 1013, and the control channel's cooldown: 10 rejections (Origin or auth) from one IP
 * within 60 s block it for 300 s → close 4029.
 */
export interface AdmissionLimits {
  readonly global: number
  readonly perIp: number
  readonly perIdentity: number
  /** Per endpoint (the training manager's 50; control shares the global/IP caps). */
  readonly perEndpoint: Readonly<Record<string, number>>
}

export interface Ticket {
  readonly endpoint: string
  readonly ip: string
  readonly identity: string | null
}

const bump = (m: Map<string, number>, k: string, d: number) => {
  const v = (m.get(k) ?? 0) + d
  if (v <= 0) m.delete(k)
  else m.set(k, v)
}

export class Admission {
  private global = 0
  private readonly byIp = new Map<string, number>()
  private readonly byIdentity = new Map<string, number>()
  private readonly byEndpoint = new Map<string, number>()
  private readonly rejections = new Map<string, Array<number>>()
  private readonly blockedUntil = new Map<string, number>()

  constructor(readonly limits: AdmissionLimits) {}

  count(endpoint?: string): number {
    return endpoint === undefined ? this.global : (this.byEndpoint.get(endpoint) ?? 0)
  }

  /** A ticket, or the reason for a 1013. */
  admit(t: Ticket): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
    const l = this.limits
    if (this.global >= l.global) return { ok: false, reason: "Too many WebSocket connections" }
    if ((this.byIp.get(t.ip) ?? 0) >= l.perIp) return { ok: false, reason: "Too many WebSocket connections from this address" }
    if (t.identity !== null && (this.byIdentity.get(t.identity) ?? 0) >= l.perIdentity) return { ok: false, reason: "Too many control connections for this API key" }
    const cap = l.perEndpoint[t.endpoint]
    if (cap !== undefined && (this.byEndpoint.get(t.endpoint) ?? 0) >= cap) return { ok: false, reason: "Too many connections to this endpoint" }
    this.global++
    bump(this.byIp, t.ip, 1)
    if (t.identity !== null) bump(this.byIdentity, t.identity, 1)
    bump(this.byEndpoint, t.endpoint, 1)
    return { ok: true }
  }

  release(t: Ticket): void {
    this.global--
    bump(this.byIp, t.ip, -1)
    if (t.identity !== null) bump(this.byIdentity, t.identity, -1)
    bump(this.byEndpoint, t.endpoint, -1)
  }

  /** True while the IP is in cooldown. */
  blocked(ip: string, now = Date.now()): boolean {
    const until = this.blockedUntil.get(ip)
    if (until === undefined) return false
    if (now >= until) {
      this.blockedUntil.delete(ip)
      return false
    }
    return true
  }

  /** Records a rejection; the 10th within 60 s starts a 300 s cooldown. */
  reject(ip: string, now = Date.now()): void {
    const recent = (this.rejections.get(ip) ?? []).filter((t) => now - t < 60_000)
    recent.push(now)
    if (recent.length >= 10) {
      this.blockedUntil.set(ip, now + 300_000)
      this.rejections.delete(ip)
    } else this.rejections.set(ip, recent)
    if (this.rejections.size > 10_000) this.rejections.clear()
  }
}
