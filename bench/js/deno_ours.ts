/**
 * Runs a benchmark role (roles.js) on deno-zmq in Deno, from `../../mod.ts`.
 *
 *   deno run -A bench/js/deno_ours.ts ROLE ENDPOINT COUNT SIZE [BACKEND]
 *
 * @module
 */

import process from "node:process";
import { Context, Pull, Push, Reply, Request } from "../../mod.ts";
import { main } from "./roles.js";
import type { SenderOrder } from "./deno_sender.ts";

/** Starts bench/js/deno_sender.ts in a Worker, sharing CONTEXT by its address. */
function senderWorker(
  context: unknown,
  endpoint: string,
  count: number,
  size: number,
) {
  const worker = new Worker(new URL("./deno_sender.ts", import.meta.url), {
    type: "module",
  });
  const replies: ((reply: string) => void)[] = [];
  const failed = new Promise<never>((_, reject) => {
    worker.onerror = (event) => {
      event.preventDefault();
      reject(event.error ?? new Error(event.message));
    };
  });
  worker.onmessage = (event) => replies.shift()?.(event.data);
  const reply = (expected: string) =>
    Promise.race([
      failed,
      new Promise<void>((resolve, reject) =>
        replies.push((data) =>
          data === expected
            ? resolve()
            : reject(new Error(`sender worker: ${data}`))
        )
      ),
    ]);
  const sent = reply("sent");
  const order: SenderOrder = {
    address: (context as Context).address,
    endpoint,
    count,
    size,
  };
  worker.postMessage(order);
  return {
    sent,
    close: async () => {
      const closed = reply("closed");
      worker.postMessage("close");
      await closed;
      worker.terminate();
    },
  };
}

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
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
  senderWorker,
}, Deno.args);
