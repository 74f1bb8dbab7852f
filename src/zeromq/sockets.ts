/**
 * zeromq.js's socket types and which of zeromq.js's options each has.
 *
 * @module
 */

import { SocketType } from "../sockets.ts";
import { defineOption, type OptionDef } from "./options.ts";
import { Socket, type SocketOptions } from "./socket.ts";

/**
 * PAIR.
 *
 * @example
 * ```ts
 * import { Pair } from "@deno-zmq/zmq/zeromq";
 * const pair = new Pair();
 * pair.close();
 * ```
 */
export class Pair extends Socket {
  /** Creates a PAIR socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Pair, options);
  }
}

/**
 * PUB.
 *
 * @example
 * ```ts
 * import { Publisher } from "@deno-zmq/zmq/zeromq";
 * const pub = new Publisher();
 * pub.close();
 * ```
 */
export class Publisher extends Socket {
  /** Creates a PUB socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Publisher, options);
  }
}

/**
 * SUB.
 *
 * @example
 * ```ts
 * import { Subscriber } from "@deno-zmq/zmq/zeromq";
 * const sub = new Subscriber();
 * sub.subscribe("news");
 * sub.close();
 * ```
 */
export class Subscriber extends Socket {
  /** Creates a SUB socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Subscriber, options);
  }
  /** Subscribes to prefixes (to everything when none is given). */
  subscribe(...prefixes: (string | Uint8Array)[]): void {
    for (const prefix of prefixes.length ? prefixes : [null]) {
      this.setStringOption(6, prefix);
    }
  }
  /** Unsubscribes from prefixes (from "everything" when none is given). */
  unsubscribe(...prefixes: (string | Uint8Array)[]): void {
    for (const prefix of prefixes.length ? prefixes : [null]) {
      this.setStringOption(7, prefix);
    }
  }
}

/**
 * REQ.
 *
 * @example
 * ```ts
 * import { Request } from "@deno-zmq/zmq/zeromq";
 * const req = new Request();
 * req.close();
 * ```
 */
export class Request extends Socket {
  /** Creates a REQ socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Request, options);
  }
}

/**
 * REP.
 *
 * @example
 * ```ts
 * import { Reply } from "@deno-zmq/zmq/zeromq";
 * const rep = new Reply();
 * rep.close();
 * ```
 */
export class Reply extends Socket {
  /** Creates a REP socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Reply, options);
  }
}

/**
 * DEALER.
 *
 * @example
 * ```ts
 * import { Dealer } from "@deno-zmq/zmq/zeromq";
 * const dealer = new Dealer({ routingId: "me" });
 * dealer.close();
 * ```
 */
export class Dealer extends Socket {
  /** Creates a DEALER socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Dealer, options);
  }
}

/** Options of {@link Router.connect} and {@link Stream.connect}. */
export interface RouterConnectOptions {
  /** The routing id to know the peer by (ZMQ_CONNECT_ROUTING_ID). */
  routingId?: string;
}

/**
 * ROUTER.
 *
 * @example
 * ```ts
 * import { Router } from "@deno-zmq/zmq/zeromq";
 * const router = new Router({ mandatory: true });
 * router.close();
 * ```
 */
export class Router extends Socket {
  /** Creates a ROUTER socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Router, options);
  }
  /** Connects, optionally naming the peer. */
  override connect(address: string, options: RouterConnectOptions = {}): void {
    if (options.routingId) this.setStringOption(61, options.routingId);
    super.connect(address);
  }
}

/**
 * PULL.
 *
 * @example
 * ```ts
 * import { Pull } from "@deno-zmq/zmq/zeromq";
 * const pull = new Pull();
 * pull.close();
 * ```
 */
export class Pull extends Socket {
  /** Creates a PULL socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Pull, options);
  }
}

/**
 * PUSH.
 *
 * @example
 * ```ts
 * import { Push } from "@deno-zmq/zmq/zeromq";
 * const push = new Push();
 * push.close();
 * ```
 */
export class Push extends Socket {
  /** Creates a PUSH socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Push, options);
  }
}

/**
 * XPUB.
 *
 * @example
 * ```ts
 * import { XPublisher } from "@deno-zmq/zmq/zeromq";
 * const xpub = new XPublisher({ verbosity: "allSubs" });
 * xpub.close();
 * ```
 */
export class XPublisher extends Socket {
  /** Creates an XPUB socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.XPublisher, options);
  }
  /** ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER as one setting. */
  set verbosity(value: null | "allSubs" | "allSubsUnsubs") {
    if (value === null) this.setBoolOption(40, false);
    else if (value === "allSubs") this.setBoolOption(40, true);
    else if (value === "allSubsUnsubs") this.setBoolOption(78, true);
  }
}

/**
 * XSUB.
 *
 * @example
 * ```ts
 * import { XSubscriber } from "@deno-zmq/zmq/zeromq";
 * const xsub = new XSubscriber();
 * xsub.close();
 * ```
 */
export class XSubscriber extends Socket {
  /** Creates an XSUB socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.XSubscriber, options);
  }
}

/**
 * STREAM.
 *
 * @example
 * ```ts
 * import { Stream } from "@deno-zmq/zmq/zeromq";
 * const stream = new Stream();
 * stream.close();
 * ```
 */
export class Stream extends Socket {
  /** Creates a STREAM socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Stream, options);
  }
  /** Connects, optionally naming the peer. */
  override connect(address: string, options: RouterConnectOptions = {}): void {
    if (options.routingId) this.setStringOption(61, options.routingId);
    super.connect(address);
  }
}

// Only some types read or write messages (zeromq.js's allowMethods).
for (const cls of [Publisher, Push]) {
  Object.defineProperty(cls.prototype, "receive", { value: undefined });
}

type SocketClass = { prototype: object; name: string };
const writables: SocketClass[] = [
  Pair,
  Publisher,
  Request,
  Reply,
  Dealer,
  Router,
  Push,
  XPublisher,
  XSubscriber,
  Stream,
];
const readables: SocketClass[] = [
  Pair,
  Subscriber,
  Request,
  Reply,
  Dealer,
  Router,
  Pull,
  XPublisher,
  XSubscriber,
  Stream,
];
const all: SocketClass[] = [Socket];
const conflatables: SocketClass[] = [Pull, Push, Subscriber, Publisher, Dealer];
const principals = ["hostBased", "userName", "krb5Principal"];

/** zeromq.js's option properties: [classes, name, definition]. */
const OPTIONS: [SocketClass[], string, OptionDef][] = [
  [writables, "sendBufferSize", { id: 11, type: "Int32" }],
  [writables, "sendHighWaterMark", { id: 23, type: "Int32" }],
  [writables, "sendTimeout", { id: 28, type: "Int32" }],
  [writables, "multicastHops", { id: 25, type: "Int32" }],
  [readables, "receiveBufferSize", { id: 12, type: "Int32" }],
  [readables, "receiveHighWaterMark", { id: 24, type: "Int32" }],
  [readables, "receiveTimeout", { id: 27, type: "Int32" }],
  [all, "affinity", { id: 4, type: "Uint64" }],
  [[Request, Reply, Router, Dealer], "routingId", { id: 5, type: "String" }],
  [all, "rate", { id: 8, type: "Int32" }],
  [all, "recoveryInterval", { id: 9, type: "Int32" }],
  [all, "type", { id: 16, type: "Int32", access: "r" }],
  [all, "linger", { id: 17, type: "Int32" }],
  [all, "reconnectInterval", { id: 18, type: "Int32" }],
  [all, "backlog", { id: 19, type: "Int32" }],
  [all, "reconnectMaxInterval", { id: 21, type: "Int32" }],
  [all, "maxMessageSize", { id: 22, type: "Int64" }],
  [all, "lastEndpoint", { id: 32, type: "String", access: "r" }],
  [[Router], "mandatory", { id: 33, type: "Bool" }],
  [all, "tcpKeepalive", { id: 34, type: "Int32" }],
  [all, "tcpKeepaliveCount", { id: 35, type: "Int32" }],
  [all, "tcpKeepaliveIdle", { id: 36, type: "Int32" }],
  [all, "tcpKeepaliveInterval", { id: 37, type: "Int32" }],
  [all, "tcpAcceptFilter", { id: 38, type: "String" }],
  [all, "immediate", { id: 39, type: "Bool" }],
  [all, "ipv6", { id: 42, type: "Bool" }],
  [all, "securityMechanism", {
    id: 43,
    type: "Int32",
    access: "r",
    values: [null, "plain", "curve", "gssapi"],
  }],
  [all, "plainServer", { id: 44, type: "Bool" }],
  [all, "plainUsername", { id: 45, type: "String" }],
  [all, "plainPassword", { id: 46, type: "String" }],
  [all, "curveServer", { id: 47, type: "Bool" }],
  [all, "curvePublicKey", { id: 48, type: "String" }],
  [all, "curveSecretKey", { id: 49, type: "String" }],
  [all, "curveServerKey", { id: 50, type: "String" }],
  [[Router, Dealer, Request], "probeRouter", {
    id: 51,
    type: "Bool",
    access: "w",
  }],
  [[Request], "correlate", { id: 52, type: "Bool", access: "w" }],
  [[Request], "relaxed", { id: 53, type: "Bool", access: "w" }],
  [conflatables, "conflate", { id: 54, type: "Bool", access: "w" }],
  [all, "zapDomain", { id: 55, type: "String" }],
  [[Router], "handover", { id: 56, type: "Bool", access: "w" }],
  [all, "typeOfService", { id: 57, type: "Uint32" }],
  [all, "gssapiServer", { id: 62, type: "Bool" }],
  [all, "gssapiPrincipal", { id: 63, type: "String" }],
  [all, "gssapiServicePrincipal", { id: 64, type: "String" }],
  [all, "gssapiPlainText", { id: 65, type: "Bool" }],
  [all, "gssapiPrincipalNameType", {
    id: 90,
    type: "Int32",
    values: principals,
  }],
  [all, "gssapiServicePrincipalNameType", {
    id: 91,
    type: "Int32",
    values: principals,
  }],
  [all, "handshakeInterval", { id: 66, type: "Int32" }],
  [all, "socksProxy", { id: 68, type: "String" }],
  [[XPublisher, Publisher], "noDrop", { id: 69, type: "Bool", access: "w" }],
  [[XPublisher], "manual", { id: 71, type: "Bool", access: "w" }],
  [[XPublisher], "welcomeMessage", { id: 72, type: "String", access: "w" }],
  [[Stream], "notify", { id: 73, type: "Bool", access: "w" }],
  [[Publisher, Subscriber, XPublisher], "invertMatching", {
    id: 74,
    type: "Bool",
  }],
  [all, "heartbeatInterval", { id: 75, type: "Int32" }],
  [all, "heartbeatTimeToLive", { id: 76, type: "Int32" }],
  [all, "heartbeatTimeout", { id: 77, type: "Int32" }],
  [all, "connectTimeout", { id: 79, type: "Int32" }],
  [all, "tcpMaxRetransmitTimeout", { id: 80, type: "Int32" }],
  [all, "threadSafe", { id: 81, type: "Bool", access: "r" }],
  [all, "multicastMaxTransportDataUnit", { id: 84, type: "Int32" }],
  [all, "vmciBufferSize", { id: 85, type: "Uint64" }],
  [all, "vmciBufferMinSize", { id: 86, type: "Uint64" }],
  [all, "vmciBufferMaxSize", { id: 87, type: "Uint64" }],
  [all, "vmciConnectTimeout", { id: 88, type: "Int32" }],
  [all, "interface", { id: 92, type: "String" }],
  [all, "zapEnforceDomain", { id: 93, type: "Bool" }],
  [all, "loopbackFastPath", { id: 94, type: "Bool" }],
];

/** Defines zeromq.js's option properties on socket classes (draft ones too). */
export function defineSocketOptions(
  extra: {
    readable: SocketClass[];
    writable: SocketClass[];
    conflatable: SocketClass[];
  } = {
    readable: [],
    writable: [],
    conflatable: [],
  },
): void {
  writables.push(...extra.writable);
  readables.push(...extra.readable);
  conflatables.push(...extra.conflatable);
  for (const [classes, name, def] of OPTIONS) {
    for (const cls of classes) {
      defineOption(cls.prototype, "Socket", name, def);
    }
  }
}
defineSocketOptions();
