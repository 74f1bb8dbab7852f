/**
 * Draft socket types (libzmq's draft API): thread-safe, single-frame sockets.
 * They need a libzmq built with the draft API: the WASM backend has it;
 * Debian's libzmq5 does not, and constructing one there throws ENOTSUP.
 *
 * @module
 */

// The main entry registers the backends.
import "../mod.ts";
import { Context, internals } from "./context.ts";
import { ZmqError } from "./errors.ts";
import { DraftSocketType } from "./socket_types.ts";
import { zmqError } from "./last_error.ts";
import type { Frame, Message } from "./message.ts";
import {
  type DraftTarget,
  messageMetadata,
  registerSocketClasses,
  Socket,
  socketInternals,
  type SocketOptions,
} from "./socket.ts";
import {
  allow,
  type Readable,
  receiving,
  sending,
  type Writable,
} from "./sockets.ts";

export type { DraftTarget } from "./socket.ts";
export { DraftSocketType };

/** Checks the draft API before a draft socket is created; returns its type. */
function draftType(
  name: keyof typeof DraftSocketType,
  options: SocketOptions = {},
): number {
  const context = options.context ?? Context.default;
  if (context instanceof Context && !context.has("draft")) {
    const backend = internals(context).backend;
    throw new ZmqError(
      "ENOTSUP",
      backend.errnos.ENOTSUP,
      `${name} sockets need libzmq built with the draft API; the ${backend.kind} backend's libzmq ` +
        "is not (the WASM backend has it, for inproc)",
    );
  }
  return DraftSocketType[name];
}

