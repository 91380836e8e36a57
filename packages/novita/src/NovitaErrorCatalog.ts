/**
 * Deprecated: renamed `ErrorCatalog` (the module names every provider uses). This module re-exports it for one release.
 *
 * @deprecated Use `ErrorCatalog`; removed in the next release.
 * @since 0.1.0
 */
export * from "./ErrorCatalog.js"
