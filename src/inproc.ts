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
import { canTalk, typeName, worksOverInproc } from "./socket_types.ts";

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
    if (!worksOverInproc(type)) {
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
      if (!canTalk(type, other)) {
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
