/**
 * The socket types. They share one implementation ({@link Socket}) and differ
 * only in what libzmq allows them: which of `send`/`receive` they have, and
 * their type-specific options.
 *
 * @module
 */

import { sendFairnessCheck } from "./fairness.ts";
import type { Message } from "./message.ts";
import { defineOptions, optionSet } from "./option_access.ts";
import {
  dealerOptions,
  type OptionInit,
  type OptionProperties,
  publisherOptions,
  requestOptions,
  routerOptions,
  streamOptions,
  subscriberOptions,
  xPublisherOptions,
  xSubscriberOptions,
} from "./options.ts";
import { registerSocketClasses, Socket, type SocketOptions } from "./socket.ts";
import { SocketType } from "./socket_types.ts";
import { readableStreamOf, writableStreamOf } from "./streams.ts";

export { SocketType };

/** The operation of sockets that can send. */
export interface Writable {
  /**
   * Sends a message: one frame (`string` as UTF-8, `Uint8Array`,
   * `ArrayBuffer`, any `ArrayBufferView`, `null` for an empty frame) or an
   * array of frames sent atomically as one multipart message. Resolves when
   * libzmq has accepted it; waits (in call order) while the high-water mark is
   * reached; rejects with ZmqError `EAGAIN` after `sendTimeout` ms.
   *
   * @example
   * ```ts
   * import { Push } from "@deno-zmq/zmq";
   * using push = new Push();
   * push.connect("inproc://doc-send");
   * // Nobody is bound yet: with sendTimeout 0 the send fails at once.
   * push.sendTimeout = 0;
   * await push.send(["header", new Uint8Array([1, 2, 3])]).catch((e) => console.log(e.code));
   * ```
   */
  send(message: Message): Promise<void>;

  /**
   * A WritableStream into this socket (the send port of a channel): each
   * chunk is one message; writes wait at the high-water mark; closing the
   * stream closes the socket.
   *
   * @example
   * ```ts
   * import { Push } from "@deno-zmq/zmq";
   * const push = new Push();
   * push.connect("inproc://doc-writable");
   * const writer = push.toWritableStream().getWriter();
   * await writer.close(); // closes the socket
   * ```
   */
  toWritableStream(): WritableStream<Message>;

  /**
   * Sends a message only if libzmq accepts it right now (ZMQ_DONTWAIT):
   * returns true if it did, false if the socket would have to wait (high-water
   * mark, no peer yet, or earlier `send()` calls still queued). Throws like
   * `send` for other errors. No promise per message: the fastest way to
   * push a batch.
   *
   * @example
   * ```ts
   * import { Push } from "@deno-zmq/zmq";
   * using push = new Push();
   * push.connect("inproc://doc-trysend");
   * console.log(push.trySend("hello")); // false: nobody is bound yet
   * ```
   */
  trySend(message: Message): boolean;

  /**
   * Sends several messages in order (each element is one message: a frame or
   * an array of frames), with one promise for all of them: those libzmq
   * accepts at once cost no promise each, and the rest wait as `send()`
   * would. Resolves once every message was accepted; on an error it rejects
   * and the messages before the failing one have been sent.
   *
   * @example
   * ```ts
   * import { Pull, Push } from "@deno-zmq/zmq";
   * using pull = new Pull(), push = new Push();
   * await pull.bind("inproc://doc-sendmany");
   * push.connect("inproc://doc-sendmany");
   * await push.sendMany(["one", "two", ["three", "parts"]]);
   * console.log((await pull.receiveMany(10)).length); // 3
   * ```
   */
  sendMany(messages: Iterable<Message>): Promise<void>;
}

/** The operations of sockets that can receive. */
export interface Readable extends AsyncIterable<Uint8Array[]> {
  /**
   * Receives the next message, as its frames. Concurrent calls are served in
   * call order, each getting one message; rejects with ZmqError `EAGAIN`
   * after `receiveTimeout` ms, and with `ENOTSOCK` when the socket is closed.
   *
   * @example
   * ```ts
   * import { Pair } from "@deno-zmq/zmq";
   * using a = new Pair(), b = new Pair();
   * await a.bind("inproc://doc-receive");
   * b.connect("inproc://doc-receive");
   * await b.send("hello");
   * const [frame] = await a.receive();
   * console.log(new TextDecoder().decode(frame)); // "hello"
   * ```
   */
  receive(): Promise<Uint8Array[]>;
  /** Iterates over incoming messages until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array[]>;

  /**
   * A ReadableStream of this socket's messages (the receive port of a
   * channel), read on demand; it ends when the socket closes, and cancelling
   * it closes the socket. Pipe it through TransformStreams for lazy processing.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * const pull = new Pull();
   * await pull.bind("inproc://doc-readable");
   * const sizes = pull.toReadableStream().pipeThrough(
   *   new TransformStream<Uint8Array[], number>({
   *     transform: (frames, out) => out.enqueue(frames.length),
   *   }),
   * );
   * await sizes.cancel(); // closes the socket
   * ```
   */
  toReadableStream(): ReadableStream<Uint8Array[]>;

