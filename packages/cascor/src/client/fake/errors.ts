/**
 * The fake's failures: session errors mapped exactly as the HTTP layer maps them (same status, same envelope, so the
 * same typed client error and message), and the error_prone scenario's seeded random failures.
 */
import { HealthResponse } from "@juniper/core"
import { conflict, errorEnvelope, internalError, notFound, validationFailed, badRequest } from "../../api/errors.js"
import type { SessionError } from "../../session/errors.js"
import { type CascorClientFailure, connectionError, statusFailure, timeoutError } from "../errors.js"

/** The typed client failure the HTTP client would report for this session error. */
export const sessionFailure = (e: SessionError): CascorClientFailure => {
  switch (e._tag) {
    case "SessionNotFound":
      return statusFailure(404, notFound(e.message))
    case "SessionConflict":
      return statusFailure(409, conflict(e.message, e.state))
    case "SessionInvalid":
      return e.status === 400 ? statusFailure(400, badRequest(e.message)) : statusFailure(422, validationFailed(e.issues, e.message))
    case "SessionInternal":
      return statusFailure(500, internalError(e.message))
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same failures in the same calls. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The kinds of failure error_prone injects, each as the real client error the situation produces. */
const injected: ReadonlyArray<(method: string) => CascorClientFailure> = [
  () => statusFailure(503, errorEnvelope("SERVICE_UNAVAILABLE", "Service temporarily unavailable")),
  () => statusFailure(429, errorEnvelope("RATE_LIMITED", "Rate limit exceeded")),
  () => statusFailure(500, errorEnvelope("INTERNAL_ERROR", "Internal server error")),
  (m) => timeoutError(`Request to http://fake-cascor:8200 (${m}) timed out`),
  (m) => connectionError(`Failed to connect to JuniperCascor at http://fake-cascor:8200 (${m}): connection reset`)
]

export class ErrorInjector {
  private readonly random: () => number
  private calls = 0
  private failures = 0

  constructor(
    readonly rate: number,
    seed: number
  ) {
    this.random = seededRandom(seed)
  }

  get stats(): { readonly calls: number; readonly failures: number } {
    return { calls: this.calls, failures: this.failures }
  }

  /** A failure for this call, or null (about `rate` of the calls fail). */
  next(method: string): CascorClientFailure | null {
    this.calls++
    if (this.random() >= this.rate) return null
    this.failures++
    return injected[Math.floor(this.random() * injected.length)]!(method)
  }
}

export const fakeHealth = () => new HealthResponse({ status: "ok", version: "fake", service: "juniper-cascor", git_sha: null, build_date: null })
