/**
 * Quickprop (reference A.4): one rule for output and candidate weights. Slopes are gradients of the quantity being
 * minimised; every step moves against them. Cascor hard-wires the mode-switch threshold to 0, so a weight whose last
 * step was exactly 0 (every weight's first step) takes a plain gradient step.
 */

/** The shrink factor μ/(1+μ): the secant jump is replaced by μ·d when the slope has not shrunk below shrink·p. */
export const shrinkFactor = (mu: number): number => mu / (1 + mu)

/**
 * The step Δ for one weight, given s (current slope, decay included), d (previous step), p (previous slope).
 *
 * - d = 0: gradient mode, Δ = −ε·s.
 * - d ≠ 0: the linear term −ε·s only when it points the same way as d; plus μ·d when the slope did not shrink enough
 *   (s on the same side of shrink·p as a continuing descent), otherwise the secant jump d·s/(p − s).
 *
 * Faithful: p − s = 0 is not guarded (as in both originals). The shrink test makes it unreachable with d ≠ 0
 * except in degenerate float cases, where the step becomes ±Infinity/NaN exactly as the reference would.
 */
export const quickpropDelta = (s: number, d: number, p: number, epsilon: number, mu: number, shrink: number): number => {
  if (d < 0) {
    const linear = s > 0 ? -epsilon * s : 0
    return linear + (s >= shrink * p ? mu * d : (d * s) / (p - s))
  }
  if (d > 0) {
    const linear = s < 0 ? -epsilon * s : 0
    return linear + (s <= shrink * p ? mu * d : (d * s) / (p - s))
  }
  return -epsilon * s
}

/**
 * Applies Quickprop to weights[offset .. offset+n): s = slope + decay·w; w += Δ; delta = Δ; prevSlope = s (decay
 * included); slope = 0. `epsilon` is already scaled by the caller (÷P outputs, ÷(P·K) candidates).
 */
export const quickpropUpdate = (
  weights: Float32Array,
  deltas: Float32Array,
  prevSlopes: Float32Array,
  slopes: Float64Array,
  offset: number,
  n: number,
  epsilon: number,
  decay: number,
  mu: number
): void => {
  const shrink = shrinkFactor(mu) // recomputed every epoch, as in the reference
  for (let i = offset, end = offset + n; i < end; i++) {
    const w = weights[i]!
    const s = slopes[i]! + decay * w
    const step = quickpropDelta(s, deltas[i]!, prevSlopes[i]!, epsilon, mu, shrink)
    weights[i] = w + step
    deltas[i] = step
    prevSlopes[i] = s
    slopes[i] = 0
  }
}
