/**
 * Guarding libzmq's inproc transport against cases that abort the process in
 * libzmq 4.3.4 instead of failing (found by the fuzz test):
 * - sockets of types that cannot talk to each other meeting on a name;
 * - libzmq's "pending connection" path, taken when a socket connects to a
 *   name nobody bound yet (`pipe.cpp:87 "written"`, `ctx.cpp:809 "ok"`).
 *   Such a connect is deferred here until a socket of the same context binds
 *   the name, so libzmq only ever connects to bound names. Messages sent
 *   meanwhile wait in the socket's send queue instead of libzmq's pipe.
 * Each context remembers which of its sockets bound or wait for which names.
 *
 * @module
 */

import { ZmqError } from "./errors.ts";
import type { ErrnoTable } from "./errors.ts";

/** Which socket types each type can talk to (ZMTP). */
const PEERS: Readonly<Record<number, readonly number[]>> = {
  0: [0], // PAIR
  1: [2, 10], // PUB
  2: [1, 9], // SUB
  3: [4, 6], // REQ
  4: [3, 5], // REP
  5: [4, 5, 6], // DEALER
  6: [3, 5, 6], // ROUTER
  7: [8], // PULL
  8: [7], // PUSH
  9: [2, 10], // XPUB
  10: [1, 9], // XSUB
  11: [], // STREAM: tcp only
  12: [13], // SERVER
  13: [12], // CLIENT
  14: [15], // RADIO
  15: [14], // DISH
  16: [17], // GATHER
  17: [16], // SCATTER
  18: [], // DGRAM: udp only
  19: [19], // PEER
  20: [20], // CHANNEL
};

const NAMES: Readonly<Record<number, string>> = {
  0: "PAIR",
  1: "PUB",
  2: "SUB",
  3: "REQ",
  4: "REP",
  5: "DEALER",
  6: "ROUTER",
  7: "PULL",
  8: "PUSH",
  9: "XPUB",
  10: "XSUB",
  11: "STREAM",
  12: "SERVER",
  13: "CLIENT",
  14: "RADIO",
  15: "DISH",
  16: "GATHER",
  17: "SCATTER",
  18: "DGRAM",
  19: "PEER",
  20: "CHANNEL",
};

/** A socket type's name, e.g. "PUSH". */
export function typeName(type: number): string {
  return NAMES[type] ?? `type ${type}`;
}

interface Waiting {
  readonly type: number;
  readonly connect: () => void;
}

/** The inproc names of one context: who bound them, who waits for them. */
export class InprocRegistry {
  readonly #bound = new Map<string, { owner: object; type: number }>();
  readonly #waiting = new Map<string, Map<object, Waiting>>();

  /** Throws ENOCOMPATPROTO (or EPROTONOSUPPORT) before a call libzmq would abort on. */
  check(
    call: "bind" | "connect",
    endpoint: string,
    type: number,
    errnos: ErrnoTable,
  ): void {
    if ((PEERS[type] ?? []).length === 0) {
      throw new ZmqError(
        "EPROTONOSUPPORT",
        errnos.EPROTONOSUPPORT,
        `${typeName(type)} sockets do not work over inproc://`,
        { endpoint },
      );
    }
    const others = call === "bind"
      ? [...(this.#waiting.get(endpoint)?.values() ?? [])].map((w) => w.type)
      : this.#bound.has(endpoint)
      ? [this.#bound.get(endpoint)!.type]
      : [];
    for (const other of others) {
      if (!PEERS[type].includes(other)) {
        throw new ZmqError(
          "ENOCOMPATPROTO",
          errnos.ENOCOMPATPROTO,
          `A ${typeName(type)} socket cannot talk to the ${
            typeName(other)
          } socket ` +
            (call === "bind"
              ? "waiting to connect to this name"
              : "bound to this name"),
          { endpoint },
        );
      }
    }
  }

  /** Whether a socket of this context bound the name. */
  isBound(endpoint: string): boolean {
    return this.#bound.has(endpoint);
  }

  /** Records a bind, and makes the connects that waited for it. */
  bound(endpoint: string, owner: object, type: number): void {
    this.#bound.set(endpoint, { owner, type });
    const waiting = this.#waiting.get(endpoint);
    this.#waiting.delete(endpoint);
    for (const { connect } of waiting?.values() ?? []) connect();
  }

  /** Defers a connect to a name not bound yet; `connect` runs once it is. */
  defer(
    endpoint: string,
    owner: object,
    type: number,
    connect: () => void,
  ): void {
    let waiting = this.#waiting.get(endpoint);
    if (!waiting) this.#waiting.set(endpoint, waiting = new Map());
    waiting.set(owner, { type, connect });
  }

  /** Whether a connect of this socket to the name is still deferred. */
  isDeferred(endpoint: string, owner: object): boolean {
    return this.#waiting.get(endpoint)?.has(owner) ?? false;
  }

  /** Forgets an unbound name, or everything of a closed socket (no endpoint). */
  forget(owner: object, endpoint?: string): void {
    for (const [name, binder] of this.#bound) {
      if (
        binder.owner === owner && (endpoint === undefined || endpoint === name)
      ) {
        this.#bound.delete(name);
      }
    }
    for (const [name, waiting] of this.#waiting) {
      if (endpoint !== undefined && endpoint !== name) continue;
      waiting.delete(owner);
      if (waiting.size === 0) this.#waiting.delete(name);
    }
  }
}
