// REST reads used only on load and after a failed resume (§8 targets): status, state + parameters, the metrics
// history and the topology. Each read is independent; a failure leaves that panel to the pushed frames.
import type { AppContext } from "./context.js"
import { ApiError, getJson } from "../api/rest.js"
import type { MetricsEntry, Readiness } from "../api/types.js"

// Status documents are applied in the order their requests were made: a slow response to an older request (one made
// before a command) never overwrites a newer one.
let statusIssued = 0
let statusApplied = 0
const ordered = async <A>(load: Promise<A>, apply: (doc: A) => void): Promise<A> => {
  const n = ++statusIssued
  const doc = await load
  if (n < statusApplied) return doc
  statusApplied = n
  apply(doc)
  return doc
}

export const loadStatus = async (ctx: AppContext): Promise<void> => {
  try {
    await ordered(getJson<unknown>("/api/status", undefined, 5_000), (doc) => ctx.status.applyDoc(doc))
  } catch (err) {
    console.warn("canopy: /api/status failed", err)
  }
}

export const loadState = async (ctx: AppContext): Promise<void> => {
  try {
    const state = await ordered(getJson<Record<string, unknown>>("/api/state", undefined, 5_000), (doc) => ctx.status.applyDoc(doc))
    ctx.params.merge(state)
  } catch (err) {
    console.warn("canopy: /api/state failed", err)
  }
}

export const loadHistory = async (ctx: AppContext): Promise<void> => {
  try {
    const doc = await getJson<{ history?: MetricsEntry[]; metrics?: MetricsEntry[] }>("/api/metrics/history", { limit: 2000 }, 8_000)
    const rows = doc.history ?? doc.metrics ?? []
    ctx.metrics.replaceWithHistory(rows)
  } catch (err) {
    console.warn("canopy: /api/metrics/history failed", err)
  }
}

export const loadTopology = async (ctx: AppContext): Promise<void> => {
  try {
    ctx.topology.setTopology(await getJson<unknown>("/api/topology/raw", undefined, 5_000))
    if (ctx.topology.graph) ctx.evolution.topology(ctx.topology.graph)
    return
  } catch (err) {
    // 503: no network yet; the topology frames will bring it.
    if (err instanceof ApiError && err.status === 503) return
  }
  try {
    ctx.topology.setTopology(await getJson<unknown>("/api/topology", undefined, 5_000))
  } catch {
    /* no network yet */
  }
}

export const loadMode = async (ctx: AppContext): Promise<void> => {
  try {
    const r = await getJson<Readiness>("/v1/health/ready", undefined, 6_000)
    ctx.status.mode = r.details?.mode ?? null
  } catch (err) {
    if (err instanceof ApiError && err.body && typeof err.body === "object") ctx.status.mode = (err.body as Readiness).details?.mode ?? null
  }
}

export const loadAll = async (ctx: AppContext): Promise<void> => {
  await Promise.all([loadState(ctx), loadStatus(ctx), loadHistory(ctx), loadTopology(ctx), loadMode(ctx)])
}
