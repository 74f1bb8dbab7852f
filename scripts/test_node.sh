#!/usr/bin/env bash
# The npm package under Node: builds and packs it, runs the shared test suite
# (tests/*_test.ts) under Node against the built package, then installs the
# tarball into fresh projects and runs ESM, CommonJS and TypeScript consumers.
#
#   bash scripts/test_node.sh [test file filter...] [--filter=<test name>]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

require_libzmq
require_pyzmq
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Node.js >= 20 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

deno run -A scripts/build_npm.ts --pack
node npm/test/run_tests.mjs "$@"
version="$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).version)')"
bash npm/test/consumer.sh "npm/deno-zmq-$version.tgz"
