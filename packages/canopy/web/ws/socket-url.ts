/** ws(s)://<this host>/ws/<name>: the browser only ever talks to canopy. */
export const socketUrl = (path: string): string => `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`
