#!/usr/bin/env node
// The bin shim: a plain JS file that exists before the build, so npm links it at install time.
import("../dist/bin.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND") {
    console.error("venice: the package is not built yet; run `npx tsc -b` (or `npm run build`) first.")
    process.exit(2)
  }
  throw error
})
