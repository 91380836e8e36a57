/**
 * Every benchmark suite, in report order. Add a suite: write `src/suites/<name>.ts` exporting a `Suite`, list it here.
 */
import type { Suite } from "../harness/Suite.js"
import { budget } from "./budget.js"
import { fleet } from "./fleet.js"
import { goodput } from "./goodput.js"
import { overhead } from "./overhead.js"
import { storm } from "./storm.js"
import { streaming } from "./streaming.js"

export const suites: ReadonlyArray<Suite> = [overhead, goodput, budget, storm, streaming, fleet]
