/**
 * CanopyBackend over any CascorLink: the one implementation behind the Demo, Service and Fake layers. It normalises
 * cascor's shapes (§3.3), caches the last status for stale answers, relays the upstream frames (with connection
 * events turned into `event` frames and a resync after an upstream restart), watches the relay (`degraded` after
 * 60 s without frames), guards upstream calls with the circuit breaker, and implements `set_params` (§6).
 */
import { Duration, Effect, PubSub, Queue, Schedule, type Scope, Stream } from "effect"
import type { HyperParameters, MetricsRow, TrainingStatus } from "@juniper/cascor/api/schema"
import { findGenerator, GENERATOR_NAMES } from "@juniper/data"
import type {
  CanopyState,
  CanopyStatus,
  ControlResult,
  DatasetResponse,
  MetricsEntry,
  ParamBound,
  PendingDataset,
  RestartResponse,
  SetParamsResponse,
  SnapshotDetail,
  StageDatasetBody,
  StreamHealth,
  StreamState
} from "../api/schema.js"
import {
  fromCascorParams,
  type ParamSpec,
  type ParamValue,
  parseParams,
  selectionProblem,
  toCascorParams
} from "../params.js"
import type { BackendFrame, CanopyBackendShape, StartOptions } from "./backend.js"
import { makeBreaker } from "./breaker.js"
import {
  BackendConflict,
  type BackendError,
  BackendInvalid,
  BackendNotFound,
  BackendNotImplemented,
  BackendRejected,
  BackendTimeout,
  BackendUnavailable
} from "./errors.js"
import type { CascorLink, LinkCommand, LinkError, LinkEvent, UpstreamFrame } from "./link.js"
import { browserFrame, canopyStatus, canopyTopology, decisionBoundary, metricsEntry, networkStats, type Sizes } from "./normalize.js"

export interface LinkBackendOptions {
  readonly specs: ReadonlyArray<ParamSpec>
  /** Seconds without an upstream frame before the relay reports `degraded` (60). */
  readonly degradedAfterSeconds: number
  readonly circuitThreshold: number
  readonly circuitRecoverySeconds: number
}

const SNAPSHOT_ID = /^[A-Za-z0-9_-]{1,128}$/
const HISTORY_CAP = 10_000
const SELECTION_KEYS = new Set(["cn_selected_candidates", "cn_top_candidates", "cn_random_candidates", "cn_multi_candidate", "cn_pool_size"])
const MULTI_ONLY = new Set(["cn_selected_candidates", "cn_top_candidates", "cn_random_candidates"])

/** LinkError → the backend error of the same meaning (a refused valid request is the upstream's: 502). */
export const fromLink = (e: LinkError, context?: string): BackendError => {
  const message = context ? `${context}: ${e.message}` : e.message
  switch (e.kind) {
    case "unavailable":
      return new BackendUnavailable({ message })
    case "not_found":
      return new BackendNotFound({ message })
    case "conflict":
      return new BackendConflict({ message })
    case "invalid":
      return new BackendInvalid({ message, status: e.status === 400 ? 400 : 422 })
    case "unsupported":
      return new BackendNotImplemented({ message })
    case "failed":
      return new BackendRejected({ message, upstreamStatus: e.status ?? null })
  }
}

const sizesOf = (s: TrainingStatus): Sizes | null => {
  const m = /(\d+)x(\d+)/.exec(s.training_state.network_name)
  return m ? { input: Number(m[1]), output: Number(m[2]) } : null
}

const worst = (a: StreamState, b: StreamState): StreamState => {
  const rank = { "n/a": 0, healthy: 1, degraded: 2, reconnecting: 3 } as const
  return rank[a] >= rank[b] ? a : b
}

