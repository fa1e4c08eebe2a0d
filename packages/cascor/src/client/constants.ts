/** The client's constants (§13.3): training states and the message types and close codes of the wire schemas. */
export { CloseCode, FsmStatus, MessageType } from "../api/schema.js"

/** The states upstream's client names (the FSM has INVESTIGATING, REPLAYING and RESUME_READY besides). */
export const TRAINING_STATES = ["STOPPED", "STARTED", "PAUSED", "FAILED", "COMPLETED"] as const
export type TrainingStateName = (typeof TRAINING_STATES)[number]
