#!/usr/bin/env bash
# The consumer test: installs the packed tarball into fresh projects, as a user
# would, and runs ESM, CommonJS and TypeScript consumers on both backends.
#
#   bash npm/test/consumer.sh npm/deno-zmq-<version>.tgz
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
tsc="$here/../node_modules/typescript/bin/tsc"
work="$(mktemp -d /tmp/deno-zmq-consumer.XXXXXX)"
trap 'rm -rf "$work"' EXIT
npm_install() { npm install --no-audit --no-fund --loglevel=error "$@"; }

echo "== npm install of $(basename "$tarball") into an empty project"
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm_install "$tarball"
cp "$here"/consumer/app.mjs "$here"/consumer/app.cjs "$here"/consumer/app.ts "$here"/consumer/bundled.mjs "$here"/consumer/tsconfig.json .

echo "== ESM and CommonJS, each backend"
node app.mjs auto ffi # libzmq is installed: auto picks FFI
node app.mjs ffi
node app.mjs wasm
node app.cjs auto ffi
node app.cjs ffi
node app.cjs wasm

echo "== an esbuild bundle of a consumer (tree shaking keeps socket.events)"
"$here/../node_modules/.bin/esbuild" bundled.mjs --bundle --platform=node --format=esm \
  --external:koffi --log-level=warning --outfile=bundled.out.mjs
node bundled.out.mjs
node -e 'const z = require("deno-zmq"); if (z.Context.name !== "Context" || z.Proxy.name !== "Proxy") throw new Error("names: " + z.Context.name + " " + z.Proxy.name); console.log("cjs class names ok")'

echo "== TypeScript: tsc --noEmit against the shipped types"
node "$tsc" -p tsconfig.json
# The same with moduleResolution node16 on a CommonJS project (require types).
sed -e 's/"nodenext"/"node16"/g' tsconfig.json > tsconfig.node16.json
node "$tsc" -p tsconfig.node16.json
echo "types ok"

echo "== without koffi (as where its native part cannot load): auto falls back to WASM"
cp -r "$work/app" "$work/nokoffi" && cd "$work/nokoffi"
rm -rf node_modules/koffi node_modules/@koromix
node app.mjs auto wasm
node app.cjs auto wasm
if node app.mjs ffi 2>err.txt; then
  echo "the FFI backend loaded without koffi?" >&2
  exit 1
fi
grep -q "koffi" err.txt || { cat err.txt >&2; exit 1; }
echo "explicit ffi fails clearly: $(grep -m1 -o 'ZmqError: .*' err.txt || head -1 err.txt)"
echo "consumer test ok"
