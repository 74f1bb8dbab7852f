// @ts-check
/**
 * The sending side of the Worker inproc case on Node (see deno_sender.ts,
 * its Deno twin): deno-zmq's npm build in a worker thread, on the main
 * thread's context shared by address, sends COUNT frames, posts "sent", and
 * on "close" closes its socket and posts "closed".
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";

const { entry, address, endpoint, count, size } = workerData;
const port = /** @type {import("node:worker_threads").MessagePort} */ (
  parentPort
);
const zmq = await import(entry);
try {
  const context = zmq.Context.fromAddress(address);
  const push = new zmq.Push({ context });
  push.connect(endpoint);
  const frame = new Uint8Array(size);
  for (let i = 0; i < count; i++) await push.send(frame);
  port.postMessage("sent");
  port.once("message", async () => {
    push.close();
    await context.close();
    port.postMessage("closed");
  });
} catch (err) {
  port.postMessage(err instanceof Error ? err.message : String(err));
}
