/**
 * Additive schemas for the clients (./schema.ts is unchanged): the frame union a /ws/training client decodes.
 *
 * On a fresh connect the server sends `initial_status`, then the current `state`, then `initial_metrics` (§6.2
 * step 4), all personal: that `state` frame carries no `seq`, so the broadcast-only `StateFrame` of ./schema.ts does
 * not accept it. `ClientTrainingFrame` is `TrainingServerFrame` plus that personal state frame.
 */
import { Schema } from "effect"
import { StateFrameData, TrainingServerFrame } from "./schema.js"

/** The personal `state` frame of a fresh connect (no seq). */
export const PersonalStateFrame = Schema.Struct({
  type: Schema.Literal("state"),
  timestamp: Schema.Number,
  data: StateFrameData
})
export type PersonalStateFrame = typeof PersonalStateFrame.Type

/**
 * Every frame a /ws/training client accepts: the server's broadcast and personal frames. A flat union in this order
 * (a nested union would let the seq-less state frame match a broadcast `state` first and drop its `seq`).
 */
export const ClientTrainingFrame = Schema.Union(...TrainingServerFrame.members, PersonalStateFrame)
export type ClientTrainingFrame = typeof ClientTrainingFrame.Type
