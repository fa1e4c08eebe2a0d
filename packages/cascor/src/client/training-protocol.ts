/**
 * The client side of /ws/training (§6) as a pure state machine, shared by the real stream (over a socket) and the
 * fake (over in-process frames): validate every frame, answer pings, remember `server_instance_id` and the last
 * `seq`, ask for a resume after a reconnect, drop frames already seen, and reassemble chunks.
 */
import { Either } from "effect"
import type { TrainingClientMessage } from "../api/schema.js"
import { ChunkAssembler, decodeTrainingFrame, decodeTrainingValue, type SeqFrame, type TrainingFrame } from "./frames.js"

export interface ProtocolOutput {
  /** Validated frames to deliver, in order (chunks replaced by the frame they carry). */
  readonly frames: ReadonlyArray<TrainingFrame>
  /** Messages to send back (pong, resume). */
  readonly replies: ReadonlyArray<TrainingClientMessage>
  /** Why a frame was dropped as invalid (empty when none). */
  readonly invalid: ReadonlyArray<string>
}

export interface ProtocolOptions {
  /** Answer `ping` with `pong` (default true). */
  readonly autoPong?: boolean
  /** Ask for a resume after a reconnect (default true). */
  readonly resume?: boolean
}

export interface ProtocolStats {
  readonly serverInstanceId: string | undefined
  readonly lastSeq: number | undefined
  readonly pongsSent: number
  readonly duplicatesDropped: number
  readonly invalidFrames: number
  /** Broadcasts that skipped ahead (frames the server dropped for this client, or not replayable). */
  readonly gaps: number
  readonly resumes: number
  readonly resumeFailures: number
}

export class TrainingProtocol {
  private serverInstanceId: string | undefined
  private lastSeq: number | undefined
  private readonly chunks = new ChunkAssembler()
  private pongs = 0
  private duplicates = 0
  private invalidCount = 0
  private gapCount = 0
  private resumeCount = 0
  private resumeFailureCount = 0
  private readonly autoPong: boolean
  private readonly resume: boolean

  constructor(options: ProtocolOptions = {}) {
    this.autoPong = options.autoPong ?? true
    this.resume = options.resume ?? true
  }

  get stats(): ProtocolStats {
    return {
      serverInstanceId: this.serverInstanceId,
      lastSeq: this.lastSeq,
      pongsSent: this.pongs,
      duplicatesDropped: this.duplicates,
      invalidFrames: this.invalidCount,
      gaps: this.gapCount,
      resumes: this.resumeCount,
      resumeFailures: this.resumeFailureCount
    }
  }

  /** Forget the session (a deliberate fresh start). */
  reset(): void {
    this.serverInstanceId = undefined
    this.lastSeq = undefined
    this.chunks.clear()
  }

  /** One text frame from the server. */
  receive(text: string): ProtocolOutput {
    return this.accept(decodeTrainingFrame(text))
  }

  /** One frame already parsed (the fakes' in-process path goes through `receive` too; this is for injected values). */
  receiveValue(value: unknown): ProtocolOutput {
    return this.accept(decodeTrainingValue(value))
  }

  private accept(decoded: Either.Either<TrainingFrame, string>): ProtocolOutput {
    const out: Out = { frames: [], replies: [], invalid: [] }
    if (Either.isLeft(decoded)) this.invalidFrame(out, decoded.left)
    else this.handle(decoded.right, out, false)
    return out
  }

  private invalidFrame(out: Out, why: string): void {
    this.invalidCount++
    out.invalid.push(why)
  }

  /** `carried`: the frame was reassembled from chunks (their seqs were checked already). */
  private handle(frame: TrainingFrame, out: Out, carried: boolean): void {
    switch (frame.type) {
      case "ping":
        if (this.autoPong) {
          out.replies.push({ type: "pong" })
          this.pongs++
        }
        out.frames.push(frame)
        return
      case "connection_established": {
        const id = frame.data.server_instance_id
        if (this.resume && this.lastSeq !== undefined && this.serverInstanceId === id) {
          out.replies.push({ type: "resume", data: { last_seq: this.lastSeq, server_instance_id: id } })
          this.resumeCount++
        } else {
          this.lastSeq = undefined
          this.chunks.clear()
        }
        this.serverInstanceId = id
        out.frames.push(frame)
        return
      }
      case "resume_failed":
        this.resumeFailureCount++
        this.lastSeq = undefined
        this.chunks.clear()
        out.frames.push(frame)
        return
      case "initial_metrics":
        this.lastSeq = Math.max(this.lastSeq ?? -1, frame.data.current_seq)
        out.frames.push(frame)
        return
      case "initial_status":
      case "resume_ok":
        out.frames.push(frame)
        return
      case "state":
        if (!("seq" in frame)) {
          // The personal state of a fresh connect.
          out.frames.push(frame)
          return
        }
        return this.sequenced(frame, out, carried)
      default:
        return this.sequenced(frame, out, carried)
    }
  }

  private sequenced(frame: SeqFrame, out: Out, carried: boolean): void {
    if (!carried) {
      // A broadcast: drop what was seen already (a replay overlapping live frames), note skips.
      if (this.lastSeq !== undefined && frame.seq <= this.lastSeq) {
        this.duplicates++
        return
      }
      if (this.lastSeq !== undefined && frame.seq > this.lastSeq + 1) this.gapCount++
      this.lastSeq = frame.seq
    }
    if (frame.type !== "chunked_message") {
      out.frames.push(frame)
      return
    }
    const whole = this.chunks.add(frame.data)
    if (whole === null) return
    const value = Either.flatMap(whole, (v) => decodeTrainingValue({ seq: frame.seq, timestamp: frame.timestamp, ...(v as object) }))
    if (Either.isLeft(value)) this.invalidFrame(out, value.left)
    else if (value.right.type === "chunked_message") this.invalidFrame(out, "a chunked message carried another chunk")
    else this.handle(value.right, out, true)
  }
}

interface Out {
  readonly frames: Array<TrainingFrame>
  readonly replies: Array<TrainingClientMessage>
  readonly invalid: Array<string>
}