  /**
   * Receives a message if one is there right now (ZMQ_DONTWAIT), else returns
   * null (also when earlier `receive()` calls are still waiting). No promise
   * per message: the fastest way to drain a batch.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * await pull.bind("inproc://doc-tryreceive");
   * console.log(pull.tryReceive()); // null: nothing there yet
   * ```
   */
  tryReceive(): Uint8Array[] | null;

  /**
   * Receives up to `max` messages with one promise: waits for the first as
   * `receive()` does (in call order, honouring `receiveTimeout`), then takes
   * the ones that are already there, up to `max` in all. The fastest way to
   * consume a busy stream.
   *
   * @example
   * ```ts
   * import { Pull, Push } from "@deno-zmq/zmq";
   * using pull = new Pull(), push = new Push();
   * await pull.bind("inproc://doc-receivemany");
   * push.connect("inproc://doc-receivemany");
   * for (let i = 0; i < 5; i++) push.trySend(`message ${i}`);
   * const batch = await pull.receiveMany(100);
   * console.log(batch.length); // 5
   * ```
   */
  receiveMany(max: number): Promise<Uint8Array[][]>;
}

interface Internals {
  sendMessage(message: Message): Promise<void>;
  trySendMessage(message: Message): boolean;
  receiveMessage(): Promise<Uint8Array[]>;
  tryReceiveMessage(): Uint8Array[] | null;
  messages(): AsyncIterator<Uint8Array[]>;
}

/** The send operations, for {@link allow}. */
export const sending = {
  send(this: Internals, message: Message): Promise<void> {
    return this.sendMessage(message);
  },
  toWritableStream(this: Socket & Writable): WritableStream<Message> {
    return writableStreamOf(this);
  },
  trySend(this: Internals, message: Message): boolean {
    return this.trySendMessage(message);
  },
  async sendMany(this: Internals, messages: Iterable<Message>): Promise<void> {
    if (
      typeof (messages as Partial<Iterable<Message>>)?.[Symbol.iterator] !==
        "function"
    ) {
      throw new TypeError("sendMany() expects an iterable of messages");
    }
    for (const message of messages) {
      // send() waits (and yields to the event loop when due); trySend() does not.
      if (sendFairnessCheck(message) || !this.trySendMessage(message)) {
        await this.sendMessage(message);
      }
    }
  },
};
/** The receive operations, for {@link allow}. */
export const receiving = {
  receive(this: Internals): Promise<Uint8Array[]> {
    return this.receiveMessage();
  },
  [Symbol.asyncIterator](this: Internals): AsyncIterator<Uint8Array[]> {
    return this.messages();
  },
  toReadableStream(this: Socket & Readable): ReadableStream<Uint8Array[]> {
    return readableStreamOf(this);
  },
  tryReceive(this: Internals): Uint8Array[] | null {
    return this.tryReceiveMessage();
  },
  receiveMany(this: Internals, max: number): Promise<Uint8Array[][]> {
    if (!Number.isSafeInteger(max) || max < 1) {
      return Promise.reject(
        new TypeError(`receiveMany() expects a positive integer, got ${max}`),
      );
    }
    return this.receiveMessage().then((first) => {
      const batch = [first];
      try {
        while (batch.length < max) {
          const next = this.tryReceiveMessage();
          if (next === null) break;
          batch.push(next);
        }
      } catch {
        // The messages taken are delivered; the next call reports the error.
      }
      return batch;
    });
  },
};

/** Gives a socket class the operations libzmq allows its type. */
export function allow(
  cls: { prototype: object },
  ...operations: object[]
): void {
  for (const operations_ of operations) {
    for (const key of Reflect.ownKeys(operations_)) {
      const desc = Object.getOwnPropertyDescriptor(operations_, key)!;
      Object.defineProperty(cls.prototype, key, { ...desc, enumerable: false });
    }
  }
}

