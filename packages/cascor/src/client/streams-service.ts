/**
 * The WebSocket side as one service, `CascorTrainingStreams`, with a real and a fake layer, and the combined layers
 * (`layerCascor` / `layerFakeCascor`) that give a consumer both the REST client and the streams. JuniperCanopy's
 * Service backend and Fake backend differ only by which of the two combined layers they provide.
 */
import { Context, Effect, Layer, Option, type Scope, Stream } from "effect"
import { type ControlChannel, type ControlConnectError, type ControlStreamClient, CascorControlStream, controlChannel, type ControlStreamOptions } from "./control.js"
import type { CascorConfigurationError } from "./errors.js"
import { FakeCascor, type FakeCascorOptions, layerFakeCascorClient } from "./fake/client.js"
import { FakeCascorControlStream, FakeCascorTrainingStream, fakeControlChannel, fakeTrainingEvents, type FakeTrainingStreamOptions } from "./fake/streams.js"
import type { TrainingFrame } from "./frames.js"
import { layerCascorClient } from "./http-client.js"
import type { CascorClientOptions } from "./options.js"
import type { JuniperCascorClient } from "./shape.js"
import { TrainingProtocol } from "./training-protocol.js"
import { type TrainingStreamError, type TrainingStreamEvent, trainingStreamEvents, type TrainingStreamOptions } from "./training-stream.js"
import { CascorTrainingStream, type TrainingStreamClient } from "./training-stream-client.js"

export interface CascorTrainingStreamsShape {
  /** /ws/training: frames, reconnecting and resuming (pings answered; chunks reassembled). */
  readonly training: (options?: TrainingStreamOptions) => Stream.Stream<TrainingFrame, TrainingStreamError>
  /** The same with the connection lifecycle (open, closed, invalid frames). */
  readonly trainingEvents: (options?: TrainingStreamOptions) => Stream.Stream<TrainingStreamEvent, TrainingStreamError>
  /** /ws/control, open for the scope. */
  readonly control: (options?: ControlStreamOptions) => Effect.Effect<ControlChannel, ControlConnectError, Scope.Scope>
  /** The class APIs (not connected yet), for callback-style consumers. */
  readonly trainingClient: (options?: TrainingStreamOptions) => TrainingStreamClient
  readonly controlClient: (options?: ControlStreamOptions) => ControlStreamClient
}

export class CascorTrainingStreams extends Context.Tag("@juniper/cascor/CascorTrainingStreams")<CascorTrainingStreams, CascorTrainingStreamsShape>() {}

const framesOf = <E>(events: Stream.Stream<TrainingStreamEvent, E>) => Stream.filterMap(events, (e) => (e._tag === "Frame" ? Option.some(e.frame) : Option.none()))

/** The real streams; `defaults` (base URL, API key, Origin, …) apply to every connection unless overridden. */
export const layerCascorTrainingStreams = (defaults: TrainingStreamOptions & ControlStreamOptions = {}): Layer.Layer<CascorTrainingStreams> =>
  Layer.succeed(CascorTrainingStreams, {
    training: (o = {}) => framesOf(trainingStreamEvents({ ...defaults, ...o })),
    trainingEvents: (o = {}) => trainingStreamEvents({ ...defaults, ...o }),
    control: (o = {}) => controlChannel({ ...defaults, ...o }),
    trainingClient: (o = {}) => new CascorTrainingStream({ ...defaults, ...o }),
    controlClient: (o = {}) => new CascorControlStream({ ...defaults, ...o })
  })

/** The fake streams over the FakeCascor backend of the fake client (so commands and frames share one fake service). */
export const layerFakeCascorTrainingStreams = (defaults: FakeTrainingStreamOptions = {}): Layer.Layer<CascorTrainingStreams, never, FakeCascor> =>
  Layer.effect(
    CascorTrainingStreams,
    Effect.map(FakeCascor, ({ backend }) => {
      const events = (o: FakeTrainingStreamOptions) => fakeTrainingEvents(backend, { ...defaults, ...o }, new TrainingProtocol({ ...defaults, ...o }))
      return {
        training: (o = {}) => framesOf(events(o as FakeTrainingStreamOptions)),
        trainingEvents: (o = {}) => events(o as FakeTrainingStreamOptions),
        control: () => fakeControlChannel(Effect.succeed(backend)),
        trainingClient: (o = {}) => new FakeCascorTrainingStream({ ...defaults, ...(o as FakeTrainingStreamOptions), backend }),
        controlClient: () => new FakeCascorControlStream({ backend })
      }
    })
  )

/** The HTTP client and the real streams against one service. */
export const layerCascor = (
  options: CascorClientOptions & TrainingStreamOptions & ControlStreamOptions = {}
): Layer.Layer<JuniperCascorClient | CascorTrainingStreams, CascorConfigurationError> =>
  Layer.merge(layerCascorClient(options), layerCascorTrainingStreams(options))

/** FakeCascorClient, the fake streams on the same fake service, and the test hooks (FakeCascor). */
export const layerFakeCascor = (
  options: FakeCascorOptions & { readonly stream?: FakeTrainingStreamOptions } = {}
): Layer.Layer<JuniperCascorClient | CascorTrainingStreams | FakeCascor> =>
  layerFakeCascorTrainingStreams(options.stream).pipe(Layer.provideMerge(layerFakeCascorClient(options)))
