// Small NumPy-equivalent helpers for the generators. Plain functions on typed arrays: no per-point objects.

/**
 * numpy.linspace(start, stop, num)[k]: step = (stop − start)/(num − 1), v_k = k·step + start, the last element
 * exactly `stop`. With `endpoint: false`: step = (stop − start)/num and no last-element fix-up.
 */
export const linspaceStep = (start: number, stop: number, num: number, endpoint = true): number =>
  endpoint ? (num > 1 ? (stop - start) / (num - 1) : 0) : (stop - start) / num

export const linspace = (start: number, stop: number, num: number, endpoint = true): Float64Array => {
  const out = new Float64Array(num)
  const step = linspaceStep(start, stop, num, endpoint)
  for (let k = 0; k < num; k++) out[k] = k * step + start
  if (endpoint && num > 1) out[num - 1] = stop
  return out
}

/** Python's round() on a float: ties go to the even neighbour (Math.round does not). */
export const roundHalfEven = (x: number): number => {
  const f = Math.floor(x)
  const d = x - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}
