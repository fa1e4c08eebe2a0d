// Chart colours come from CSS custom properties, so a theme switch restyles every figure from one place.

export const cssVar = (name: string, fallback = "#888"): string => {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return v || fallback
}

export interface ChartTheme {
  readonly text: string
  readonly muted: string
  readonly grid: string
  readonly axis: string
  readonly bg: string
  readonly train: string
  readonly val: string
  readonly accuracy: string
  readonly valAccuracy: string
  readonly f1: string
  readonly precision: string
  readonly recall: string
  readonly rocAuc: string
  readonly marker: string
  readonly positive: string
  readonly negative: string
  readonly input: string
  readonly hidden: string
  readonly output: string
  readonly glow: string
  readonly classes: ReadonlyArray<string>
}

export const chartTheme = (): ChartTheme => ({
  text: cssVar("--text"),
  muted: cssVar("--text-muted"),
  grid: cssVar("--chart-grid"),
  axis: cssVar("--chart-axis"),
  bg: cssVar("--surface"),
  train: cssVar("--c-train"),
  val: cssVar("--c-val"),
  accuracy: cssVar("--c-acc"),
  valAccuracy: cssVar("--c-val-acc"),
  f1: cssVar("--c-f1"),
  precision: cssVar("--c-precision"),
  recall: cssVar("--c-recall"),
  rocAuc: cssVar("--c-auc"),
  marker: cssVar("--c-marker"),
  positive: cssVar("--c-pos"),
  negative: cssVar("--c-neg"),
  input: cssVar("--c-input"),
  hidden: cssVar("--c-hidden"),
  output: cssVar("--c-output"),
  glow: cssVar("--c-glow"),
  classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => cssVar(`--c-class-${i}`))
})

/** Viridis, sampled at 9 stops and interpolated linearly (perceptually uniform, colour-blind safe). */
const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]
]

export const viridis = (t: number): readonly [number, number, number] => {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1)
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x))
  const f = x - i
  const a = VIRIDIS[i]!
  const b = VIRIDIS[i + 1]!
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]
}

/** "#rrggbb" or "rgb(r, g, b)" → [r, g, b]. */
export const rgbOf = (c: string): readonly [number, number, number] => {
  const hex = /^#([0-9a-f]{6})$/i.exec(c.trim())
  if (hex) {
    const n = parseInt(hex[1]!, 16)
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
  }
  const m = /rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/i.exec(c)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128]
}

/** Diverging colour for a weight in [-1, 1] (negative → red, positive → blue), over the surface colour. */
export const weightColor = (w: number, theme: ChartTheme): string => {
  const [r, g, b] = rgbOf(w >= 0 ? theme.positive : theme.negative)
  const [br, bg, bb] = rgbOf(theme.bg)
  // A floor keeps small weights visible against the background (dark theme especially).
  const t = 0.22 + 0.78 * Math.min(1, Math.abs(w))
  return `rgb(${Math.round(br + (r - br) * t)}, ${Math.round(bg + (g - bg) * t)}, ${Math.round(bb + (b - bb) * t)})`
}
