/**
 * The run table: what the API shows about each distributed run (its spec, control requests, state, latest status,
 * latest network, one record per phase) and the inline datasets runs train on. Runners write it from workflow
 * activities (idempotent upserts keyed by run and phase, so a phase re-executed after a failover rewrites the same
 * row and counts an extra attempt); the API reads it and records control requests.
 *
 * Two implementations behind one tag: PostgreSQL (tables `<prefix>_cascor_runs`, `_cascor_phases`,
 * `_cascor_datasets`, created on start under an advisory lock) and memory (single mode).
 */
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { DatasetSpec, type StoredDataset } from "./datasets.js"

export const RunState = Schema.Literal("queued", "running", "paused", "completed", "stopped", "failed")
export type RunState = typeof RunState.Type
export const Desired = Schema.Literal("run", "pause", "stop")
export type Desired = typeof Desired.Type

export const terminalStates: ReadonlySet<RunState> = new Set(["completed", "stopped", "failed"])

/** What a run was created with (also the workflow payload). */
export const RunSpec = Schema.Struct({
  /** Engine parameters, encoded (defaults filled in, validated at creation). */
  params: Schema.Unknown,
  dataset: DatasetSpec,
  /** Candidate jobs per phase: 0 = one per runner. */
  chunks: Schema.Int
})
export type RunSpec = typeof RunSpec.Type

/** The engine's run status as stored (RunStatus of engine/run.ts). */
export const StoredStatus = Schema.Struct({
  algorithm: Schema.String,
  stage: Schema.String,
  round: Schema.Number,
  epoch: Schema.Number,
  hiddenUnits: Schema.Number,
  crossings: Schema.Number,
  trueError: Schema.Number,
  errorBits: Schema.Number,
  accuracy: Schema.Number,
  done: Schema.Boolean,
  outcome: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
})
export type StoredStatus = typeof StoredStatus.Type

/** One phase as recorded by the runner that ran it. */
export const PhaseRecord = Schema.Struct({
  phase: Schema.Int,
  kind: Schema.Literal("output", "candidate"),
  round: Schema.Int,
  end: Schema.String,
  epochs: Schema.Int,
  /** Global epoch after the phase. */
  epoch: Schema.Int,
  hiddenUnits: Schema.Int,
  trueError: Schema.Number,
  errorBits: Schema.Number,
  accuracy: Schema.Number,
  /** Candidate phases: the installed unit's index (absent when the run ended instead of installing). */
  unit: Schema.optional(Schema.Int),
  bestScore: Schema.optional(Schema.Number),
  /** Candidate jobs the phase was split into. */
  jobs: Schema.optional(Schema.Int),
  ms: Schema.Number,
  runner: Schema.String,
  /** How many times this phase was executed (> 1 after a failover re-ran it; the result is the same). */
  attempts: Schema.Int
})
export type PhaseRecord = typeof PhaseRecord.Type

export interface RunRecord {
  readonly runId: string
  readonly executionId: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly spec: RunSpec
  readonly desired: Desired
  readonly pausedAt: number | null
  readonly state: RunState
  /** Phases completed. */
  readonly phase: number
  readonly status: StoredStatus | null
  /** The latest network, encoded (engine/network.ts `Network`). */
  readonly network: unknown
  readonly error: string | null
  readonly runner: string | null
}

/** The storage failed (after the driver's own retries). */
export class RunStoreError extends Schema.TaggedError<RunStoreError>()("RunStoreError", { message: Schema.String }) {}
/** A run with this id exists already. */
export class RunExists extends Schema.TaggedError<RunExists>()("RunExists", { runId: Schema.String }) {}

/** What a control check tells the workflow before a phase. */
export interface ControlDecision {
  readonly desired: Desired
  readonly deleted: boolean
}

