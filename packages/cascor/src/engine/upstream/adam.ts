/**
 * Adam (Kingma & Ba) as upstream juniper-cascor uses it for the linear output layer: β 0.9/0.999, ε 1e−8, no weight
 * decay. A fresh optimiser per output phase, as upstream builds a new one each time it retrains the outputs.
 */
export class Adam {
  private readonly m: Float64Array
  private readonly v: Float64Array
  private t = 0

  constructor(
    n: number,
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8
  ) {
    this.m = new Float64Array(n)
    this.v = new Float64Array(n)
  }

  /** w ← w − lr·m̂/(√v̂ + ε) for the gradient g (same length as w). */
  step(w: Float32Array | Float64Array, g: Float64Array): void {
    this.t++
    const c1 = 1 - Math.pow(this.beta1, this.t)
    const c2 = 1 - Math.pow(this.beta2, this.t)
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!
      const m = (this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * gi)
      const v = (this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * gi * gi)
      w[i] = w[i]! - (this.lr * (m / c1)) / (Math.sqrt(v / c2) + this.eps)
    }
  }
}