/** Options of a {@link Router} or {@link Stream} connection. */
export interface RouterConnectOptions {
  /** The routing id the peer at this endpoint is known by (ZMQ_CONNECT_ROUTING_ID). */
  routingId?: string | Uint8Array;
}

/**
 * An exclusive pair: one peer, messages both ways (ZMQ_PAIR).
 *
 * @example
 * ```ts
 * import { Pair } from "@deno-zmq/zmq";
 * using left = new Pair(), right = new Pair();
 * await left.bind("inproc://pair-example");
 * right.connect("inproc://pair-example");
 * await right.send("ping");
 * console.log((await left.receive()).length); // 1
 * ```
 */
export class Pair extends Socket {
  /** Creates a PAIR socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Pair, options);
  }
}
allow(Pair, sending, receiving);
/** Pair sends and receives. */
export interface Pair extends Writable, Readable {}

/** Options of a {@link Publisher}. */
export type PublisherOptions =
  & SocketOptions
  & OptionInit<typeof publisherOptions>;

/**
 * Publishes messages to every subscriber whose subscription prefixes the
 * first frame (ZMQ_PUB). It never waits: without subscribers, or above the
 * high-water mark, messages are dropped (set `noDrop` to wait instead).
 *
 * @example
 * ```ts
 * import { Publisher } from "@deno-zmq/zmq";
 * using pub = new Publisher();
 * await pub.bind("tcp://127.0.0.1:*");
 * await pub.send(["weather", "sunny"]);
 * ```
 */
export class Publisher extends Socket {
  /** Creates a PUB socket. */
  constructor(options?: PublisherOptions) {
    super(SocketType.Publisher, options);
  }
}
allow(Publisher, sending);
defineOptions(Publisher.prototype, publisherOptions);
/** Publisher sends and has the PUB options. */
export interface Publisher
  extends Writable, OptionProperties<typeof publisherOptions> {}

/** Options of a {@link Subscriber}. */
export type SubscriberOptions =
  & SocketOptions
  & OptionInit<typeof subscriberOptions>;

/**
 * Receives the messages of publishers whose first frame starts with one of its
 * subscriptions (ZMQ_SUB). It subscribes to nothing until told to.
 *
 * @example
 * ```ts
 * import { Subscriber } from "@deno-zmq/zmq";
 * using sub = new Subscriber();
 * sub.connect("tcp://127.0.0.1:5556");
 * sub.subscribe("weather");
 * ```
 */
export class Subscriber extends Socket {
  /** Creates a SUB socket. */
  constructor(options?: SubscriberOptions) {
    super(SocketType.Subscriber, options);
  }

  /**
   * Subscribes to messages starting with each prefix; with no argument, to
   * every message.
   *
   * @example
   * ```ts
   * import { Subscriber } from "@deno-zmq/zmq";
   * using sub = new Subscriber();
   * sub.subscribe("a", "b");
   * sub.subscribe(); // everything
   * ```
   */
  subscribe(...prefixes: (string | Uint8Array)[]): void {
    this.setEach(SUBSCRIBE, "subscribe", prefixes);
  }