export interface RunStoreShape {
  readonly createRun: (r: { runId: string; executionId: string; spec: RunSpec }) => Effect.Effect<RunRecord, RunExists | RunStoreError>
  readonly getRun: (runId: string) => Effect.Effect<Option.Option<RunRecord>, RunStoreError>
  readonly listRuns: (limit: number, offset: number) => Effect.Effect<{ readonly runs: ReadonlyArray<RunRecord>; readonly total: number }, RunStoreError>
  /** Records a control request; returns the run after it (None if unknown or deleted). */
  readonly setDesired: (runId: string, desired: Desired) => Effect.Effect<Option.Option<RunRecord>, RunStoreError>
  /** Hides the run and asks it to stop; returns it as it was (None if unknown). */
  readonly markDeleted: (runId: string) => Effect.Effect<Option.Option<RunRecord>, RunStoreError>
  /** Removes every row of a run. */
  readonly purge: (runId: string) => Effect.Effect<void, RunStoreError>
  /** Before phase `phase`: the control request, with `paused_at`/state updated atomically. */
  readonly controlCheck: (runId: string, phase: number) => Effect.Effect<ControlDecision, RunStoreError>
  readonly recordPhase: (
    runId: string,
    record: Omit<PhaseRecord, "attempts">,
    status: StoredStatus,
    network: unknown
  ) => Effect.Effect<PhaseRecord, RunStoreError>
  readonly finishRun: (
    runId: string,
    state: "completed" | "stopped" | "failed",
    error: string | null
  ) => Effect.Effect<void, RunStoreError>
  /** Failed before the workflow could start (e.g. the engine refused to send it). */
  readonly phases: (runId: string, limit: number) => Effect.Effect<ReadonlyArray<PhaseRecord>, RunStoreError>
  readonly putDataset: (d: StoredDataset) => Effect.Effect<void, RunStoreError>
  readonly getDataset: (checksum: string) => Effect.Effect<Option.Option<StoredDataset>, RunStoreError>
}

export class RunStore extends Context.Tag("@juniper/cascor/cluster/RunStore")<RunStore, RunStoreShape>() {}

// ---------------------------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------------------------

interface MemRun {
  record: RunRecord
  deleted: boolean
  phases: Map<number, PhaseRecord>
}

export const makeMemoryRunStore = (): RunStoreShape => {
  const runs = new Map<string, MemRun>()
  const datasets = new Map<string, StoredDataset>()
  const live = (id: string) => {
    const r = runs.get(id)
    return r && !r.deleted ? r : undefined
  }
  const touch = (m: MemRun, patch: Partial<RunRecord>) => {
    m.record = { ...m.record, ...patch, updatedAt: Date.now() }
    return m.record
  }
  return {
    createRun: ({ executionId, runId, spec }) =>
      Effect.suspend(() => {
        if (live(runId)) return Effect.fail(new RunExists({ runId }))
        const now = Date.now()
        const record: RunRecord = {
          runId, executionId, createdAt: now, updatedAt: now, spec, desired: "run", pausedAt: null, state: "queued",
          phase: 0, status: null, network: null, error: null, runner: null
        }
        runs.set(runId, { record, deleted: false, phases: new Map() })
        return Effect.succeed(record)
      }),
    getRun: (runId) => Effect.sync(() => Option.fromNullable(live(runId)?.record)),
    listRuns: (limit, offset) =>
      Effect.sync(() => {
        const all = [...runs.values()].filter((r) => !r.deleted).map((r) => r.record)
        all.sort((a, b) => a.createdAt - b.createdAt || (a.runId < b.runId ? -1 : 1))
        return { runs: all.slice(offset, offset + limit), total: all.length }
      }),
    setDesired: (runId, desired) =>
      Effect.sync(() => {
        const m = live(runId)
        return m ? Option.some(touch(m, { desired })) : Option.none()
      }),
    markDeleted: (runId) =>
      Effect.sync(() => {
        const m = live(runId)
        if (!m) return Option.none()
        const before = m.record
        m.deleted = true
        touch(m, { desired: "stop" })
        return Option.some(before)
      }),
    purge: (runId) => Effect.sync(() => void runs.delete(runId)),
    controlCheck: (runId, phase) =>
      Effect.sync(() => {
        const m = runs.get(runId)
        if (!m) return { desired: "stop" as const, deleted: true }
        const d = m.record.desired
        if (!m.deleted && !terminalStates.has(m.record.state))
          touch(m, d === "pause" ? { pausedAt: phase, state: "paused" } : { pausedAt: null, state: "running" })
        return { desired: d, deleted: m.deleted }
      }),
    recordPhase: (runId, record, status, network) =>
      Effect.sync(() => {
        const m = runs.get(runId)
        const attempts = (m?.phases.get(record.phase)?.attempts ?? 0) + 1
        const full: PhaseRecord = { ...record, attempts }
        if (!m) return full
        m.phases.set(record.phase, full)
        touch(m, {
          phase: Math.max(m.record.phase, record.phase + 1), status, network, runner: record.runner,
          ...(terminalStates.has(m.record.state) ? {} : { state: m.record.desired === "pause" ? m.record.state : "running" as const })
        })
        return full
      }),
    finishRun: (runId, state, error) =>
      Effect.sync(() => {
        const m = runs.get(runId)
        if (!m) return
        if (m.deleted) return void runs.delete(runId)
        touch(m, { state, error, pausedAt: null })
      }),
    phases: (runId, limit) =>
      Effect.sync(() => {
        const m = live(runId)
        if (!m) return []
        const all = [...m.phases.values()].sort((a, b) => a.phase - b.phase)
        return all.slice(Math.max(0, all.length - limit))
      }),
    putDataset: (d) => Effect.sync(() => void datasets.set(d.checksum, d)),
    getDataset: (checksum) => Effect.sync(() => Option.fromNullable(datasets.get(checksum)))
  }
}

