/**
 * The two patience tests (reference A.5, A.6). Each is checked after an epoch; only the first matching rule applies.
 * Kept as tiny state machines so the kernels and the unit tests run the very same code.
 */

/** Verdict after one epoch. */
export type PatienceVerdict = "continue" | "win" | "stagnant"

/**
 * Output phase. `quit` is kept in this phase's *updated* epochs; that is the global `Epoch ≥ quitEpoch` test of the
 * reference shifted by the epoch count at phase start (only updating epochs advance `Epoch`).
 */
export interface OutputPatience {
  last: number
  quit: number
}

export const outputPatienceStart = (patience: number): OutputPatience => ({ last: 0, quit: patience })

/**
 * @param i 0-based index of the epoch just run in this phase
 * @param updated epochs of this phase that updated weights, this one included
 */
export const outputPatienceCheck = (
  state: OutputPatience,
  i: number,
  updated: number,
  trueError: number,
  errorBits: number,
  patience: number,
  changeThreshold: number
): PatienceVerdict => {
  if (errorBits === 0) return "win"
  if (patience === 0) return "continue"
  if (i === 0) {
    state.last = trueError
    return "continue"
  }
  if (Math.abs(trueError - state.last) > state.last * changeThreshold) {
    state.last = trueError
    state.quit = updated + patience
    return "continue"
  }
  return updated >= state.quit ? "stagnant" : "continue"
}

/** Candidate phase: `quit` starts at maxEpochs and is compared with the 0-based training-epoch index. */
export interface CandidatePatience {
  last: number
  quit: number
}

export const candidatePatienceStart = (maxEpochs: number): CandidatePatience => ({ last: 0, quit: maxEpochs })

/** Checked after each training epoch (never after the bootstrap epoch); reads the pool's best score. */
export const candidatePatienceCheck = (
  state: CandidatePatience,
  i: number,
  bestScore: number,
  patience: number,
  changeThreshold: number
): PatienceVerdict => {
  if (patience === 0) return "continue"
  if (i === 0) {
    state.last = bestScore
    return "continue"
  }
  if (Math.abs(bestScore - state.last) > state.last * changeThreshold) {
    state.last = bestScore
    state.quit = i + patience
    return "continue"
  }
  return i >= state.quit ? "stagnant" : "continue"
}
