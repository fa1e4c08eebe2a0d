// Reassembly of `chunked_message` frames (cascor-api §6.3): group by chunk_id, order by chunk_index, concatenate the
// payload slices and parse. At most 8 groups are open at once; the oldest incomplete group is dropped beyond that.

export interface ChunkData {
  readonly chunk_id: string
  readonly chunk_index: number
  readonly total_chunks: number
  readonly original_type?: string
  readonly payload: string
}

interface Group {
  readonly parts: Array<string | undefined>
  received: number
}

export class ChunkAssembler {
  private readonly groups = new Map<string, Group>()
  dropped = 0

  constructor(private readonly maxGroups = 8) {}

  /** Feed one chunk; returns the full JSON text once the last missing piece arrives. */
  add(c: ChunkData): string | null {
    if (!c || typeof c.chunk_id !== "string" || !(c.total_chunks > 0) || c.chunk_index < 0 || c.chunk_index >= c.total_chunks) return null
    let g = this.groups.get(c.chunk_id)
    if (!g) {
      if (this.groups.size >= this.maxGroups) {
        // Map iteration order is insertion order: the first key is the oldest group.
        const oldest = this.groups.keys().next().value
        if (oldest !== undefined) this.groups.delete(oldest)
        this.dropped++
        console.warn(`canopy ws: dropped an incomplete chunk group (more than ${this.maxGroups} open)`)
      }
      g = { parts: new Array<string | undefined>(c.total_chunks).fill(undefined), received: 0 }
      this.groups.set(c.chunk_id, g)
    }
    if (g.parts[c.chunk_index] === undefined) {
      g.parts[c.chunk_index] = c.payload
      g.received++
    }
    if (g.received < g.parts.length) return null
    this.groups.delete(c.chunk_id)
    return g.parts.join("")
  }

  get openGroups(): number {
    return this.groups.size
  }

  clear(): void {
    this.groups.clear()
  }
}
