// localStorage that never throws (private mode, quota, disabled storage).

export const load = (key: string): string | null => {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

export const save = (key: string, value: string): void => {
  try {
    localStorage.setItem(key, value)
  } catch {
    /* persistence is best effort */
  }
}

export const loadJson = <T>(key: string, fallback: T): T => {
  const raw = load(key)
  if (raw === null) return fallback
  try {
    return JSON.parse(raw) as T
  } catch {
    return fallback
  }
}

export const saveJson = (key: string, value: unknown): void => save(key, JSON.stringify(value))

export const KEYS = {
  theme: "juniper_canopy_theme",
  tab: "juniper_canopy_tab",
  welcomed: "juniper_canopy_welcomed",
  pinned: "juniper_canopy_pinned",
  metricsView: "juniper_canopy_metrics_view"
} as const
