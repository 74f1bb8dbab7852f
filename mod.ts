/**
 * deno-zmq: ZeroMQ for Deno (and Node), never blocking the event loop.
 *
 * Sockets call libzmq synchronously with ZMQ_DONTWAIT and only wait, off the
 * JS thread, when libzmq says a socket is not ready. Importing this module
 * needs no permission. With `--allow-ffi` it uses the system libzmq (the FFI
 * backend); without, libzmq compiled to WebAssembly (the WASM backend, loaded
 * on demand). Zyre lives at `./zyre`, the draft socket types at `./draft`.
 *
 * @example Push and pull over TCP
 * ```ts
 * import { Pull, Push } from "@deno-zmq/zmq";
 *
 * using pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * using push = new Push();
 * push.connect(pull.lastEndpoint);
 *
 * await push.send(["job", "42"]);
 * const [kind, value] = await pull.receive();
 * console.log(new TextDecoder().decode(kind), new TextDecoder().decode(value));
 * ```
 *
 * @module
 */

// The backends register themselves here, the one place that knows them all:
// src/ depends on none, and the WASM module is imported only when used.
import { preloadFallback, registerBackend } from "./src/select.ts";
import { ffiLoader } from "./ffi/mod.ts";
import { wasmLoader } from "./wasm/mod.ts";

registerBackend("ffi", ffiLoader);
registerBackend("wasm", wasmLoader);
// Without FFI (no permission, or no libzmq), "auto" means WASM: load it now so
// that `new Context()` stays synchronous. An FFI program never loads it.
await preloadFallback();

export { Context, type ContextOptions } from "./src/context.ts";
export { Socket, type SocketOptions } from "./src/socket.ts";
export {
  Dealer,
  type DealerOptions,
  Pair,
  Publisher,
  type PublisherOptions,
  Pull,
  Push,
  type Readable,
  Reply,
  Request,
  type RequestOptions,
  Router,
  type RouterConnectOptions,
  type RouterOptions,
  SocketType,
  Stream,
  type StreamOptions,
  Subscriber,
  type SubscriberOptions,
  type Writable,
  XPublisher,
  type XPublisherOptions,
  XSubscriber,
  type XSubscriberOptions,
} from "./src/sockets.ts";
export {
  ERRNO_NAMES,
  type ErrnoName,
  ZmqError,
  type ZmqErrorDetails,
} from "./src/errors.ts";
export type { Frame, Message } from "./src/message.ts";
export type { BackendKind } from "./src/backend.ts";
export { type BackendChoice, loadBackend } from "./src/select.ts";
export { type Capabilities, capability, version } from "./src/info.ts";
export {
  Poller,
  type PollInterest,
  type PollResult,
  type PollWaitOptions,
} from "./src/poller.ts";
export {
  SocketEvent,
  type SocketEventInit,
  SocketEvents,
  type SocketEventType,
} from "./src/monitor.ts";
export { EventHub, type HubListener } from "./src/event_hub.ts";
export { z85Decode, z85Encode } from "./src/z85.ts";
export { type CurveKeyPair, curveKeyPair, curvePublic } from "./src/curve.ts";
export {
  Proxy,
  type ProxySideStatistics,
  type ProxyStatistics,
} from "./src/proxy.ts";
export {
  Authenticator,
  type AuthenticatorOptions,
  ZAP_ENDPOINT,
  type ZapDecision,
  ZapDecisionEvent,
  type ZapMechanism,
  type ZapRequest,
} from "./src/zap.ts";