/** Maps an iterator of raw messages to another shape. */
function mapIterator<T>(
  source: AsyncIterator<Uint8Array[]>,
  map: (message: Uint8Array[]) => T,
): AsyncIterableIterator<T> {
  const done: IteratorReturnResult<undefined> = {
    value: undefined,
    done: true,
  };
  return {
    next: () =>
      source.next().then((r): IteratorResult<T, undefined> =>
        r.done ? done : { value: map(r.value), done: false }
      ),
    return: async () => {
      await source.return?.();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** What a routed draft socket (Server, Peer) receives: the frame and its sender. */
export type RoutedMessage = [frame: Uint8Array, from: { routingId: number }];
/** What a Dish receives: the frame and its group. */
export type GroupMessage = [frame: Uint8Array, from: { group: string }];

interface Raw {
  sendMessage(message: Message): Promise<void>;
  sendDraftMessage(frame: Frame, draft: DraftTarget): Promise<void>;
  receiveMessage(): Promise<Uint8Array[]>;
  messages(): AsyncIterableIterator<Uint8Array[]>;
}
const raw = (socket: Socket) => socket as unknown as Raw;
const routed = (message: Uint8Array[]): RoutedMessage => [message[0], {
  routingId: messageMetadata(message) as number,
}];
const grouped = (message: Uint8Array[]): GroupMessage => [message[0], {
  group: messageMetadata(message) as string,
}];

/**
 * The receive operations of a socket whose messages carry metadata (routed:
 * SERVER, PEER; grouped: DISH), each message mapped, for {@link allow}.
 */
function receivingAs<T>(map: (message: Uint8Array[]) => T) {
  return {
    receive(this: Socket): Promise<T> {
      return raw(this).receiveMessage().then(map);
    },
    [Symbol.asyncIterator](this: Socket): AsyncIterableIterator<T> {
      return mapIterator(raw(this).messages(), map);
    },
  };
}

/** Sending single frames (CLIENT, SCATTER, CHANNEL): the frame is the message. */
export interface FrameWritable extends Writable {
  /** Sends one frame. */
  send(frame: Frame): Promise<void>;
  /** Sends one frame if libzmq accepts it right now. */
  trySend(frame: Frame): boolean;
}

/** Receiving single frames (CLIENT, GATHER, CHANNEL), as one-element messages. */
export interface FrameReadable extends Readable {
  /** Receives one frame. */
  receive(): Promise<[Uint8Array]>;
  /** Iterates over incoming messages until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterator<[Uint8Array]>;
  /** A frame if one is there right now, else null. */
  tryReceive(): [Uint8Array] | null;
}

/**
 * Receiving single frames with what they carry (SERVER, PEER: the sender's
 * routing id; DISH: the group).
 */
export interface TaggedReadable<T> {
  /** Receives one frame and what it carries. */
  receive(): Promise<T>;
  /** Iterates over incoming messages until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}

function checkRoutingId(routingId: unknown): number {
  if (
    typeof routingId !== "number" || !Number.isInteger(routingId) ||
    routingId <= 0 || routingId > 0xffffffff
  ) {
    throw new TypeError(
      "send() needs { routingId }: the positive id a received message came with",
    );
  }
  return routingId;
}

/**
 * What SERVER and PEER share: single frames addressed by routing id, and
 * received as `[frame, { routingId }]`.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { type RoutedSocket, Server } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using server: RoutedSocket = new Server({ context });
 * ```
 */
export abstract class RoutedSocket extends Socket {
  /** Creates a routed draft socket of a type. */
  protected constructor(type: number, options?: SocketOptions) {
    super(type, options);
    this.receiveMetadata("routingId");
  }
  /** Sends one frame to the peer with this routing id. */
  send(frame: Frame, options: { routingId: number }): Promise<void> {
    try {
      return raw(this).sendDraftMessage(frame, {
        routingId: checkRoutingId(options?.routingId),
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
allow(RoutedSocket, receivingAs(routed));
/** RoutedSocket receives frames with the routing id of their sender. */
export interface RoutedSocket extends TaggedReadable<RoutedMessage> {}

/**
 * The server of CLIENT/SERVER (draft): receives `[frame, { routingId }]` and
 * replies with `send(frame, { routingId })`.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Client, Server } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using server = new Server({ context }), client = new Client({ context });
 * await server.bind("inproc://server");
 * client.connect("inproc://server");
 * await client.send("ping");
 * const [, { routingId }] = await server.receive();
 * await server.send("pong", { routingId });
 * ```
 */
export class Server extends RoutedSocket {
  /** Creates a SERVER socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Server", options), options);
  }
}

/**
 * The client of CLIENT/SERVER (draft): single frames, round-robin to servers.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Client } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using client = new Client({ context });
 * client.connect("inproc://server");
 * ```
 */
export class Client extends Socket {
  /** Creates a CLIENT socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Client", options), options);
  }
}
allow(Client, sending, receiving);
/** Client sends and receives single frames. */
export interface Client extends FrameWritable, FrameReadable {}

/**
 * Publishes frames to groups (draft RADIO); dishes that joined a group get them.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Radio } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using radio = new Radio({ context });
 * await radio.bind("inproc://radio");
 * await radio.send("goal!", { group: "football" });
 * ```
 */
export class Radio extends Socket {
  /** Creates a RADIO socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Radio", options), options);
  }
  /** Sends one frame to a group (at most 255 bytes of UTF-8). */
  send(frame: Frame, options: { group: string }): Promise<void> {
    const group = options?.group;
    if (
      typeof group !== "string" || new TextEncoder().encode(group).length > 255
    ) {
      return Promise.reject(
        new TypeError("send() needs { group }: a string of at most 255 bytes"),
      );
    }
    return raw(this).sendDraftMessage(frame, { group });
  }
}

/**
 * Receives the frames radios send to the groups it joined (draft DISH), as
 * `[frame, { group }]`.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Dish } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using dish = new Dish({ context });
 * dish.connect("inproc://radio");
 * dish.join("football");
 * ```
 */
export class Dish extends Socket {
  /** Creates a DISH socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Dish", options), options);
    this.receiveMetadata("group");
  }
  /** Joins groups (exact names, not prefixes). */
  join(...groups: string[]): void {
    this.#each("join", groups);
  }
  /** Leaves groups. */
  leave(...groups: string[]): void {
    this.#each("leave", groups);
  }
  #each(call: "join" | "leave", groups: string[]): void {
    const { backend, handle } = socketInternals(this);
    if (this.closed) {
      throw new ZmqError(
        "ENOTSOCK",
        backend.errnos.ENOTSOCK,
        "Socket is closed",
      );
    }
    for (const group of groups) {
      if (typeof group !== "string") {
        throw new TypeError(`${call}() expects group names`);
      }
      if (backend[call]!(handle, group) !== 0) throw zmqError(backend);
    }
  }
}
allow(Dish, receivingAs(grouped));
/** Dish receives frames with their group. */
export interface Dish extends TaggedReadable<GroupMessage> {}

/**
 * Fair-queues single frames from scatterers (draft GATHER, a thread-safe PULL).
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Gather } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using gather = new Gather({ context });
 * await gather.bind("inproc://gather");
 * ```
 */
export class Gather extends Socket {
  /** Creates a GATHER socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Gather", options), options);
  }
}
allow(Gather, receiving);
/** Gather receives single frames. */
export interface Gather extends FrameReadable {}

/**
 * Sends single frames round-robin to gatherers (draft SCATTER, a thread-safe PUSH).
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Scatter } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using scatter = new Scatter({ context });
 * scatter.connect("inproc://gather");
 * ```
 */
export class Scatter extends Socket {
  /** Creates a SCATTER socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Scatter", options), options);
  }
}
allow(Scatter, sending);
/** Scatter sends single frames. */
export interface Scatter extends FrameWritable {}

/**
 * UDP datagrams (draft DGRAM): messages are `[address, data]` where address is
 * "ip:port".
 *
 * @example
 * ```ts ignore
 * import { Datagram } from "@deno-zmq/zmq/draft";
 * using dgram = new Datagram();
 * await dgram.bind("udp://127.0.0.1:5555");
 * ```
 */
export class Datagram extends Socket {
  /** Creates a DGRAM socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Datagram", options), options);
  }
}
allow(Datagram, sending, receiving);
/** Datagram sends and receives `[address, data]` messages. */
export interface Datagram extends Writable, Readable {
  /** Sends `[address, data]`. */
  send(message: [address: Frame, data: Frame]): Promise<void>;
}

/**
 * Peer-to-peer (draft PEER): `connect` returns the routing id of the peer at
 * that endpoint; `send(frame, { routingId })`; receives `[frame, { routingId }]`.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Peer } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using a = new Peer({ context }), b = new Peer({ context });
 * await a.bind("inproc://peer-a");
 * const toA = b.connectPeer("inproc://peer-a");
 * await b.send("hi", { routingId: toA });
 * ```
 */
export class Peer extends RoutedSocket {
  /** Creates a PEER socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Peer", options), options);
  }
  /** Connects to an endpoint; returns the routing id to send to that peer with. */
  connectPeer(endpoint: string): number {
    if (typeof endpoint !== "string") {
      throw new TypeError("connectPeer() expects an endpoint string");
    }
    return this.connectPeerEndpoint(endpoint);
  }
}

/**
 * A thread-safe PAIR (draft CHANNEL): single frames both ways, one peer.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq";
 * import { Channel } from "@deno-zmq/zmq/draft";
 * await using context = new Context({ backend: "wasm" });
 * using a = new Channel({ context }), b = new Channel({ context });
 * await a.bind("inproc://channel");
 * b.connect("inproc://channel");
 * await b.send("hello");
 * ```
 */
export class Channel extends Socket {
  /** Creates a CHANNEL socket. */
  constructor(options?: SocketOptions) {
    super(draftType("Channel", options), options);
  }
}
allow(Channel, sending, receiving);
/** Channel sends and receives single frames. */
export interface Channel extends FrameWritable, FrameReadable {}

registerSocketClasses({
  Server,
  Client,
  Radio,
  Dish,
  Gather,
  Scatter,
  Datagram,
  Peer,
  Channel,
});
