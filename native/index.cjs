module.exports = require("./build/Release/juniper_native.node")
