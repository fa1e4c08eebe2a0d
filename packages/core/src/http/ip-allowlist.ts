/** An IP allowlist of addresses and CIDR ranges (IPv4 and IPv6; IPv4-mapped IPv6 addresses match their IPv4 form). */
import { BlockList, isIP } from "node:net"

export const makeIpAllowlist = (entries: ReadonlyArray<string>): ((ip: string) => boolean) => {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = "", prefix] = entry.trim().split("/")
    const family = isIP(address) === 6 ? "ipv6" : "ipv4"
    if (isIP(address) === 0) continue
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  return (ip) => {
    const plain = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "")
    const family = isIP(plain)
    return family !== 0 && list.check(plain, family === 6 ? "ipv6" : "ipv4")
  }
}
