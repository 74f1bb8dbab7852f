#!/usr/bin/env bash
# The npm package under Bun: builds it, then runs the shared test suite
# (tests/*_test.ts) under Bun against the built package. Bun itself comes
# from npm (@oven/bun-linux-x64 carries the binary), installed with the
# package's build tools into npm/node_modules.
#
#   bash scripts/test_bun.sh [test file filter...] [--filter=<test name>]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

require_libzmq
require_pyzmq

deno run -A scripts/build_npm.ts
node npm/test/run_tests.mjs --runtime=bun "$@"
