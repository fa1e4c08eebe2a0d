/**
 * The upstream candidate objective (reference Part B): Pearson |r| between a candidate's output and the single best
 * residual column, and its gradient with respect to the candidate's outputs.
 *
 * With a = o − ō and e = e_j − ē: r = Σ a·e / (‖a‖·‖e‖ + 1e−8), |r| clamped to ≤ 1, and 0 when ‖a‖·‖e‖ < 1e−7.
 * ∂|r|/∂o_p = sgn(r)·(e_p/(‖a‖‖e‖) − r·a_p/‖a‖²) (the epsilon terms ignored, as in the reference's native path);
 * centring a gradient that already has zero mean is a no-op, so no correction is needed.
 */

/** Centres `x` (length P) into `out`; returns ‖out‖. */
export const centre = (x: ArrayLike<number>, P: number, out: Float64Array, stride = 1, offset = 0): number => {
  let mean = 0
  for (let p = 0; p < P; p++) mean += x[offset + p * stride]!
  mean /= P
  let norm = 0
  for (let p = 0; p < P; p++) {
    const d = x[offset + p * stride]! - mean
    out[p] = d
    norm += d * d
  }
  return Math.sqrt(norm)
}

/** r between centred vectors a (norm na) and e (norm ne), with upstream's guards. Returns the signed r. */
export const pearson = (a: Float64Array, na: number, e: Float64Array, ne: number, P: number): number => {
  const den = na * ne
  if (den < 1e-7) return 0
  let s = 0
  for (let p = 0; p < P; p++) s += a[p]! * e[p]!
  const r = s / (den + 1e-8)
  return Math.max(-1, Math.min(1, r))
}

/** g_p = ∂|r|/∂o_p, written into `out`. */
export const pearsonGradient = (
  a: Float64Array,
  na: number,
  e: Float64Array,
  ne: number,
  r: number,
  P: number,
  out: Float64Array
): void => {
  const den = na * ne
  if (den < 1e-7 || r === 0) {
    out.fill(0, 0, P)
    return
  }
  const sg = r < 0 ? -1 : 1
  const na2 = na * na
  for (let p = 0; p < P; p++) out[p] = sg * (e[p]! / den - (r * a[p]!) / na2)
}
