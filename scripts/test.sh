#!/usr/bin/env bash
# Runs the whole test suite: checks (and, as root, installs) what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require.sh

require_libzmq
require_pyzmq

deno test --allow-ffi --allow-run --allow-read --allow-write --allow-env --allow-net "$@" tests/
