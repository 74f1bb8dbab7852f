/**
 * The sending side of the Worker inproc case (roles.js `thr_inproc_worker`),
 * run in a Deno Worker: a PUSH socket on the main thread's context, shared
 * through `Context.fromAddress`, sends COUNT frames of SIZE bytes, replies
 * "sent", then on "close" closes its socket and replies "closed" (the main
 * thread's context cannot end while a socket of it is open).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { Context, Push } from "../../mod.ts";

/** What the main thread posts first. */
export interface SenderOrder {
  /** `Context.address` of the main thread's context. */
  address: bigint;
  /** The inproc endpoint the main thread's PULL socket is bound to. */
  endpoint: string;
  /** Frames to send. */
  count: number;
  /** Bytes per frame. */
  size: number;
}

let push: Push | undefined;
let context: Context | undefined;

self.onmessage = async (event: MessageEvent<SenderOrder | "close">) => {
  try {
    if (event.data === "close") {
      push?.close();
      await context?.close();
      self.postMessage("closed");
      return;
    }
    const { address, endpoint, count, size } = event.data;
    context = Context.fromAddress(address);
    push = new Push({ context });
    push.connect(endpoint);
    const frame = new Uint8Array(size);
    for (let i = 0; i < count; i++) await push.send(frame);
    self.postMessage("sent");
  } catch (err) {
    self.postMessage(err instanceof Error ? err.message : String(err));
  }
};