  /**
   * Removes subscriptions made with {@link Subscriber.subscribe} (no argument:
   * the subscribe-to-everything one).
   *
   * @example
   * ```ts
   * import { Subscriber } from "@deno-zmq/zmq";
   * using sub = new Subscriber();
   * sub.subscribe("a");
   * sub.unsubscribe("a");
   * ```
   */
  unsubscribe(...prefixes: (string | Uint8Array)[]): void {
    this.setEach(UNSUBSCRIBE, "unsubscribe", prefixes);
  }
}
const SUBSCRIBE = { id: 6, type: "bytes", access: "w" } as const;
const UNSUBSCRIBE = { id: 7, type: "bytes", access: "w" } as const;
allow(Subscriber, receiving);
defineOptions(Subscriber.prototype, subscriberOptions);
/** Subscriber receives and has the SUB options. */
export interface Subscriber
  extends Readable, OptionProperties<typeof subscriberOptions> {}

/** Options of a {@link Request}. */
export type RequestOptions = SocketOptions & OptionInit<typeof requestOptions>;

/**
 * The client of a request-reply exchange (ZMQ_REQ): send one request, then
 * receive its reply, in strict alternation (else ZmqError `EFSM`).
 *
 * @example
 * ```ts
 * import { Reply, Request } from "@deno-zmq/zmq";
 * using rep = new Reply(), req = new Request();
 * await rep.bind("inproc://req-example");
 * req.connect("inproc://req-example");
 * await req.send("2 + 2");
 * const [question] = await rep.receive();
 * await rep.send("4");
 * console.log(new TextDecoder().decode((await req.receive())[0])); // "4"
 * ```
 */
export class Request extends Socket {
  /** Creates a REQ socket. */
  constructor(options?: RequestOptions) {
    super(SocketType.Request, options);
  }
}
allow(Request, sending, receiving);
defineOptions(Request.prototype, requestOptions);
/** Request sends and receives and has the REQ options. */
export interface Request
  extends Writable, Readable, OptionProperties<typeof requestOptions> {}

/**
 * The server of a request-reply exchange (ZMQ_REP): receive a request, then
 * send its reply.
 *
 * @example
 * ```ts
 * import { Reply } from "@deno-zmq/zmq";
 * using rep = new Reply();
 * await rep.bind("tcp://127.0.0.1:*");
 * // for await (const [request] of rep) await rep.send(request);
 * ```
 */
export class Reply extends Socket {
  /** Creates a REP socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Reply, options);
  }
}
allow(Reply, sending, receiving);
/** Reply sends and receives. */
export interface Reply extends Writable, Readable {}

/** Options of a {@link Dealer}. */
export type DealerOptions = SocketOptions & OptionInit<typeof dealerOptions>;

/**
 * An asynchronous request socket (ZMQ_DEALER): sends round-robin to its peers
 * and receives from all of them, with no lock-step.
 *
 * @example
 * ```ts
 * import { Dealer } from "@deno-zmq/zmq";
 * using dealer = new Dealer({ routingId: "client-1" });
 * dealer.connect("tcp://127.0.0.1:5557");
 * ```
 */
export class Dealer extends Socket {
  /** Creates a DEALER socket. */
  constructor(options?: DealerOptions) {
    super(SocketType.Dealer, options);
  }
}
allow(Dealer, sending, receiving);
defineOptions(Dealer.prototype, dealerOptions);
/** Dealer sends and receives and has the DEALER options. */
export interface Dealer
  extends Writable, Readable, OptionProperties<typeof dealerOptions> {}

/** Options of a {@link Router}. */
export type RouterOptions = SocketOptions & OptionInit<typeof routerOptions>;

/**
 * An asynchronous reply socket (ZMQ_ROUTER): each received message starts
 * with the sender's routing id; a sent message's first frame names the peer.
 *
 * @example
 * ```ts
 * import { Router } from "@deno-zmq/zmq";
 * using router = new Router({ routerMandatory: true });
 * await router.bind("tcp://127.0.0.1:*");
 * // const [id, ...body] = await router.receive(); await router.send([id, "ok"]);
 * ```
 */
export class Router extends Socket {
  /** Creates a ROUTER socket. */
  constructor(options?: RouterOptions) {
    super(SocketType.Router, options);
  }

