// Data sets and the seeded PRNG.
import { describe, expect, it } from "vitest"
import { hashSeed, parity, twoSpirals, twoSpiralsPoints, Xoshiro128, xor } from "@juniper/cascor"

describe("two-spirals (A.9)", () => {
  it("194 points, innermost first, the first row (≈0, −0.5) → −0.5", () => {
    const pts = twoSpiralsPoints()
    expect(pts.length).toBe(194)
    expect(pts[0]!.x).toBeCloseTo(-6.5 * (104 - 96) / 104 * Math.sin((96 * Math.PI) / 16), 12)
    expect(pts[0]!.x).toBeCloseTo(0, 12)
    expect(pts[0]!.y).toBeCloseTo(-0.5, 12)
    expect(pts[0]!.target).toBe(-0.5)
    expect(pts[1]).toMatchObject({ target: 0.5 })
    expect(pts[1]!.y).toBeCloseTo(0.5, 12)
    // The last pair is i = 0: (0, 6.5) → +0.5 listed after (−0, −6.5) → −0.5 once reversed.
    expect(pts[193]).toMatchObject({ x: 0, y: 6.5, target: 0.5 })
    expect(pts[192]!.y).toBe(-6.5)
    const d = twoSpirals()
    expect(d).toMatchObject({ P: 194, I: 2, O: 1 })
  })
  it("helpers: xor and parity", () => {
    expect(xor()).toMatchObject({ P: 4, I: 2, O: 1 })
    const p3 = parity(3)
    expect(p3.P).toBe(8)
    expect(Array.from(p3.targets)).toEqual([-0.5, 0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5])
  })
})

describe("PRNG", () => {
  it("xoshiro128** is deterministic, restartable from its state, uniform in range", () => {
    const a = Xoshiro128.fromSeed(123)
    const first = Array.from({ length: 5 }, () => a.nextU32())
    const b = Xoshiro128.fromSeed(123)
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(first)
    const c = new Xoshiro128(a.state())
    expect(c.nextU32()).toBe(a.nextU32())
    let min = 1
    let max = -1
    let sum = 0
    for (let i = 0; i < 20000; i++) {
      const u = a.uniform(1)
      min = Math.min(min, u)
      max = Math.max(max, u)
      sum += u
    }
    expect(min).toBeGreaterThanOrEqual(-1)
    expect(max).toBeLessThan(1)
    expect(Math.abs(sum / 20000)).toBeLessThan(0.02)
  })
  it("hashSeed separates neighbouring words and large seeds", () => {
    const hs = new Set([hashSeed(1, 2, 0, 0), hashSeed(1, 2, 0, 1), hashSeed(1, 2, 1, 0), hashSeed(2, 2, 0, 0), hashSeed(2 ** 32 + 1, 2, 0, 0)])
    expect(hs.size).toBe(5)
  })
})