export const layerMemoryRunStore: Layer.Layer<RunStore> = Layer.sync(RunStore, makeMemoryRunStore)

// ---------------------------------------------------------------------------------------------------------------
// SQL (PostgreSQL)
// ---------------------------------------------------------------------------------------------------------------

interface RunRow {
  readonly run_id: string
  readonly execution_id: string
  readonly created_at: number | string
  readonly updated_at: number | string
  readonly spec: unknown
  readonly desired: string
  readonly paused_at: number | null
  readonly state: string
  readonly phase: number
  readonly status: unknown
  readonly network: unknown
  readonly error: string | null
  readonly runner: string | null
  readonly deleted?: boolean
}

const parseJson = (u: unknown): unknown => (typeof u === "string" ? JSON.parse(u) : u)
const decodeSpec = Schema.decodeUnknownSync(RunSpec)
const decodeStatus = Schema.decodeUnknownSync(StoredStatus)
const decodePhase = Schema.decodeUnknownSync(PhaseRecord)

const fromRow = (r: RunRow): RunRecord => ({
  runId: r.run_id,
  executionId: r.execution_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  spec: decodeSpec(parseJson(r.spec)),
  desired: r.desired as Desired,
  pausedAt: r.paused_at,
  state: r.state as RunState,
  phase: r.phase,
  status: r.status === null || r.status === undefined ? null : decodeStatus(parseJson(r.status)),
  network: r.network === null || r.network === undefined ? null : parseJson(r.network),
  error: r.error,
  runner: r.runner
})

