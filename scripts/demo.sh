#!/usr/bin/env bash
# Runs the quick-start demo: checks (and, as root, installs) libzmq first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

require_libzmq
deno run --allow-ffi examples/quickstart.ts
