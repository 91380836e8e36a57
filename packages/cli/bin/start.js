#!/usr/bin/env node
// The repository's `npm start`: `venice demo` when given no arguments, else `venice <arguments>`
// (`npm start -- chat "hi"`, `npm start -- errors RATE_LIMIT_EXCEEDED`).
if (process.argv.length <= 2) process.argv.push("demo")
await import("./venice.js")