export const makeSqlRunStore = (prefix: string): Effect.Effect<RunStoreShape, RunStoreError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const runs = sql(`${prefix}_cascor_runs`)
    const phases = sql(`${prefix}_cascor_phases`)
    const datasets = sql(`${prefix}_cascor_datasets`)
    const fail = (what: string) => (e: unknown) =>
      new RunStoreError({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` })
    const json = (v: unknown) => JSON.stringify(v)

    // Concurrent starts (API and runners) create the tables under one transaction-scoped advisory lock.
    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`${prefix}_cascor_schema`}))`
          yield* sql`CREATE TABLE IF NOT EXISTS ${runs} (
            run_id TEXT PRIMARY KEY,
            execution_id TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            spec JSONB NOT NULL,
            desired TEXT NOT NULL,
            paused_at INTEGER,
            state TEXT NOT NULL,
            phase INTEGER NOT NULL DEFAULT 0,
            status JSONB,
            network JSONB,
            error TEXT,
            runner TEXT,
            deleted BOOLEAN NOT NULL DEFAULT FALSE
          )`
          yield* sql`CREATE TABLE IF NOT EXISTS ${phases} (
            run_id TEXT NOT NULL,
            phase INTEGER NOT NULL,
            record JSONB NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (run_id, phase)
          )`
          yield* sql`CREATE TABLE IF NOT EXISTS ${datasets} (
            checksum TEXT PRIMARY KEY,
            p INTEGER NOT NULL,
            i INTEGER NOT NULL,
            o INTEGER NOT NULL,
            inputs BYTEA NOT NULL,
            targets BYTEA NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
          )`
        })
      )
      .pipe(Effect.mapError(fail("creating the run tables")))

    const getRun = (runId: string) =>
      sql<RunRow>`SELECT * FROM ${runs} WHERE run_id = ${runId} AND NOT deleted`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), fromRow)),
        Effect.mapError(fail("reading a run"))
      )

    const store: RunStoreShape = {
      createRun: ({ executionId, runId, spec }) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const now = Date.now()
              // A deleted run's rows may linger until its workflow ends: a new run with the same id replaces them.
              const old = yield* sql<{ deleted: boolean }>`SELECT deleted FROM ${runs} WHERE run_id = ${runId} FOR UPDATE`
              if (old[0] && !old[0].deleted) return yield* Effect.fail(new RunExists({ runId }))
              if (old[0]) {
                yield* sql`DELETE FROM ${phases} WHERE run_id = ${runId}`
                yield* sql`DELETE FROM ${runs} WHERE run_id = ${runId}`
              }
              const rows = yield* sql<RunRow>`INSERT INTO ${runs}
                (run_id, execution_id, created_at, updated_at, spec, desired, state, phase)
                VALUES (${runId}, ${executionId}, ${now}, ${now}, ${json(Schema.encodeSync(RunSpec)(spec))}::jsonb, 'run', 'queued', 0)
                RETURNING *`
              return fromRow(rows[0]!)
            })
          )
          .pipe(Effect.catchTag("SqlError", (e) => Effect.fail(fail("creating a run")(e)))),
      getRun,
      listRuns: (limit, offset) =>
        Effect.all([
          sql<RunRow>`SELECT * FROM ${runs} WHERE NOT deleted ORDER BY created_at, run_id LIMIT ${limit} OFFSET ${offset}`,
          sql<{ n: number | string }>`SELECT count(*) AS n FROM ${runs} WHERE NOT deleted`
        ]).pipe(
          Effect.map(([rows, count]) => ({ runs: rows.map(fromRow), total: Number(count[0]?.n ?? 0) })),
          Effect.mapError(fail("listing runs"))
        ),
      setDesired: (runId, desired) =>
        sql<RunRow>`UPDATE ${runs} SET desired = ${desired}, updated_at = ${Date.now()}
          WHERE run_id = ${runId} AND NOT deleted RETURNING *`.pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), fromRow)),
          Effect.mapError(fail("recording a control request"))
        ),
      markDeleted: (runId) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const before = yield* sql<RunRow>`SELECT * FROM ${runs} WHERE run_id = ${runId} AND NOT deleted FOR UPDATE`
              if (!before[0]) return Option.none()
              yield* sql`UPDATE ${runs} SET deleted = TRUE, desired = 'stop', updated_at = ${Date.now()} WHERE run_id = ${runId}`
              return Option.some(fromRow(before[0]))
            })
          )
          .pipe(Effect.mapError(fail("deleting a run"))),
      purge: (runId) =>
        sql
          .withTransaction(
            Effect.zipRight(sql`DELETE FROM ${phases} WHERE run_id = ${runId}`, sql`DELETE FROM ${runs} WHERE run_id = ${runId}`)
          )
          .pipe(Effect.asVoid, Effect.mapError(fail("purging a run"))),
      controlCheck: (runId, phase) =>
        sql<{ desired: string; deleted: boolean }>`UPDATE ${runs} SET
            paused_at = CASE WHEN desired = 'pause' THEN ${phase}::integer ELSE NULL END,
            state = CASE WHEN state IN ('completed', 'stopped', 'failed') OR deleted THEN state
                         WHEN desired = 'pause' THEN 'paused' ELSE 'running' END,
            updated_at = ${Date.now()}
          WHERE run_id = ${runId} RETURNING desired, deleted`.pipe(
          Effect.map((rows) =>
            rows[0] ? { desired: rows[0].desired as Desired, deleted: rows[0].deleted } : { desired: "stop" as const, deleted: true }
          ),
          Effect.mapError(fail("reading the control request"))
        ),
      recordPhase: (runId, record, status, network) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const rows = yield* sql<{ attempts: number }>`INSERT INTO ${phases} (run_id, phase, record, attempts)
                VALUES (${runId}, ${record.phase}, ${json({ ...record, attempts: 1 })}::jsonb, 1)
                ON CONFLICT (run_id, phase) DO UPDATE SET
                  attempts = ${phases}.attempts + 1,
                  record = jsonb_set(EXCLUDED.record, '{attempts}', to_jsonb(${phases}.attempts + 1))
                RETURNING attempts`
              yield* sql`UPDATE ${runs} SET
                  phase = GREATEST(phase, ${record.phase + 1}),
                  status = ${json(status)}::jsonb,
                  network = ${json(network)}::jsonb,
                  runner = ${record.runner},
                  state = CASE WHEN state IN ('completed', 'stopped', 'failed') OR desired = 'pause' THEN state ELSE 'running' END,
                  updated_at = ${Date.now()}
                WHERE run_id = ${runId}`
              return { ...record, attempts: rows[0]?.attempts ?? 1 }
            })
          )
          .pipe(Effect.mapError(fail("recording a phase"))),
      finishRun: (runId, state, error) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const rows = yield* sql<{ deleted: boolean }>`UPDATE ${runs}
                SET state = ${state}, error = ${error}, paused_at = NULL, updated_at = ${Date.now()}
                WHERE run_id = ${runId} RETURNING deleted`
              if (rows[0]?.deleted) {
                yield* sql`DELETE FROM ${phases} WHERE run_id = ${runId}`
                yield* sql`DELETE FROM ${runs} WHERE run_id = ${runId}`
              }
            })
          )
          .pipe(Effect.mapError(fail("finishing a run"))),
      phases: (runId, limit) =>
        sql<{ record: unknown }>`SELECT p.record FROM ${phases} p JOIN ${runs} r ON r.run_id = p.run_id
          WHERE p.run_id = ${runId} AND NOT r.deleted ORDER BY p.phase DESC LIMIT ${limit}`.pipe(
          Effect.map((rows) => rows.map((r) => decodePhase(parseJson(r.record))).reverse()),
          Effect.mapError(fail("reading phases"))
        ),
      putDataset: (d) =>
        sql`INSERT INTO ${datasets} (checksum, p, i, o, inputs, targets, created_at)
          VALUES (${d.checksum}, ${d.P}, ${d.I}, ${d.O}, ${Buffer.from(d.inputs.buffer, d.inputs.byteOffset, d.inputs.byteLength)},
                  ${Buffer.from(d.targets.buffer, d.targets.byteOffset, d.targets.byteLength)}, ${Date.now()})
          ON CONFLICT (checksum) DO NOTHING`.pipe(Effect.asVoid, Effect.mapError(fail("storing a dataset"))),
      getDataset: (checksum) =>
        sql<{ checksum: string; p: number; i: number; o: number; inputs: Uint8Array; targets: Uint8Array }>`
          SELECT * FROM ${datasets} WHERE checksum = ${checksum}`.pipe(
          Effect.map((rows) =>
            Option.map(Option.fromNullable(rows[0]), (r) => ({
              checksum: r.checksum, P: r.p, I: r.i, O: r.o, inputs: r.inputs, targets: r.targets
            }))
          ),
          Effect.mapError(fail("reading a dataset"))
        )
    }
    return store
  })

export const layerSqlRunStore = (prefix: string): Layer.Layer<RunStore, RunStoreError, SqlClient.SqlClient> =>
  Layer.effect(RunStore, makeSqlRunStore(prefix))
