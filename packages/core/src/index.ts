// Shared core: configuration, health, metrics, HTTP bootstrap.
export {}
