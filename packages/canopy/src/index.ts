// JuniperCanopy: the live dashboard (arrives with its issue).
export {}
