#!/usr/bin/env bash
# deno task check: formatting, lint, types (the code and every JSDoc example)
# and the documentation of every entry point named in deno.json "exports".
set -euo pipefail
cd "$(dirname "$0")/.."
entries="$(deno eval 'const e = JSON.parse(Deno.readTextFileSync("deno.json")).exports;
console.log(Object.values(typeof e === "string" ? { ".": e } : e).join(" "))')"
deno fmt --check
deno lint
deno check mod.ts tests/ examples/ scripts/ bench/ ffi/ src/ wasm/
# shellcheck disable=SC2086 # the entries are paths without spaces
deno test --doc --no-run $entries src/
# shellcheck disable=SC2086
deno doc --lint $entries
