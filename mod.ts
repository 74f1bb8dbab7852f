/**
 * deno-zmq: ZeroMQ for Deno (and Node), never blocking the event loop.
 *
 * Sockets call libzmq synchronously with ZMQ_DONTWAIT and only wait, off the
 * JS thread, when libzmq says a socket is not ready. Importing this module
 * needs no permission; libzmq is loaded on first use (`--allow-ffi`).
 *
 * @example Push and pull over TCP
 * ```ts
 * import { Pull, Push } from "./mod.ts";
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

export { Context, type ContextOptions } from "./src/context.ts";
export { type DraftTarget, Socket, type SocketOptions } from "./src/socket.ts";
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
export type { BackendChoice } from "./src/select.ts";
export { type Capabilities, capability, version } from "./src/info.ts";
export {
  contextOptions,
  dealerOptions,
  type OptionInit,
  type OptionProperties,
  type OptionSpec,
  type OptionType,
  publisherOptions,
  type ReadOnlyKeys,
  type ReadType,
  requestOptions,
  routerOptions,
  socketOptions,
  streamOptions,
  subscriberOptions,
  type TypeOf,
  type WritableKeys,
  type WriteType,
  xPublisherOptions,
  xSubscriberOptions,
} from "./src/options.ts";
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
export { DraftSocketType, SocketType } from "./src/socket_types.ts";
export { z85Decode, z85Encode } from "./src/z85.ts";
export { type CurveKeyPair, curveKeyPair, curvePublic } from "./src/curve.ts";
export {
  Proxy,
  type ProxySideStatistics,
  type ProxyStatistics,
} from "./src/proxy.ts";
export {
  Zyre,
  ZyreEvent,
  type ZyreEventDetail,
  type ZyreEventKind,
  type ZyreEventType,
  type ZyreFrames,
  type ZyreOptions,
} from "./src/zyre/mod.ts";
export {
  Authenticator,
  type AuthenticatorOptions,
  ZAP_ENDPOINT,
  type ZapDecision,
  ZapDecisionEvent,
  type ZapMechanism,
  type ZapRequest,
} from "./src/zap.ts";
export {
  Channel,
  Client,
  Datagram,
  Dish,
  Gather,
  type GroupMessage,
  Peer,
  Radio,
  type RoutedMessage,
  RoutedSocket,
  Scatter,
  Server,
} from "./src/draft.ts";
