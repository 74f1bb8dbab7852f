/**
 * Where the harness finds and puts things.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const bench = `${root}/bench`;

/** Absolute paths used by the harness. */
export const paths = {
  /** The repository root. */
  root,
  /** Native C sources of the reference programs. */
  nativeSources: `${bench}/native`,
  /** Built native programs (git-ignored). */
  build: `${bench}/.build`,
  /** Runs a role on deno-zmq in Deno. */
  denoLauncher: `${bench}/js/deno_ours.ts`,
  /** Runs a role on zeromq.js or the npm build in Node. */
  nodeLauncher: `${bench}/js/node_peer.mjs`,
  /** The pyzmq roles. */
  pythonPeer: `${bench}/python/peer.py`,
  /** The Python that has pyzmq (Debian's python3-zmq). */
  python: "/usr/bin/python3",
  /** Where zeromq.js is installed, outside the repository. */
  zeromqJs: "/tmp/deno-zmq-bench-zeromqjs",
  /** deno-zmq's npm build (deno task build:npm). */
  npmDist: `${root}/npm/dist`,
  /** The WASM backend's generated loader (deno task build:wasm). */
  wasmLoader: `${root}/wasm/dist/libzmq_wasm.js`,
} as const;
