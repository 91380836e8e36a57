/**
 * Every benchmark suite, in report order. Add a suite: write `src/suites/<name>.ts` exporting a `Suite`, list it here.
 */
import type { Suite } from "../harness/Suite.js"
import { streaming } from "./streaming.js"

export const suites: ReadonlyArray<Suite> = [streaming]
