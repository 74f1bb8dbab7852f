/**
 * Runs a benchmark role (roles.js) on deno-zmq in Deno, from `../../mod.ts`.
 *
 *   deno run -A bench/js/deno_ours.ts ROLE ENDPOINT COUNT SIZE [BACKEND]
 *
 * @module
 */

import { Context, Pull, Push, Reply, Request } from "../../mod.ts";
import { main } from "./roles.js";

await main({
  Push,
  Pull,
  Request,
  Reply,
  newContext: (backend) => new Context({ backend: backend as "ffi" | "wasm" }),
  finish: () => Context.default.close(),
  memory: () => Deno.memoryUsage(),
  peerDone: async () => {
    for await (const _ of Deno.stdin.readable) { /* until end-of-file */ }
  },
}, Deno.args);
