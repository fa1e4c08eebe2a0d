// Light/dark theme: persisted locally, applied as <html data-theme>, announced so charts can restyle themselves.
import { Emitter } from "../util/emitter.js"
import { KEYS, load, save } from "../util/storage.js"

export type ThemeName = "light" | "dark"

export class Theme {
  readonly changed = new Emitter<ThemeName>()
  private value: ThemeName

  constructor() {
    this.value = load(KEYS.theme) === "dark" ? "dark" : "light"
    document.documentElement.dataset["theme"] = this.value
  }

  get current(): ThemeName {
    return this.value
  }

  set(t: ThemeName): void {
    if (t === this.value) return
    this.value = t
    document.documentElement.dataset["theme"] = t
    save(KEYS.theme, t)
    this.changed.emit(t)
  }

  toggle(): void {
    this.set(this.value === "dark" ? "light" : "dark")
  }
}
