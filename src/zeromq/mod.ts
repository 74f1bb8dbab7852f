/**
 * zeromq.js's v6 API on deno-zmq: change `from "zeromq"` to
 * `from "deno-zmq/zeromq"` and the program runs on Node, Bun and Deno with
 * no native addon. Built on the core API (`deno-zmq`); the differences are
 * listed in the README ("Coming from zeromq.js").
 *
 * @example
 * ```ts
 * import { Pull, Push } from "@deno-zmq/zmq/zeromq";
 *
 * const pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new Push();
 * push.connect(pull.lastEndpoint!);
 * await push.send("hello");
 * const [message] = await pull.receive();
 * console.log(message.toString()); // "hello" (a Buffer on Node)
 * push.close();
 * pull.close();
 * ```
 *
 * @module
 */

import {
  capability as coreCapability,
  version as coreVersion,
} from "../info.ts";
import { curveKeyPair as coreCurveKeyPair } from "../curve.ts";
import { context } from "./context.ts";

export { Context, context } from "./context.ts";
export { Socket } from "./socket.ts";
export { Observer } from "./observer.ts";
export { Proxy } from "./proxy.ts";
export {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "./sockets.ts";
export type { ContextOptions } from "./context.ts";
export type { SocketOptions } from "./socket.ts";
export type { Event } from "./observer.ts";
export type { FullError } from "./errors.ts";
export type { Message, MessageLike } from "./frames.ts";
export type { RouterConnectOptions } from "./sockets.ts";

/** The libzmq version, as "major.minor.patch". */
export const version: string = coreVersion(context);

/** What the loaded libzmq supports. */
export const capability: Partial<
  Record<
    "ipc" | "pgm" | "tipc" | "norm" | "curve" | "gssapi" | "draft",
    boolean
  >
> = coreCapability;

/**
 * A new CURVE key pair, Z85-encoded.
 *
 * @example
 * ```ts
 * import { curveKeyPair } from "@deno-zmq/zmq/zeromq";
 * const { publicKey, secretKey } = curveKeyPair();
 * ```
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  return coreCurveKeyPair(context);
}
