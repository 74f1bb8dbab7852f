#!/usr/bin/env bash
# Runs the quick-start demo: checks (and, as root, installs) libzmq first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

require_libzmq
# mod.ts also carries the WASM backend (inproc with no permissions): build it once (cached).
deno run -A scripts/build_wasm.ts
deno run --allow-ffi examples/quickstart.ts
