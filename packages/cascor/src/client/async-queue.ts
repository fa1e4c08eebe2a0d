/** A small single-consumer async queue: what the class APIs' async iterators read from. */
export class AsyncQueue<T> {
  private readonly items: Array<T> = []
  private readonly waiters: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = []
  private finished = false
  private failure: { readonly error: unknown } | undefined
  private droppedCount = 0

  /** `capacity`: the oldest items are dropped beyond it (counted in `dropped`). */
  constructor(private readonly capacity = 10_000) {}

  get size(): number {
    return this.items.length
  }
  get dropped(): number {
    return this.droppedCount
  }
  get done(): boolean {
    return this.finished
  }

  push(item: T): void {
    if (this.finished) return
    const waiter = this.waiters.shift()
    if (waiter) return waiter.resolve({ value: item, done: false })
    this.items.push(item)
    if (this.items.length > this.capacity) {
      this.items.shift()
      this.droppedCount++
    }
  }

  /** No more items; readers drain what is queued, then finish (or reject with `error`). */
  end(error?: { readonly error: unknown }): void {
    if (this.finished) return
    this.finished = true
    this.failure = error
    for (const w of this.waiters.splice(0)) error ? w.reject(error.error) : w.resolve({ value: undefined, done: true })
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve({ value: item, done: false })
    if (this.finished) return this.failure ? Promise.reject(this.failure.error) : Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  iterator(onReturn?: () => void): AsyncIterableIterator<T> {
    const it: AsyncIterableIterator<T> = {
      next: () => this.next(),
      return: async () => {
        onReturn?.()
        return { value: undefined, done: true }
      },
      [Symbol.asyncIterator]: () => it
    }
    return it
  }
}
