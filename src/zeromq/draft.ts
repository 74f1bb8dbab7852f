/**
 * zeromq.js's draft sockets (`deno-zmq/zeromq/draft`): SERVER, CLIENT,
 * RADIO, DISH, GATHER, SCATTER and DGRAM. They need a libzmq built with the
 * draft API: without one, constructing them fails with EINVAL, as in
 * zeromq.js.
 *
 * @example
 * ```ts
 * import { capability } from "@deno-zmq/zmq/zeromq";
 * import { Server } from "@deno-zmq/zmq/zeromq/draft";
 * if (capability.draft) new Server().close();
 * ```
 *
 * @module
 */

import { DraftSocketType } from "../draft.ts";
import { zmqError } from "../last_error.ts";
import { messageMetadata, socketInternals } from "../socket.ts";
import type { Socket as CoreSocket } from "../socket.ts";
import { errnoError, toFullError } from "./errors.ts";
import { type Message, toFrame, toMessage } from "./frames.ts";
import { Socket, type SocketOptions } from "./socket.ts";
import { defineSocketOptions } from "./sockets.ts";

/**
 * SERVER: replies to clients by routing id.
 *
 * @example
 * ```ts
 * import { Server } from "@deno-zmq/zmq/zeromq/draft";
 * const server = new Server();
 * server.close();
 * ```
 */
export class Server extends Socket {
  /** Creates a SERVER socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Server, options);
    this.receiveMetadata("routingId");
  }
  /** Sends one frame to the client with this routing id. */
  override send(
    message: unknown,
    options?: { routingId: number },
  ): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present");
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Options must be an object");
    }
    return this.settle(
      this.sendDraftMessage(toFrame(message), { routingId: options.routingId }),
    );
  }
  /** Receives one frame and the routing id of its client. */
  // @ts-expect-error: zeromq.js's draft receive gives [frame, metadata].
  override receive(): Promise<[Message, { routingId: number }]> {
    return this.settle(this.receiveMessage()).then((frames) => [
      toMessage(frames[0]),
      { routingId: messageMetadata(frames) as number },
    ]) as never;
  }
}

/**
 * CLIENT.
 *
 * @example
 * ```ts
 * import { Client } from "@deno-zmq/zmq/zeromq/draft";
 * const client = new Client();
 * client.close();
 * ```
 */
export class Client extends Socket {
  /** Creates a CLIENT socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Client, options);
  }
}

/**
 * RADIO: publishes frames to groups.
 *
 * @example
 * ```ts
 * import { Radio } from "@deno-zmq/zmq/zeromq/draft";
 * const radio = new Radio();
 * radio.close();
 * ```
 */
export class Radio extends Socket {
  /** Creates a RADIO socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Radio, options);
  }
  /** Sends one frame to a group. */
  override send(
    message: unknown,
    options?: { group: string | Uint8Array },
  ): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present");
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Options must be an object");
    }
    const group = typeof options.group === "string"
      ? options.group
      : new TextDecoder().decode(options.group);
    return this.settle(this.sendDraftMessage(toFrame(message), { group }));
  }
}

/**
 * DISH: receives the groups it joined.
 *
 * @example
 * ```ts
 * import { Dish } from "@deno-zmq/zmq/zeromq/draft";
 * const dish = new Dish();
 * dish.close();
 * ```
 */
export class Dish extends Socket {
  /** Creates a DISH socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Dish, options);
    this.receiveMetadata("group");
  }
  /** Joins groups. */
  join(...groups: (string | Uint8Array)[]): void {
    this.#each("join", groups);
  }
  /** Leaves groups. */
  leave(...groups: (string | Uint8Array)[]): void {
    this.#each("leave", groups);
  }
  #each(call: "join" | "leave", groups: (string | Uint8Array)[]): void {
    if (this.closed) throw errnoError("EBADF");
    const { backend, handle } = socketInternals(this as unknown as CoreSocket);
    for (const group of groups) {
      const name = typeof group === "string"
        ? group
        : new TextDecoder().decode(group);
      if (backend[call]!(handle, name) !== 0) {
        throw toFullError(zmqError(backend));
      }
    }
  }
  /** Receives one frame and its group. */
  // @ts-expect-error: zeromq.js's draft receive gives [frame, metadata].
  override receive(): Promise<[Message, { group: Message }]> {
    return this.settle(this.receiveMessage()).then((frames) => [
      toMessage(frames[0]),
      {
        group: toMessage(
          new TextEncoder().encode(messageMetadata(frames) as string),
        ),
      },
    ]) as never;
  }
}

/**
 * GATHER.
 *
 * @example
 * ```ts
 * import { Gather } from "@deno-zmq/zmq/zeromq/draft";
 * const gather = new Gather();
 * gather.close();
 * ```
 */
export class Gather extends Socket {
  /** Creates a GATHER socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Gather, options);
  }
}

/**
 * SCATTER.
 *
 * @example
 * ```ts
 * import { Scatter } from "@deno-zmq/zmq/zeromq/draft";
 * const scatter = new Scatter();
 * scatter.close();
 * ```
 */
export class Scatter extends Socket {
  /** Creates a SCATTER socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Scatter, options);
  }
}

/**
 * DGRAM: UDP datagrams, as [address, payload] pairs.
 *
 * @example
 * ```ts
 * import { Datagram } from "@deno-zmq/zmq/zeromq/draft";
 * const dgram = new Datagram();
 * dgram.close();
 * ```
 */
export class Datagram extends Socket {
  /** Creates a DGRAM socket. */
  constructor(options?: SocketOptions) {
    super(DraftSocketType.Datagram, options);
  }
}

for (const cls of [Radio, Scatter]) {
  Object.defineProperty(cls.prototype, "receive", { value: undefined });
}
defineSocketOptions({
  writable: [Server, Client, Radio, Scatter, Datagram],
  readable: [Server, Client, Dish, Gather, Datagram],
  conflatable: [Scatter, Gather],
});
