/**
 * The log level a provider's error catalog assigns to a code (C4): the Venice table's `-`, `warn`, `error`.
 *
 * @since 0.1.0
 */
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"

/**
 * `-` means "nothing worth a log line of its own": the SDK logs it at debug.
 *
 * @since 0.1.0
 * @category models
 */
export const CatalogLogLevel = Schema.Literal("-", "warn", "error")

/**
 * @since 0.1.0
 * @category models
 */
export type CatalogLogLevel = typeof CatalogLogLevel.Type

/**
 * The Effect `LogLevel` a failure with this catalog level is logged at.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toLogLevel = (level: CatalogLogLevel): LogLevel.LogLevel =>
  level === "error" ? LogLevel.Error : level === "warn" ? LogLevel.Warning : LogLevel.Debug