  /**
   * Connects to an endpoint, optionally naming the peer there with a routing
   * id of our choosing.
   *
   * @example
   * ```ts
   * import { Router } from "@deno-zmq/zmq";
   * using router = new Router();
   * router.connect("tcp://127.0.0.1:5558", { routingId: "server-a" });
   * ```
   */
  override connect(endpoint: string, options: RouterConnectOptions = {}): void {
    connectWithRoutingId(this, endpoint, options);
  }
}
allow(Router, sending, receiving);
defineOptions(Router.prototype, routerOptions);
/** Router sends and receives and has the ROUTER options. */
export interface Router
  extends Writable, Readable, OptionProperties<typeof routerOptions> {}

function connectWithRoutingId(
  socket: Router | Stream,
  endpoint: string,
  { routingId }: RouterConnectOptions,
): void {
  if (routingId !== undefined) {
    socket[optionSet](
      "connectRoutingId",
      routerOptions.connectRoutingId,
      routingId,
    );
  }
  Socket.prototype.connect.call(socket, endpoint);
}

/**
 * Receives messages from pushers, fair-queued (ZMQ_PULL).
 *
 * @example
 * ```ts
 * import { Pull } from "@deno-zmq/zmq";
 * using pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * // for await (const [job] of pull) { ... }
 * ```
 */
export class Pull extends Socket {
  /** Creates a PULL socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Pull, options);
  }
}
allow(Pull, receiving);
/** Pull receives. */
export interface Pull extends Readable {}

/**
 * Sends messages round-robin to pullers (ZMQ_PUSH); waits at the high-water
 * mark.
 *
 * @example
 * ```ts
 * import { Push } from "@deno-zmq/zmq";
 * using push = new Push({ sendHighWaterMark: 1000 });
 * push.connect("tcp://127.0.0.1:5559");
 * ```
 */
export class Push extends Socket {
  /** Creates a PUSH socket. */
  constructor(options?: SocketOptions) {
    super(SocketType.Push, options);
  }
}
allow(Push, sending);
/** Push sends. */
export interface Push extends Writable {}

/** Options of an {@link XPublisher}. */
export type XPublisherOptions =
  & SocketOptions
  & OptionInit<typeof xPublisherOptions>;

/**
 * A publisher that also receives its subscribers' subscription messages
 * (ZMQ_XPUB): `[1, ...prefix]` to subscribe, `[0, ...prefix]` to unsubscribe.
 *
 * @example
 * ```ts
 * import { XPublisher } from "@deno-zmq/zmq";
 * using xpub = new XPublisher({ verbose: true });
 * await xpub.bind("tcp://127.0.0.1:*");
 * ```
 */
export class XPublisher extends Socket {
  /** Creates an XPUB socket. */
  constructor(options?: XPublisherOptions) {
    super(SocketType.XPublisher, options);
  }
}
allow(XPublisher, sending, receiving);
defineOptions(XPublisher.prototype, xPublisherOptions);
/** XPublisher sends and receives and has the XPUB options. */
export interface XPublisher
  extends Writable, Readable, OptionProperties<typeof xPublisherOptions> {}

/** Options of an {@link XSubscriber}. */
export type XSubscriberOptions =
  & SocketOptions
  & OptionInit<typeof xSubscriberOptions>;

/**
 * A subscriber that subscribes by sending messages (ZMQ_XSUB):
 * `[1, ...prefix]` to subscribe, `[0, ...prefix]` to unsubscribe.
 *
 * @example
 * ```ts
 * import { XSubscriber } from "@deno-zmq/zmq";
 * using xsub = new XSubscriber();
 * xsub.connect("tcp://127.0.0.1:5560");
 * await xsub.send(new Uint8Array([1])); // subscribe to everything
 * ```
 */
export class XSubscriber extends Socket {
  /** Creates an XSUB socket. */
  constructor(options?: XSubscriberOptions) {
    super(SocketType.XSubscriber, options);
  }
}
allow(XSubscriber, sending, receiving);
defineOptions(XSubscriber.prototype, xSubscriberOptions);
/** XSubscriber sends and receives and has the XSUB options. */
export interface XSubscriber
  extends Writable, Readable, OptionProperties<typeof xSubscriberOptions> {}

/** Options of a {@link Stream}. */
export type StreamOptions = SocketOptions & OptionInit<typeof streamOptions>;

/**
 * Raw TCP (ZMQ_STREAM): each received message is `[connectionId, data]`;
 * send `[connectionId, data]` to write to a connection, and
 * `[connectionId, ""]` to close it.
 *
 * @example
 * ```ts
 * import { Stream } from "@deno-zmq/zmq";
 * using stream = new Stream();
 * await stream.bind("tcp://127.0.0.1:*");
 * // for await (const [id, data] of stream) await stream.send([id, data]);
 * ```
 */
export class Stream extends Socket {
  /** Creates a STREAM socket. */
  constructor(options?: StreamOptions) {
    super(SocketType.Stream, options);
  }

  /**
   * Connects to a TCP endpoint, optionally choosing the connection's id.
   *
   * @example
   * ```ts
   * import { Stream } from "@deno-zmq/zmq";
   * using stream = new Stream();
   * stream.connect("tcp://127.0.0.1:5561", { routingId: "upstream" });
   * ```
   */
  override connect(endpoint: string, options: RouterConnectOptions = {}): void {
    connectWithRoutingId(this, endpoint, options);
  }
}
allow(Stream, sending, receiving);
defineOptions(Stream.prototype, streamOptions);
/** Stream sends and receives and has the STREAM options. */
export interface Stream
  extends Writable, Readable, OptionProperties<typeof streamOptions> {}

registerSocketClasses({
  Pair,
  Publisher,
  Subscriber,
  Request,
  Reply,
  Dealer,
  Router,
  Pull,
  Push,
  XPublisher,
  XSubscriber,
  Stream,
});
