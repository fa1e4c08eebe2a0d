/** What the routes need to know about the running service: its settings and build identity. */
import { Context } from "effect"
import type { CanopySettings } from "./config.js"

export interface CanopyRuntimeShape {
  readonly settings: CanopySettings
  readonly version: string
}

export class CanopyRuntime extends Context.Tag("@juniper/canopy/CanopyRuntime")<CanopyRuntime, CanopyRuntimeShape>() {}
