// Number and time formatting shared by tiles, tables and legends.

export const fmtNum = (v: number | null | undefined, digits = 4): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—"
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2)
  return Number.isInteger(v) ? String(v) : v.toFixed(digits)
}

export const fmtInt = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : Math.round(v).toLocaleString("en-US")

/** Accuracy-like values arrive as fractions; show them as percentages. */
export const fmtPct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : `${(v * 100).toFixed(digits)}%`

export const fmtDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return "—"
  if (seconds < 60) return `${seconds.toFixed(0)} s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m} min ${Math.floor(seconds % 60)} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** ISO string or unix seconds → local date-time text. */
export const fmtTime = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined || v === "") return "—"
  const d = typeof v === "number" ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v)
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString("en-GB", { hour12: false })
}

/** "completed" / "STARTED" / "Started" → "Completed", "Started". */
export const titleCase = (s: string): string => (s ? s.charAt(0).toUpperCase() + s.slice(1).toLowerCase().replace(/_/g, " ") : s)

/** Parameter values as typed: 0.01 stays "0.01", 1e6 reads "1,000,000", floats keep 6 significant digits. */
export const fmtParam = (v: unknown): string => {
  if (v === undefined || v === null || v === "") return "—"
  if (typeof v !== "number") return String(v)
  if (!Number.isFinite(v)) return String(v)
  if (Number.isInteger(v)) return v.toLocaleString("en-US")
  return String(Number(v.toPrecision(6)))
}
