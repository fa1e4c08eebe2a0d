// A minimal observable value: stores own their state and notify subscribers (one owner, many readers).

export type Unsubscribe = () => void

export class Emitter<T> {
  private readonly listeners = new Set<(v: T) => void>()
  subscribe(fn: (v: T) => void): Unsubscribe {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  emit(v: T): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(v)
      } catch (err) {
        console.error("listener failed", err)
      }
    }
  }
}