export const makeLinkBackend = (link: CascorLink, o: LinkBackendOptions): Effect.Effect<CanopyBackendShape, never, Scope.Scope> =>
  Effect.gen(function* () {
    const inProcess = !link.relayed
    const specMap = new Map(o.specs.map((s) => [s.key, s]))
    const breaker = makeBreaker(o.circuitThreshold, o.circuitRecoverySeconds * 1000)
    const call = <A>(effect: Effect.Effect<A, LinkError>) => (inProcess ? effect : breaker.call(effect))
    const frames = yield* PubSub.unbounded<BackendFrame>()

    // Relay state.
    let connected = inProcess
    let everConnected = inProcess
    let lastFrameAt: number | null = inProcess ? null : null
    let degraded = false
    let reconnects = 0
    let lastMessage: string | null = null
    let sizes: Sizes = { input: 2, output: 2 }
    let lastStatus: { value: TrainingStatus; at: number } | null = null
    let lastState: Record<string, unknown> | null = null
    let lastHyper: HyperParameters | null = null
    /** Canopy-kept values (dataset keys) and everything the user set, over the table defaults. */
    const local: Record<string, ParamValue> = Object.fromEntries(o.specs.map((s) => [s.key, s.default]))
    /** The dataset staged for the next restart (S tier). */
    let pending: PendingDataset | null = null

    const publish = (frame: UpstreamFrame) => frames.unsafeOffer(browserFrame(frame, sizes))
    const statusEvent = (details: Record<string, unknown>) =>
      publish({ type: "event", timestamp: Date.now() / 1000, data: { event: "status_change", ...details } })

    const remember = (s: TrainingStatus) => {
      lastStatus = { value: s, at: Date.now() }
      const z = sizesOf(s)
      if (z) sizes = z
    }

    /** After an upstream restart (no resume): push its state and history so browsers resync without reloading. */
    const resync = Effect.gen(function* () {
      const s = yield* call(link.getStatus)
      remember(s)
      const rows = yield* call(link.getMetricsHistory(100))
      publish({ type: "initial_metrics", data: { metrics: rows, count: rows.length, resync: true } })
      publish({ type: "state", data: { ...s.training_state, ...(lastState ?? {}), ...s.training_state } })
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`resync after reconnect failed: ${e.message}`)))

    const events = yield* link.subscribe
    const onEvent = (ev: LinkEvent) =>
      Effect.gen(function* () {
        switch (ev._tag) {
          case "Heartbeat":
            lastFrameAt = Date.now()
            if (degraded) {
              degraded = false
              statusEvent({ relay: "healthy", upstream: "connected", message: "Frames from JuniperCascor resumed" })
            }
            return
          case "Frame": {
            lastFrameAt = Date.now()
            breaker.succeed()
            if (degraded) {
              degraded = false
              statusEvent({ relay: "healthy", upstream: "connected", message: "Frames from JuniperCascor resumed" })
            }
            const f = ev.frame
            if (f.type === "state" && f.data && typeof f.data === "object") lastState = f.data as Record<string, unknown>
            if (f.type === "topology" && f.data && typeof f.data === "object") {
              const t = f.data as { input_size?: number; output_size?: number }
              if (typeof t.input_size === "number" && typeof t.output_size === "number") sizes = { input: t.input_size, output: t.output_size }
            }
            publish(f)
            return
          }
          case "Connected": {
            const wasDown = !connected
            connected = true
            lastFrameAt = Date.now()
            lastMessage = null
            breaker.succeed()
            if (everConnected && wasDown) {
              statusEvent({ relay: "healthy", upstream: "connected", resumed: ev.resumed, message: ev.resumed ? "Reconnected to JuniperCascor (resumed)" : "Reconnected to JuniperCascor" })
              if (!ev.resumed) yield* resync
            } else if (!everConnected) {
              statusEvent({ relay: "healthy", upstream: "connected", message: "Connected to JuniperCascor" })
            }
            everConnected = true
            return
          }
          case "Disconnected":
            if (connected) {
              reconnects++
              statusEvent({ relay: "reconnecting", upstream: "disconnected", message: `Lost the JuniperCascor stream: ${ev.reason}` })
            }
            connected = false
            lastMessage = ev.reason
            return
        }
      })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(events), onEvent)))
    let initialized = false
    const initialize = Effect.suspend(() => {
      if (initialized) return Effect.succeed(true)
      initialized = true
      return Effect.as(link.activate, true)
    })

    // Degraded watch: connected but silent for too long.
    if (!inProcess) {
      const every = Duration.millis(Math.max(200, Math.min(5000, (o.degradedAfterSeconds * 1000) / 4)))
      const watch = Effect.sync(() => {
        if (!connected || lastFrameAt === null || degraded) return
        if (Date.now() - lastFrameAt > o.degradedAfterSeconds * 1000) {
          degraded = true
          statusEvent({ relay: "degraded", upstream: "silent", message: `No frames from JuniperCascor for ${o.degradedAfterSeconds} s` })
        }
      })
      yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(every), watch)))
    }

    const relayState = (): StreamState => (inProcess ? "n/a" : !connected ? "reconnecting" : degraded ? "degraded" : "healthy")

    const streamHealth: Effect.Effect<StreamHealth> = Effect.map(Effect.zip(link.controlState, link.controlChannel), ([control, channel]) => {
      const relay = relayState()
      return {
        control_channel: channel,
        overall: inProcess ? "n/a" : worst(relay, control),
        relay,
        control,
        mode: link.mode,
        last_frame_age_seconds: lastFrameAt === null ? null : (Date.now() - lastFrameAt) / 1000,
        reconnect_attempts: reconnects,
        circuit: inProcess ? "closed" : breaker.state(),
        message: lastMessage
      }
    })

    /** The status, live; from cache (flagged) when the upstream is unreachable. */
    const status: Effect.Effect<{ value: TrainingStatus; stale: boolean; age: number }, BackendError> = call(link.getStatus).pipe(
      Effect.map((value) => {
        remember(value)
        return { value, stale: false, age: 0 }
      }),
      Effect.catchAll((e) =>
        e.kind === "unavailable" && lastStatus
          ? Effect.succeed({ value: lastStatus.value, stale: true, age: (Date.now() - lastStatus.at) / 1000 })
          : Effect.fail(fromLink(e, "JuniperCascor"))
      )
    )

    const overallText = () => (inProcess ? "n/a" : relayState())

    const getStatus: Effect.Effect<CanopyStatus, BackendError> = Effect.map(status, ({ value, stale, age }) => ({
      ...canopyStatus(value, { mode: link.mode, connected: !stale && (inProcess || connected), sizes: sizesOf(value) ?? sizes, pendingDataset: pending, stream: overallText() }),
      ...(stale ? { stale: true, stale_age_seconds: age } : {})
    }))

    const hyper: Effect.Effect<HyperParameters | null> = call(link.getParams).pipe(
      Effect.tap((h) => Effect.sync(() => (lastHyper = h ?? lastHyper))),
      Effect.orElseSucceed(() => lastHyper)
    )

    /** The §6 values: the upstream's live parameters over what Canopy keeps. */
    const currentValues = Effect.map(hyper, (h) => ({ ...local, ...(h ? fromCascorParams(h, o.specs) : {}) }))

    const bounds = (): Record<string, ParamBound> =>
      Object.fromEntries(
        o.specs.map((s) => [
          s.key,
          {
            ...(s.min !== undefined ? { min: s.min } : {}),
            ...(s.max !== undefined ? { max: s.max } : {}),
            default: s.default,
            type: s.type,
            ...(s.options ? { options: [...s.options] } : {}),
            cascor_field: s.cascor ?? "",
            ...(s.readOnly ? { read_only: true } : {})
          } satisfies ParamBound
        ])
      )

    const getState: Effect.Effect<CanopyState, BackendError> = Effect.gen(function* () {
      const { value, stale, age } = yield* status
      const values = yield* currentValues
      const sel = lastState ?? {}
      const h = lastHyper
      return {
        ...values,
        best_candidate_id: (sel["best_candidate_id"] as number | null | undefined) ?? null,
        top_candidate_id: (sel["best_candidate_id"] as number | null | undefined) ?? null,
        second_candidate_id: (sel["second_candidate_id"] as number | null | undefined) ?? null,
        all_correlations: (sel["all_correlations"] as Array<number> | undefined) ?? [],
        candidate_pool_size: (sel["candidate_pool_size"] as number | undefined) ?? h?.candidate_pool_size ?? value.training_state.candidates_total,
        correlation_threshold: (sel["correlation_threshold"] as number | undefined) ?? h?.correlation_threshold ?? 0,
        convergence_threshold: (sel["convergence_threshold"] as number | undefined) ?? h?.convergence_threshold ?? 0,
        ...value.training_state,
        fsm_status: value.state_machine.status,
        completion_reason: value.completion_reason,
        ...(stale ? { stale: true, stale_age_seconds: age } : {}),
        param_bounds: bounds()
      } as CanopyState
    })

    const entry = (row: MetricsRow): MetricsEntry => metricsEntry(row, sizes)

    const getMetrics = call(link.getMetrics).pipe(
      Effect.mapError((e) => fromLink(e)),
      Effect.flatMap((row) => (row ? Effect.succeed(entry(row)) : Effect.fail(new BackendNotFound({ message: "No metrics recorded yet" }))))
    )

    const getMetricsHistory = (count: number) =>
      call(link.getMetricsHistory(count <= 0 ? undefined : Math.min(count, HISTORY_CAP))).pipe(
        Effect.mapError((e) => fromLink(e)),
        Effect.map((rows) => rows.slice(-HISTORY_CAP).map(entry))
      )

    const rawTopology = call(link.getTopology).pipe(
      Effect.mapError((e) => fromLink(e)),
      Effect.flatMap((t) => (t ? Effect.succeed(t) : Effect.fail(new BackendUnavailable({ message: "No network: nothing has been created or trained yet" }))))
    )

    const getDataset: Effect.Effect<DatasetResponse, BackendError> = Effect.all([call(link.getDataset), call(link.getDatasetData)]).pipe(
      Effect.mapError((e) => fromLink(e)),
      Effect.map(([info, arrays]) => {
        const src = info.source
        return {
          loaded: info.loaded,
          generator: src?.generator ?? null,
          dataset_id: src?.dataset_id ?? null,
          train_samples: info.train_samples,
          test_samples: info.test_samples,
          input_features: info.input_features,
          output_features: info.output_features,
          X_train: (arrays?.X_train as Array<Array<number>> | undefined) ?? null,
          y_train: (arrays?.y_train as Array<Array<number>> | undefined) ?? null,
          X_val: (arrays?.X_val as Array<Array<number>> | null | undefined) ?? null,
          y_val: (arrays?.y_val as Array<Array<number>> | null | undefined) ?? null,
          params: (src?.params as Record<string, unknown> | null | undefined) ?? null,
          source: (src as Record<string, unknown> | null) ?? null
        }
      })
    )

    const getDecisionBoundary = (resolution: number) =>
      call(link.getDecisionBoundary(resolution)).pipe(
        Effect.mapError((e) => fromLink(e)),
        Effect.flatMap((d) =>
          d ? Effect.succeed(decisionBoundary(d, lastStatus?.value.monitor.current_hidden_units)) : Effect.fail(new BackendUnavailable({ message: "No decision boundary yet: no network trained on data" }))
        )
      )

    // --- control ------------------------------------------------------------------------------------------------

    const control = (command: LinkCommand, params?: Record<string, unknown>): Effect.Effect<ControlResult> =>
      call(link.command(command, params)).pipe(
        Effect.map((data): ControlResult => ({ ok: true, message: `${command} accepted`, data })),
        Effect.catchAll((e) =>
          Effect.succeed<ControlResult>({
            ok: false,
            error: e.kind === "unavailable" ? `JuniperCascor unreachable: ${e.message}` : e.message,
            message: `${command} failed`
          })
        )
      )

    const isTrainingActive = Effect.map(Effect.either(status), (r) =>
      r._tag === "Right" ? r.right.value.state_machine.status === "STARTED" || r.right.value.state_machine.status === "PAUSED" : false
    )

    const startTraining = (options: StartOptions = {}) =>
      Effect.gen(function* () {
        const fresh = (options.reset ?? true) || (options.startFresh ?? false)
        const body: Record<string, unknown> = { start_fresh: fresh }
        // No data upstream: send Canopy's dataset settings (JuniperData generator and params).
        const info = yield* Effect.either(call(link.getDataset))
        if (info._tag === "Right" && !info.right.loaded) {
          const generator = String(local["nn_dataset_type"] ?? "spiral")
          const elements = Number(local["nn_dataset_elements"])
          const arms = Math.max(2, Number(local["nn_spiral_number"]))
          body["dataset"] = {
            generator,
            params:
              generator === "spiral"
                ? { n_spirals: arms, n_points_per_spiral: Math.max(10, Math.round(elements / arms)), n_rotations: local["nn_spiral_rotations"], noise: local["nn_dataset_noise"] }
                : {}
          }
        }
        return yield* control("start", body)
      })

    // --- params -----------------------------------------------------------------------------------------------------

    const applyParams = (body: Readonly<Record<string, unknown>>) =>
      Effect.gen(function* () {
        if (Object.keys(body).length === 0) return yield* Effect.fail(new BackendInvalid({ message: "No parameters provided", status: 400 }))
        const parsed = parseParams(body, specMap)
        if (parsed.problems.length > 0) {
          const p = parsed.problems[0]!
          return yield* Effect.fail(
            new BackendInvalid({ message: parsed.problems.map((q) => `${q.key}: ${q.message} (got ${JSON.stringify(q.input)})`).join("; "), status: 422, field: p.key })
          )
        }
        const current = yield* currentValues
        const merged = { ...current, ...parsed.values }
        if (Object.keys(parsed.values).some((k) => SELECTION_KEYS.has(k))) {
          const problem = selectionProblem(merged)
          if (problem) return yield* Effect.fail(new BackendInvalid({ message: `${problem.key}: ${problem.message}`, status: 422, field: problem.key }))
        }
        const applied: Array<string> = []
        const skipped: Array<{ key: string; reason: string }> = parsed.unknown.map((key) => ({ key, reason: "unknown-key" }))
        const upstream: Record<string, ParamValue> = {}
        for (const [key, value] of Object.entries(parsed.values)) {
          const spec = specMap.get(key)!
          if (spec.local) {
            local[key] = value
            applied.push(key)
          } else if (spec.readOnly) skipped.push({ key, reason: "not-updatable" })
          else if (spec.cascor === null) skipped.push({ key, reason: "not-supported-by-backend" })
          else if (MULTI_ONLY.has(key) && !merged["cn_multi_candidate"]) skipped.push({ key, reason: "requires cn_multi_candidate" })
          else upstream[key] = value
        }
        const cascorBody = toCascorParams(upstream, specMap)
        if (Object.keys(cascorBody).length > 0) {
          const result = yield* call(link.command("set_params", cascorBody)).pipe(
            Effect.mapError((e) =>
              e.kind === "unavailable" ? new BackendUnavailable({ message: `JuniperCascor unreachable: ${e.message}` }) : new BackendRejected({ message: `The backend refused the parameters: ${e.message}`, upstreamStatus: e.status ?? null })
            )
          )
          const r = result as { applied?: ReadonlyArray<string>; skipped?: ReadonlyArray<{ key: string; reason: string }> } & Partial<HyperParameters>
          const byCascor = new Map(Object.entries(upstream).map(([k]) => [specMap.get(k)!.cascor!, k]))
          for (const c of r.applied ?? []) {
            const k = byCascor.get(c)
            if (k) {
              applied.push(k)
              local[k] = upstream[k]!
            }
          }
          for (const s of r.skipped ?? []) skipped.push({ key: byCascor.get(s.key) ?? s.key, reason: s.reason })
          if (r.learning_rate !== undefined) lastHyper = { ...(lastHyper ?? ({} as HyperParameters)), ...(r as HyperParameters) }
        }
        const state = yield* currentValues
        publish({ type: "params_updated", data: { params: state, applied, skipped: skipped.map((s) => s.key) } })
        const response: SetParamsResponse & { ok: boolean } = {
          ok: true,
          status: skipped.length > 0 ? "partial" : "success",
          state,
          applied,
          skipped: skipped.map((s) => s.key),
          skipped_detail: skipped,
          clamped: parsed.clamped.map((c) => ({ ...c }))
        }
        return response
      })

    // --- dataset staging and restart (S tier) -----------------------------------------------------------------------

    const stageDataset = (body: StageDatasetBody) =>
      Effect.gen(function* () {
        const name = body.nn_dataset_type.trim().toLowerCase()
        const generator = findGenerator(name === "spirals" || name === "two_spiral" ? "spiral" : name)
        if (!generator)
          return yield* Effect.fail(new BackendInvalid({ message: `nn_dataset_type: unknown generator '${body.nn_dataset_type.slice(0, 64)}' (known: ${GENERATOR_NAMES.join(", ")})`, status: 422, field: "nn_dataset_type" }))
        const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined)
        const derived: Record<string, unknown> = {}
        const fields = generator.params.fields
        const arms = num(body.nn_spiral_number)
        if ("n_spirals" in fields && arms !== undefined) derived["n_spirals"] = Math.round(arms)
        if ("n_rotations" in fields && num(body.nn_spiral_rotations) !== undefined) derived["n_rotations"] = body.nn_spiral_rotations
        if ("noise" in fields && num(body.nn_dataset_noise) !== undefined) derived["noise"] = body.nn_dataset_noise
        const elements = num(body.nn_dataset_elements)
        if (elements !== undefined) {
          if ("n_points_per_spiral" in fields) derived["n_points_per_spiral"] = Math.max(1, Math.round(elements / Math.max(1, Number(derived["n_spirals"] ?? 2))))
          else if ("n_samples" in fields) derived["n_samples"] = Math.round(elements)
        }
        const params = { ...derived, ...(body.nn_dataset_params ?? {}) }
        const checked = generator.params.validate(params)
        if (checked._tag === "Left")
          return yield* Effect.fail(
            new BackendInvalid({ message: `nn_dataset_params: ${checked.left.map((i) => `${i.field}: ${i.message}`).join("; ")}`, status: 422, field: checked.left[0]?.field ?? "nn_dataset_params" })
          )
        const staged: PendingDataset = { ...body, nn_dataset_type: generator.name, generator: generator.name, params, staged_at: Date.now() / 1000 }
        pending = staged
        local["nn_dataset_type"] = generator.name
        for (const k of ["nn_dataset_elements", "nn_dataset_noise", "nn_spiral_rotations", "nn_spiral_number"] as const) {
          const v = num(body[k])
          if (v !== undefined) local[k] = v
        }
        publish({ type: "event", data: { event: "status_change", pending_dataset: staged, message: `Dataset ${generator.name} staged; it applies when training restarts` } })
        return staged
      })

    const cancelPendingDataset = Effect.sync(() => {
      const had = pending !== null
      pending = null
      if (had) publish({ type: "event", data: { event: "status_change", pending_dataset: null, message: "Staged dataset cancelled" } })
      return had
    })

    const fsmOf = Effect.map(call(link.getStatus), (s) => {
      remember(s)
      return s.state_machine.status
    })

    const restartTraining = (options: StartOptions) =>
      Effect.gen(function* () {
        const startFresh = (options.startFresh ?? false) || (options.reset ?? true)
        const steps: Array<{ step: string; ok: boolean; detail: string | null }> = []
        const wasActive = yield* isTrainingActive
        if (wasActive) {
          const stop = yield* control("stop")
          steps.push({ step: "stop", ok: stop.ok, detail: stop.ok ? null : (stop.error ?? null) })
          // Wait for the run to end its phase (cascor stops between phases).
          const stopped = yield* fsmOf.pipe(
            Effect.repeat({ until: (f) => f !== "STARTED" && f !== "PAUSED", schedule: Schedule.spaced("100 millis") }),
            Effect.timeout("10 seconds"),
            Effect.option
          )
          if (stopped._tag === "None") return yield* Effect.fail(new BackendTimeout({ message: "Training did not stop within 10 s; try again", retriable: true }))
          steps.push({ step: "wait_stopped", ok: true, detail: null })
        }
        const dataset = pending
        const body: Record<string, unknown> = { start_fresh: startFresh, ...(dataset ? { dataset: { generator: dataset.generator, params: dataset.params } } : {}) }
        if (!dataset) {
          const info = yield* Effect.either(call(link.getDataset))
          if (info._tag === "Right" && !info.right.loaded) body["dataset"] = { generator: "spiral", params: {} }
        }
        const start = yield* control("start", body)
        steps.push({ step: "start", ok: start.ok, detail: start.ok ? (dataset ? `dataset ${dataset.generator}` : null) : (start.error ?? null) })
        if (!start.ok) return yield* Effect.fail(new BackendConflict({ message: `Restart failed: ${start.error ?? "start refused"}` }))
        if (dataset) pending = null
        const after = yield* Effect.either(fsmOf)
        const response: RestartResponse = {
          success: true,
          steps,
          was_active: wasActive,
          start_fresh: startFresh,
          instant_complete: after._tag === "Right" && (after.right === "COMPLETED" || after.right === "FAILED"),
          status: "restarted",
          dataset
        }
        return response
      })

    // --- snapshots and workers ---------------------------------------------------------------------------------

    const checkId = (id: string) =>
      SNAPSHOT_ID.test(id) ? Effect.void : Effect.fail(new BackendInvalid({ message: "Invalid snapshot id: expected 1–128 of A–Z, a–z, 0–9, _ and -", status: 400, field: "id" }))

    const detail = (meta: Record<string, unknown>): SnapshotDetail => ({ ...(meta as SnapshotDetail), meta_params: (meta["meta_params"] as Record<string, unknown> | undefined) ?? null })

    const backend: CanopyBackendShape = {
      backendType: link.mode,
      execution: "live",
      upstreamUrl: link.upstreamUrl,
      startTraining,
      stopTraining: control("stop"),
      pauseTraining: control("pause"),
      resumeTraining: control("resume"),
      resetTraining: control("reset"),
      isTrainingActive,
      getStatus,
      getState,
      getMetrics,
      getMetricsHistory,
      hasNetwork: Effect.map(Effect.either(status), (r) => r._tag === "Right" && r.right.value.network_loaded),
      getNetworkTopology: Effect.map(rawTopology, canopyTopology),
      getRawTopology: rawTopology,
      getNetworkStats: Effect.flatMap(rawTopology, (t) => Effect.sync(() => networkStats(t, lastStatus?.value ?? null))),
      getDataset,
      getDecisionBoundary,
      streamHealth,
      applyParams,
      stageDataset,
      cancelPendingDataset,
      restartTraining,
      listSnapshots: (limit, offset) =>
        call(link.listSnapshots(limit, offset)).pipe(
          Effect.mapError((e) => fromLink(e)),
          Effect.map((l) => ({ snapshots: l.snapshots.map((s) => ({ ...s, ...(inProcess ? { demo: true } : {}) })), total: l.total, limit, offset }))
        ),
      getSnapshot: (id) => Effect.zipRight(checkId(id), call(link.getSnapshot(id)).pipe(Effect.mapError((e) => fromLink(e)), Effect.map((m) => detail(m)))),
      createSnapshot: (name, description) => {
        const text = [name.trim(), description.trim()].filter((s) => s !== "").join(": ")
        return call(link.createSnapshot(text)).pipe(Effect.mapError((e) => fromLink(e)), Effect.map((m) => detail({ ...m, ...(name ? { name } : {}) })))
      },
      restoreSnapshot: (id) =>
        Effect.gen(function* () {
          yield* checkId(id)
          yield* call(link.getSnapshot(id)).pipe(Effect.mapError((e) => fromLink(e)))
          if (yield* isTrainingActive) return yield* Effect.fail(new BackendConflict({ message: "Training is active: pause or stop it before restoring a snapshot" }))
          const r = yield* call(link.restoreSnapshot(id)).pipe(Effect.mapError((e) => fromLink(e)))
          const s = yield* Effect.either(call(link.getStatus))
          if (s._tag === "Right") remember(s.right)
          publish({
            type: "state",
            data: { ...(s._tag === "Right" ? s.right.training_state : {}), action: "snapshot_restored", snapshot_id: id, fsm_state: r.fsm_state }
          })
          return { ...r, snapshot_id: id, status: "restored" as const, fsm_state: r.fsm_state }
        }),
      listWorkers: call(link.listWorkers).pipe(
        Effect.mapError((e) => (e.kind === "failed" ? new BackendRejected({ message: "Upstream error", upstreamStatus: e.status ?? null }) : fromLink(e))),
        Effect.map((l) => ({ workers: [...l.workers], count: l.count, ...(inProcess ? { demo: true } : {}) }))
      ),
      workerStats: call(link.workerStats).pipe(
        Effect.mapError((e) => (e.kind === "failed" ? new BackendRejected({ message: "Upstream error", upstreamStatus: e.status ?? null }) : fromLink(e))),
        Effect.map((w) => ({ ...w, ...(inProcess ? { demo: true } : {}) }))
      ),
      initialize,
      shutdown: Effect.void,
      frames: Stream.fromPubSub(frames),
      subscribe: PubSub.subscribe(frames)
    }
    return backend
  })
