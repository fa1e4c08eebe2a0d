/**
 * Frame decoding for /ws/training and /ws/control: JSON text → a frame validated by the wire schemas
 * (../api/schema.ts), and the reassembly of `chunked_message` frames (§6.3: group by chunk_id, order by chunk_index,
 * concatenate the payload slices, parse).
 */
import { Either, ParseResult, Schema } from "effect"
import { ClientTrainingFrame } from "../api/client-schema.js"
import { type ChunkedMessageData, ControlServerFrame } from "../api/schema.js"

/** A validated /ws/training frame (the broadcasts, the personal frames, and the personal `state` of a connect). */
export type TrainingFrame = typeof ClientTrainingFrame.Type
export type ControlFrame = typeof ControlServerFrame.Type
export type TrainingFrameType = TrainingFrame["type"]
/** The frame of a given type. */
export type FrameOf<T extends TrainingFrameType> = Extract<TrainingFrame, { readonly type: T }>
/** Frames that carry `seq` (broadcasts). */
export type SeqFrame = Extract<TrainingFrame, { readonly seq: number }>

const decodeTraining = Schema.decodeUnknownEither(ClientTrainingFrame)
const decodeControl = Schema.decodeUnknownEither(ControlServerFrame)
const encodeTraining = Schema.encodeUnknownEither(ClientTrainingFrame)

export type Decoded<A> = Either.Either<A, string>

const parse = (text: string): Decoded<unknown> => {
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (e) {
    return Either.left(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const describe = (e: ParseResult.ParseError, raw: unknown): string => {
  const type = typeof raw === "object" && raw !== null && "type" in raw ? String((raw as { type: unknown }).type) : "?"
  return `invalid ${type} frame: ${ParseResult.TreeFormatter.formatErrorSync(e)}`
}

/** A parsed JSON value → a validated /ws/training frame (Left: why not). */
export const decodeTrainingValue = (raw: unknown): Decoded<TrainingFrame> => Either.mapLeft(decodeTraining(raw), (e) => describe(e, raw))
export const decodeTrainingFrame = (text: string): Decoded<TrainingFrame> => Either.flatMap(parse(text), decodeTrainingValue)
export const decodeControlFrame = (text: string): Decoded<ControlFrame> =>
  Either.flatMap(parse(text), (raw) => Either.mapLeft(decodeControl(raw), (e) => describe(e, raw)))

/** A frame in its wire form (JSON text), checked against the schema: what the fakes send. */
export const encodeTrainingFrame = (frame: unknown): Decoded<string> =>
  Either.map(Either.mapLeft(encodeTraining(frame), (e) => describe(e, frame)), (encoded) => JSON.stringify(encoded))

interface ChunkGroup {
  readonly total: number
  readonly originalType: string
  readonly parts: Map<number, string>
  readonly firstSeen: number
}

/**
 * Reassembles chunked messages. A group survives a reconnect (the remaining chunks arrive by resume); `clear()` drops
 * partial groups (a fresh connect). At most `maxGroups` groups are kept (the oldest partial group is dropped).
 */
export class ChunkAssembler {
  private readonly groups = new Map<string, ChunkGroup>()
  private counter = 0

  constructor(private readonly maxGroups = 16) {}

  get pending(): number {
    return this.groups.size
  }

  clear(): void {
    this.groups.clear()
  }

  /** Adds one chunk; the original frame's JSON value when the group is complete, null while incomplete. */
  add(chunk: ChunkedMessageData): Decoded<unknown> | null {
    if (chunk.total_chunks < 1 || chunk.chunk_index < 0 || chunk.chunk_index >= chunk.total_chunks)
      return Either.left(`invalid chunk ${chunk.chunk_index}/${chunk.total_chunks} of ${chunk.chunk_id}`)
    let group = this.groups.get(chunk.chunk_id)
    if (!group) {
      if (this.groups.size >= this.maxGroups) {
        const oldest = [...this.groups.entries()].sort((a, b) => a[1].firstSeen - b[1].firstSeen)[0]
        if (oldest) this.groups.delete(oldest[0])
      }
      group = { total: chunk.total_chunks, originalType: chunk.original_type, parts: new Map(), firstSeen: this.counter++ }
      this.groups.set(chunk.chunk_id, group)
    }
    group.parts.set(chunk.chunk_index, chunk.payload)
    if (group.parts.size < group.total) return null
    this.groups.delete(chunk.chunk_id)
    let text = ""
    for (let i = 0; i < group.total; i++) text += group.parts.get(i) ?? ""
    return Either.flatMap(parse(text), (value) =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Either.right(value)
        : Either.left(`chunked ${group.originalType} message is not a JSON object`)
    )
  }
}

/**
 * Splits a frame's JSON text into `chunked_message` frames (server side of §6.3; used by the fakes and tests): each
 * payload slice ≤ `payloadChars` UTF-16 code units (bytes for ASCII JSON), never splitting a surrogate pair.
 */
export const chunkFrameText = (
  text: string,
  originalType: string,
  chunkId: string,
  payloadChars = 32_000
): Array<ChunkedMessageData> => {
  const slices: Array<string> = []
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + payloadChars)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    slices.push(text.slice(i, end))
    i = end
  }
  return slices.map((payload, chunk_index) => ({ chunk_id: chunkId, chunk_index, total_chunks: slices.length, original_type: originalType, payload }))
}
