/**
 * Deprecated: renamed `RetryPolicy` (the module names every provider uses). This module re-exports it for one release.
 *
 * @deprecated Use `RetryPolicy`; removed in the next release.
 * @since 0.1.0
 */
export * from "./RetryPolicy.js"
