// A dashboard tab: a panel element plus visibility hooks (charts size themselves and REST-fed panels refresh only
// while visible).
import type { ParamGroup } from "../params/param-defs.js"

export interface Tab {
  readonly id: string
  readonly label: string
  readonly el: HTMLElement
  /** Sidebar parameter sections shown with this tab. */
  readonly sidebar: ReadonlyArray<ParamGroup>
  show(): void
  hide(): void
}
