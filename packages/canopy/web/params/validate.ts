// Client-side parameter validation: bounds and integer-ness per field, then cascor's selection rules (§6):
// S ∈ [1,P]; 0 ≤ T, R ≤ S; not both 0; T=0 ⇒ R=S; R=0 ⇒ T=S; T>0 and R>0 ⇒ T+R=S.
import { PARAM_BY_KEY, type ParamDef } from "./param-defs.js"

/** Parse a field's text; returns the value or an error message that names the bounds. */
export const parseField = (def: ParamDef, raw: string | boolean): { ok: true; value: unknown } | { ok: false; error: string } => {
  if (def.kind === "bool") return { ok: true, value: raw === true || raw === "true" }
  if (def.kind === "enum") {
    const v = String(raw)
    return def.options.some((o) => o.value === v) ? { ok: true, value: v } : { ok: false, error: `${def.label}: "${v}" is not an allowed value` }
  }
  const text = String(raw).trim()
  if (text === "") return { ok: false, error: `${def.label}: a value is required` }
  const v = Number(text)
  if (!Number.isFinite(v)) return { ok: false, error: `${def.label}: "${text}" is not a number` }
  if (def.kind === "int" && !Number.isInteger(v)) return { ok: false, error: `${def.label}: must be a whole number` }
  if (v < def.min || v > def.max) return { ok: false, error: `${def.label}: ${text} is out of bounds (allowed ${def.min} to ${def.max})` }
  return { ok: true, value: v }
}

/** Cross-field selection rules over the full set of values that would be applied. */
export const selectionErrors = (values: Readonly<Record<string, unknown>>): string[] => {
  const numOf = (k: string): number | null => {
    const v = values[k]
    return typeof v === "number" ? v : null
  }
  const P = numOf("cn_pool_size")
  const S = numOf("cn_selected_candidates")
  const T = numOf("cn_top_candidates")
  const R = numOf("cn_random_candidates")
  const errs: string[] = []
  if (S === null) return errs
  if (P !== null && (S < 1 || S > P)) errs.push(`Selected candidates (${S}) must be between 1 and the pool size (${P})`)
  if (values["cn_multi_candidate"] !== true || T === null || R === null) return errs
  if (T > S || R > S) errs.push(`Top (${T}) and random (${R}) candidates may not exceed selected candidates (${S})`)
  else if (T === 0 && R === 0) errs.push("Top and random candidates cannot both be 0")
  else if (T === 0 && R !== S) errs.push(`With no top candidates, random candidates must equal selected (${S})`)
  else if (R === 0 && T !== S) errs.push(`With no random candidates, top candidates must equal selected (${S})`)
  else if (T > 0 && R > 0 && T + R !== S) errs.push(`Top (${T}) + random (${R}) must equal selected candidates (${S})`)
  return errs
}

/** Values are equal for Apply purposes (numbers compared numerically, "top_tier" equals "top"). */
export const sameValue = (key: string, a: unknown, b: unknown): boolean => {
  if (a === b) return true
  const def = PARAM_BY_KEY.get(key)
  if (def && (def.kind === "int" || def.kind === "float")) return Number(a) === Number(b)
  if (key === "cn_candidate_selection") return (a === "top_tier" ? "top" : a) === (b === "top_tier" ? "top" : b)
  return false
}
