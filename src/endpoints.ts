/**
 * A socket's endpoints: bind, unbind, connect, disconnect (and the draft
 * PEER's connect) with the checks every path shares, and the inproc rules of
 * `inproc.ts` (type checks, deferred connects, unbinding inproc names on
 * close). One instance per socket.
 *
 * @module
 */

import type { Backend, Handle } from "./backend.ts";
import type { ContextInternals } from "./context.ts";
import { ZmqError } from "./errors.ts";
import { zmqError } from "./last_error.ts";

/** What {@link Endpoints} needs from its socket. */
export interface EndpointOwner {
  /** Throws unless the socket may be used now (open, not owned by a proxy). */
  assertOpen(): void;
  /** Whether the socket was closed (a deferred connect is then dropped). */
  isClosed(): boolean;
  /** A deferred inproc connect was made: waiting operations may proceed. */
  connected(): void;
  /** The socket was used at an endpoint (names it in leak warnings). */
  attached(call: "bind" | "connect", endpoint: string): void;
}

/** An endpoint call. */
export type EndpointCall = "bind" | "unbind" | "connect" | "disconnect";

/** The endpoints of one socket. */
export class Endpoints {
  readonly #owner: EndpointOwner;
  readonly #b: Backend;
  readonly #h: Handle;
  readonly #type: number;
  readonly #ctx: ContextInternals;
  // inproc endpoints this socket is bound to: unbound on close, because libzmq
  // releases an inproc name only later on its reaper thread, and an
  // immediate rebind of the name would fail with EADDRINUSE.
  // Made on the first inproc bind (an idle socket has none).
  #inprocBinds: Set<string> | undefined;
  #remote = false;

  constructor(
    owner: EndpointOwner,
    backend: Backend,
    handle: Handle,
    type: number,
    context: ContextInternals,
  ) {
    this.#owner = owner;
    this.#b = backend;
    this.#h = handle;
    this.#type = type;
    this.#ctx = context;
  }

  /** Whether the socket was bound or connected to something other than inproc. */
  get remote(): boolean {
    return this.#remote;
  }

  /**
   * Makes an endpoint call through every check; with `peer` (a draft PEER's
   * connect), returns the routing id libzmq gave the peer, else 0.
   */
  call(call: EndpointCall, endpoint: string, peer = false): number {
    if (typeof endpoint !== "string") {
      throw new TypeError(
        `${call}() expects an endpoint string, got ${typeof endpoint}`,
      );
    }
    this.#owner.assertOpen();
    const b = this.#b, h = this.#h;
    if (endpoint.includes("\0")) {
      // libzmq would silently use the part before the NUL.
      throw new ZmqError(
        "EINVAL",
        b.errnos.EINVAL,
        "Endpoints cannot contain NUL characters",
        { endpoint },
      );
    }
    const unsupported = b.unsupportedEndpoint?.(endpoint, call);
    if (unsupported) throw unsupported;
    const inproc = endpoint.startsWith("inproc://");
    const attaching = call === "bind" || call === "connect";
    const registry = this.#ctx.inproc;
    if (inproc && attaching) {
      registry.check(call, endpoint, this.#type, b.errnos);
    }
    const deferred = inproc && call === "connect" && this.#ctx.owned &&
      !registry.isBound(endpoint);
    let routingId = 0;
    if (deferred && peer) {
      // The routing id is needed now, and libzmq would abort on the pending path.
      throw new ZmqError(
        "ECONNREFUSED",
        b.errnos.ECONNREFUSED,
        "connectPeer() to an inproc name needs it bound first (bind, then connectPeer)",
        { endpoint },
      );
    }
    if (deferred) {
      // See inproc.ts: connect once a socket of this context binds the name.
      registry.defer(endpoint, this, this.#type, () => {
        if (this.#owner.isClosed() || b.connect(h, endpoint) !== 0) return;
        this.#owner.connected();
      });
    } else if (
      inproc && call === "disconnect" && registry.isDeferred(endpoint, this)
    ) {
      registry.forget(this, endpoint);
      return 0;
    } else if (
      peer
        ? (routingId = b.connectPeer!(h, endpoint)) === 0
        : b[call](h, endpoint) !== 0
    ) {
      throw zmqError(b, { endpoint });
    } else if (!inproc) {
      if (attaching) this.#remote = true;
    } else if (call === "bind") {
      registry.bound(endpoint, this, this.#type);
      (this.#inprocBinds ??= new Set()).add(endpoint);
    } else if (call === "unbind") {
      registry.forget(this, endpoint);
      this.#inprocBinds?.delete(endpoint);
    }
    if (call === "bind" || call === "connect") {
      this.#owner.attached(call, endpoint);
    }
    return routingId;
  }

  /** On close: releases the inproc names now, and forgets the deferred connects. */
  close(): void {
    for (const endpoint of this.#inprocBinds ?? []) {
      this.#b.unbind(this.#h, endpoint);
    }
    this.#inprocBinds = undefined;
    this.#ctx.inproc.forget(this);
  }
}
