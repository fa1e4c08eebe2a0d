// Tiny element builder. Everything is created through the DOM API (never HTML strings), which keeps the page
// compatible with the strict CSP (no inline scripts or style attributes) and free of injection bugs.

type Child = Node | string | number | null | undefined | false
type Listener = (ev: Event) => void

export interface Attrs {
  readonly class?: string
  readonly id?: string
  readonly title?: string
  readonly type?: string
  readonly role?: string
  readonly text?: string
  readonly for?: string
  readonly value?: string
  readonly placeholder?: string
  readonly disabled?: boolean
  readonly hidden?: boolean
  readonly data?: Readonly<Record<string, string>>
  readonly aria?: Readonly<Record<string, string>>
  readonly attrs?: Readonly<Record<string, string>>
  readonly on?: Readonly<Record<string, Listener>>
}

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag)
  if (attrs.class) el.className = attrs.class
  if (attrs.id) el.id = attrs.id
  if (attrs.title) el.title = attrs.title
  if (attrs.role) el.setAttribute("role", attrs.role)
  if (attrs.type) el.setAttribute("type", attrs.type)
  if (attrs.for) el.setAttribute("for", attrs.for)
  if (attrs.placeholder) el.setAttribute("placeholder", attrs.placeholder)
  if (attrs.value !== undefined) (el as HTMLInputElement).value = attrs.value
  if (attrs.disabled) (el as HTMLButtonElement).disabled = true
  if (attrs.hidden) el.hidden = true
  if (attrs.text !== undefined) el.textContent = attrs.text
  for (const [k, v] of Object.entries(attrs.data ?? {})) el.dataset[k] = v
  for (const [k, v] of Object.entries(attrs.aria ?? {})) el.setAttribute(`aria-${k}`, v)
  for (const [k, v] of Object.entries(attrs.attrs ?? {})) el.setAttribute(k, v)
  for (const [k, fn] of Object.entries(attrs.on ?? {})) el.addEventListener(k, fn)
  append(el, ...children)
  return el
}

export const append = (el: Element, ...children: ReadonlyArray<Child>): void => {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === "number" ? String(c) : c)
  }
}

/** Replace all children. */
export const replace = (el: Element, ...children: ReadonlyArray<Child>): void => {
  el.replaceChildren()
  append(el, ...children)
}

/** Set text only when it changed (avoids layout work on every frame). */
export const setText = (el: Element, text: string): void => {
  if (el.textContent !== text) el.textContent = text
}

export const toggleClass = (el: Element, cls: string, on: boolean): void => {
  if (el.classList.contains(cls) !== on) el.classList.toggle(cls, on)
}

/** A KPI tile: label on top, big value below; returns the value element for updates. */
export const tile = (label: string, testId: string): { readonly el: HTMLElement; readonly value: HTMLElement; readonly sub: HTMLElement } => {
  const value = h("div", { class: "tile-value", text: "—", data: { testid: testId } })
  const sub = h("div", { class: "tile-sub" })
  return { el: h("div", { class: "tile" }, h("div", { class: "tile-label", text: label }), value, sub), value, sub }
}

export const card = (title: string, ...children: ReadonlyArray<Child>): HTMLElement =>
  h("section", { class: "card" }, h("h3", { class: "card-title", text: title }), ...children)
