/**
 * The JuniperCascor client library (cascor-api §13): the REST client (`JuniperCascorClient`, HTTP or fake), the
 * WebSocket streams (`CascorTrainingStream`, `CascorControlStream`, and the `CascorTrainingStreams` service), the
 * typed errors, and the fakes with their five scenarios — real and fake behind the same interfaces, as Layers.
 */
export * from "./constants.js"
export * from "./errors.js"
export * from "./options.js"
export * from "./shape.js"
export { layerCascorClient, makeJuniperCascorClient } from "./http-client.js"
export { type CascorPromiseClient, createCascorClient, toPromiseClient } from "./promise.js"
export { RETRY_METHODS, RETRY_STATUSES, parseRetryAfter } from "./retry.js"
export * from "./frames.js"
export { type ProtocolOptions, type ProtocolOutput, type ProtocolStats, TrainingProtocol } from "./training-protocol.js"
export {
  DEFAULT_WS_BASE_URL,
  OutboundLink,
  TRAINING_PATH,
  trainingFrames,
  type TrainingStreamError,
  type TrainingStreamEvent,
  trainingStreamEvents,
  type TrainingStreamOptions
} from "./training-stream.js"
export {
  CascorTrainingStream,
  type DisconnectInfo,
  type TrainingEventSource,
  type TrainingStreamClient,
  TrainingStreamHandle
} from "./training-stream-client.js"
export * from "./control.js"
export * from "./streams-service.js"
export {
  createFakeCascorClient,
  FAKE_BASE_URL,
  FakeCascor,
  FakeCascorClient,
  type FakeCascorControl,
  type FakeCascorOptions,
  layerFakeCascorClient,
  makeFakeCascor
} from "./fake/client.js"
export { type FakeBackendOptions, FakeCascorBackend, type FakeState } from "./fake/backend.js"
export { SCENARIOS, type ScenarioName, type ScenarioOptions, TWO_SPIRAL_DATASET, XOR_DATA } from "./fake/scenarios.js"
export {
  FakeCascorControlStream,
  FakeCascorTrainingStream,
  fakeControlChannel,
  fakeTrainingEvents,
  type FakeTrainingStreamOptions
} from "./fake/streams.js"

