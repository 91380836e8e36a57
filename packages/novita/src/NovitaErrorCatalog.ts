/** @deprecated Renamed `ErrorCatalog` (the module names every provider use); removed in the next release. @since 0.1.0 */
export * from "./ErrorCatalog.js"
