/**
 * The CanopyBackend layers: Demo (the real engine in-process), Service (JuniperCascor through the cascor clients) and
 * Fake (the Service link over FakeCascorClient and its training stream). All three are the same link backend
 * (./link-backend.ts) over a different CascorLink; the choice is made once, in main, by ./select.ts.
 */
import { Effect, Layer } from "effect"
import type { CanopySettings } from "../config.js"
import { redactedValue } from "../config.js"
import { CanopyBackend } from "./backend.js"
import { makeDemoLink } from "./demo.js"
import { layerFakeCascorFor } from "./fake.js"
import type { CascorLink } from "./link.js"
import { makeLinkBackend } from "./link-backend.js"
import type { Selection } from "./select.js"
import { layerServiceCascor, makeCascorLink } from "./service.js"

const backendOptions = (s: CanopySettings) => ({
  specs: s.training,
  degradedAfterSeconds: s.relayDegradedAfterSeconds,
  circuitThreshold: s.circuitFailureThreshold,
  circuitRecoverySeconds: s.circuitRecoverySeconds
})

const fromLink = <E, R>(s: CanopySettings, link: Effect.Effect<CascorLink, E, R>) =>
  Layer.scoped(CanopyBackend, Effect.flatMap(link, (l) => makeLinkBackend(l, backendOptions(s))))

export const layerDemoBackend = (s: CanopySettings) =>
  fromLink(
    s,
    makeDemoLink({
      dataUrl: s.juniperDataUrl,
      dataApiKey: redactedValue(s.juniperDataApiKey),
      updateIntervalSeconds: s.demoUpdateInterval,
      restartDelaySeconds: s.demoRestartDelay,
      seed: s.demoSeed
    })
  )

/** Service: JuniperCascor through the cascor clients (HTTP, /ws/training, /ws/control). */
export const layerServiceBackend = (s: CanopySettings, url: string) =>
  fromLink(s, makeCascorLink({ mode: "service", upstreamUrl: url })).pipe(
    Layer.provide(layerServiceCascor({ baseUrl: url, apiKey: redactedValue(s.cascorApiKey), origin: s.cascorWsOrigin }))
  )

/** Fake: the very same link over FakeCascorClient and the fake streams. */
export const layerFakeBackend = (s: CanopySettings) =>
  fromLink(s, makeCascorLink({ mode: "fake", upstreamUrl: null })).pipe(Layer.provide(layerFakeCascorFor({ scenario: s.fakeScenario })))

/** The backend the selection chose. */
export const layerBackend = (s: CanopySettings, selection: Selection) =>
  selection.mode === "service" ? layerServiceBackend(s, selection.url!) : selection.mode === "fake" ? layerFakeBackend(s) : layerDemoBackend(s)
