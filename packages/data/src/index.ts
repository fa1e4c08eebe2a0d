// JuniperData (the service lands with the foundation issue).
export {}
