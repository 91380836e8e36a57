/**
 * Typed request / response schemas of the Venice API routes, one namespace per area.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ApiKeys from "./ApiKeys.js"

/**
 * @since 0.1.0
 */
export * as Audio from "./Audio.js"

/**
 * @since 0.1.0
 */
export * as Augment from "./Augment.js"

/**
 * @since 0.1.0
 */
export * as Billing from "./Billing.js"

/**
 * @since 0.1.0
 */
export * as Characters from "./Characters.js"

/**
 * @since 0.1.0
 */
export * as Chat from "./Chat.js"

/**
 * @since 0.1.0
 */
export * as Common from "./Common.js"

/**
 * @since 0.1.0
 */
export * as CryptoRpc from "./CryptoRpc.js"

/**
 * @since 0.1.0
 */
export * as Embeddings from "./Embeddings.js"

/**
 * @since 0.1.0
 */
export * as Image from "./Image.js"

/**
 * @since 0.1.0
 */
export * as Models from "./Models.js"

/**
 * @since 0.1.0
 */
export * as Responses from "./Responses.js"

/**
 * @since 0.1.0
 */
export * as TextModels from "./TextModels.js"

/**
 * @since 0.1.0
 */
export * as Video from "./Video.js"

/**
 * @since 0.1.0
 */
export * as X402Api from "./X402Api.js"
