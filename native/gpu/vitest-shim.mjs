// A minimal stand-in for the part of vitest's API the backend tests use, so that native/gpu/prepare.mjs can bundle
// those tests into one file that runs with plain `node` on a GPU machine without node_modules or a registry.
// Semantics follow vitest for everything the tests call; anything else throws "unsupported".
import { isDeepStrictEqual } from "node:util"

const suites = []
let current = { name: "", tests: [], before: [], after: [], skip: false }
suites.push(current)

const describeImpl = (skip) => (name, fn) => {
  const parent = current
  const suite = { name: parent.name ? `${parent.name} > ${name}` : name, tests: [], before: [], after: [], skip: skip || parent.skip }
  suites.push(suite)
  current = suite
  try {
    fn()
  } finally {
    current = parent
  }
}
export const describe = Object.assign(describeImpl(false), {
  runIf: (cond) => describeImpl(!cond),
  skipIf: (cond) => describeImpl(Boolean(cond)),
  skip: describeImpl(true)
})
const itImpl = (skip) => (name, fn) => current.tests.push({ name, fn, skip: skip || current.skip })
export const it = Object.assign(itImpl(false), {
  runIf: (cond) => itImpl(!cond),
  skipIf: (cond) => itImpl(Boolean(cond)),
  skip: itImpl(true)
})
export const test = it
export const beforeAll = (fn) => current.before.push(fn)
export const afterAll = (fn) => current.after.push(fn)

class AssertionError extends Error {}
const fmt = (v) => {
  try {
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length}) [${Array.from(v.slice(0, 6)).join(", ")}${v.length > 6 ? ", …" : ""}]`
    return typeof v === "string" ? JSON.stringify(v) : String(v)
  } catch {
    return "<value>"
  }
}
const typedEqual = (a, b) => {
  if (a.constructor !== b.constructor || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false
  return true
}
const deepEqual = (a, b) => {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return typedEqual(a, b)
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]))
  }
  return Object.is(a, b) || isDeepStrictEqual(a, b)
}
const matchObject = (a, b) =>
  b && typeof b === "object" && !ArrayBuffer.isView(b) && !Array.isArray(b)
    ? a !== null && typeof a === "object" && Object.keys(b).every((k) => matchObject(a[k], b[k]))
    : deepEqual(a, b)

const makeMatchers = (actual, message, negate) => {
  const check = (ok, what) => {
    if (ok === negate) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${fmt(actual)} ${negate ? "not " : ""}${what}`)
  }
  const thrown = () => {
    if (typeof actual !== "function") return { error: actual, did: true }
    try {
      actual()
      return { did: false }
    } catch (e) {
      return { error: e, did: true }
    }
  }
  const throwMatch = (spec) => {
    const t = thrown()
    if (!t.did) return false
    if (spec === undefined) return true
    if (typeof spec === "function") return t.error instanceof spec
    const msg = String(t.error?.message ?? t.error)
    return spec instanceof RegExp ? spec.test(msg) : msg.includes(spec)
  }
  return {
    toBe: (e) => check(Object.is(actual, e), `to be ${fmt(e)}`),
    toEqual: (e) => check(deepEqual(actual, e), `to deeply equal ${fmt(e)}`),
    toStrictEqual: (e) => check(deepEqual(actual, e), `to strictly equal ${fmt(e)}`),
    toMatchObject: (e) => check(matchObject(actual, e), `to match ${JSON.stringify(e)}`),
    toBeLessThan: (e) => check(actual < e, `to be less than ${e}`),
    toBeLessThanOrEqual: (e) => check(actual <= e, `to be less than or equal to ${e}`),
    toBeGreaterThan: (e) => check(actual > e, `to be greater than ${e}`),
    toBeGreaterThanOrEqual: (e) => check(actual >= e, `to be greater than or equal to ${e}`),
    toBeCloseTo: (e, digits = 2) => check(Math.abs(actual - e) < 10 ** -digits / 2, `to be close to ${e}`),
    toBeUndefined: () => check(actual === undefined, "to be undefined"),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeTruthy: () => check(Boolean(actual), "to be truthy"),
    toBeFalsy: () => check(!actual, "to be falsy"),
    toBeNaN: () => check(Number.isNaN(actual), "to be NaN"),
    toBeInstanceOf: (c) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toMatch: (re) => check(typeof re === "string" ? String(actual).includes(re) : re.test(String(actual)), `to match ${re}`),
    toContain: (e) => check(actual != null && (typeof actual === "string" ? actual.includes(e) : Array.from(actual).includes(e)), `to contain ${fmt(e)}`),
    toHaveLength: (n) => check(actual != null && actual.length === n, `to have length ${n}`),
    toThrow: (spec) => check(throwMatch(spec), `to throw ${spec ?? ""}`)
  }
}

export const expect = (actual, message) => {
  const m = makeMatchers(actual, message, false)
  m.not = makeMatchers(actual, message, true)
  m.rejects = new Proxy({}, {
    get: (_, name) => async (...args) => {
      let error
      let rejected = false
      try {
        await actual
      } catch (e) {
        rejected = true
        error = e
      }
      if (!rejected) throw new AssertionError(`${message ? `${message}: ` : ""}expected the promise to reject`)
      return makeMatchers(error, message, false)[name](...args)
    }
  })
  m.resolves = new Proxy({}, {
    get: (_, name) => async (...args) => makeMatchers(await actual, message, false)[name](...args)
  })
  return m
}
expect.unreachable = (msg) => {
  throw new AssertionError(msg ?? "unreachable")
}

export const vi = new Proxy({}, { get: (_, n) => () => { throw new Error(`vitest shim: vi.${String(n)} unsupported`) } })

// Runs every registered test once the bundle's modules have been evaluated.
export const run = async () => {
  let passed = 0
  let failed = 0
  let skipped = 0
  const timeoutMs = Number(process.env.JUNIPER_SHIM_TIMEOUT_MS ?? 300_000)
  for (const suite of suites) {
    if (suite.tests.length === 0) continue
    const active = suite.tests.some((t) => !t.skip)
    if (active) for (const f of suite.before) await f()
    for (const t of suite.tests) {
      const name = `${suite.name} > ${t.name}`
      if (t.skip) {
        skipped++
        continue
      }
      const t0 = performance.now()
      try {
        await Promise.race([
          Promise.resolve().then(() => t.fn()),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref())
        ])
        passed++
        console.log(`  ✓ ${name} (${(performance.now() - t0).toFixed(0)} ms)`)
      } catch (e) {
        failed++
        console.log(`  × ${name}\n      ${String(e?.stack ?? e).split("\n").slice(0, 4).join("\n      ")}`)
      }
    }
    if (active) for (const f of suite.after) await f()
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`)
  return failed
}
