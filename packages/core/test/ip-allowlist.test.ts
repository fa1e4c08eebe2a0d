import { describe, expect, it } from "vitest"
import { makeIpAllowlist } from "@juniper/core"

describe("IP allowlist", () => {
  it("matches addresses and CIDR ranges, IPv4-mapped IPv6 as IPv4", () => {
    const allowed = makeIpAllowlist(["127.0.0.1", "::1", "10.0.0.0/8", "172.16.0.0/12", "fd00::/8"])
    expect(allowed("127.0.0.1")).toBe(true)
    expect(allowed("::ffff:127.0.0.1")).toBe(true)
    expect(allowed("::1")).toBe(true)
    expect(allowed("10.42.3.7")).toBe(true)
    expect(allowed("172.31.255.1")).toBe(true)
    expect(allowed("172.32.0.1")).toBe(false)
    expect(allowed("192.168.1.1")).toBe(false)
    expect(allowed("fd12::5")).toBe(true)
    expect(allowed("2001:db8::1")).toBe(false)
    expect(allowed("not-an-ip")).toBe(false)
  })
})
