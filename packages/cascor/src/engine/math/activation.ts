/**
 * Unit activations and the derivatives the training rules use (reference A.2).
 *
 * The derivative is written in terms of the unit's value v (and, for the Gaussian, its net input x) because that is
 * what the kernels have at hand after the forward pass. Hot loops inline the symmetric sigmoid; these functions are
 * the readable definitions the kernels and the tests share.
 */
import { Activation, type ActivationCode } from "../kernel.js"

/** Net inputs beyond ±15 saturate: both originals clamp here instead of calling exp. */
export const SIGMOID_CLAMP = 15
/** The Gaussian is 0 once −x²/2 < −75 (as in the originals). */
export const GAUSSIAN_FLOOR = -75

/** f(x) for any unit type. */
export const activate = (code: ActivationCode, x: number): number => {
  switch (code) {
    case Activation.symmetricSigmoid:
      return x < -SIGMOID_CLAMP ? -0.5 : x > SIGMOID_CLAMP ? 0.5 : 1 / (1 + Math.exp(-x)) - 0.5
    case Activation.sigmoid:
      return x < -SIGMOID_CLAMP ? 0 : x > SIGMOID_CLAMP ? 1 : 1 / (1 + Math.exp(-x))
    case Activation.tanh:
      return Math.tanh(x)
    case Activation.linear:
      return x
    case Activation.gaussian: {
      const h = (-x * x) / 2
      return h < GAUSSIAN_FLOOR ? 0 : Math.exp(h)
    }
  }
}

/** f′ from the value v = f(x) (and x for the Gaussian). No SigmoidPrimeOffset here: callers add it for outputs only. */
export const derivative = (code: ActivationCode, v: number, x: number): number => {
  switch (code) {
    case Activation.symmetricSigmoid:
      return 0.25 - v * v
    case Activation.sigmoid:
      return v * (1 - v)
    case Activation.tanh:
      return 1 - v * v
    case Activation.linear:
      return 1
    case Activation.gaussian:
      return -x * v
  }
}

/**
 * The output prime that scales the error (A.2/A.3): f′(y) + SigmoidPrimeOffset for squashing outputs, exactly 1
 * for linear outputs (no offset). The offset keeps the error alive when a sigmoid output saturates on the wrong side.
 */
export const outputPrime = (code: ActivationCode, y: number, sigmoidPrimeOffset: number): number =>
  code === Activation.linear ? 1 : derivative(code, y, 0) + sigmoidPrimeOffset

/** Activation names used in parameters and on the wire, mapped to the kernel codes. */
export const activationCodes = {
  symmetricSigmoid: Activation.symmetricSigmoid,
  sigmoid: Activation.sigmoid,
  tanh: Activation.tanh,
  linear: Activation.linear,
  gaussian: Activation.gaussian
} as const
export type ActivationName = keyof typeof activationCodes
