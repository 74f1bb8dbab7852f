/**
 * A ZAP authenticator (ZeroMQ RFC 27) written in TypeScript: it answers the
 * authentication requests libzmq makes during PLAIN, CURVE (and, with a ZAP
 * domain set, NULL) handshakes of the sockets of one context.
 *
 * @module
 */

import { Context } from "./context.ts";
import { ZmqError } from "./errors.ts";
import { EventHub } from "./event_hub.ts";
import { Router } from "./sockets.ts";
import { z85Decode, z85Encode } from "./z85.ts";
import { parseZapRequest, zapReply } from "./zap_protocol.ts";

/**
 * The endpoint libzmq sends ZAP requests to (RFC 27), in each context.
 *
 * @example
 * ```ts
 * import { ZAP_ENDPOINT } from "@deno-zmq/zmq";
 * console.log(ZAP_ENDPOINT); // "inproc://zeromq.zap.01"
 * ```
 */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** The security mechanisms a ZAP request can be about. */
export type ZapMechanism = "NULL" | "PLAIN" | "CURVE" | "GSSAPI";

/** One authentication request from libzmq, decoded. */
export interface ZapRequest {
  /** The ZAP domain of the server socket (its `zapDomain` option; "" if unset). */
  domain: string;
  /** The peer's IP address, e.g. "127.0.0.1" (no port). */
  address: string;
  /** The peer's routing id (ZMTP identity), often empty. */
  identity: Uint8Array;
  /** The handshake's mechanism. */
  mechanism: ZapMechanism | string;
  /** PLAIN: the user name. */
  username?: string;
  /** PLAIN: the password. */
  password?: string;
  /** CURVE: the client's long-term public key, as Z85 (40 characters). */
  publicKey?: string;
  /** GSSAPI: the client's principal. */
  principal?: string;
  /** The raw credential frames. */
  credentials: Uint8Array[];
  /** The request id, echoed in the reply. */
  requestId: Uint8Array;
}

/** What an {@link Authenticator} answered to one request. */
export interface ZapDecision {
  /** The request. */
  request: ZapRequest;
  /** Whether the peer was let in (status "200"). */
  allowed: boolean;
  /** "200" (allowed), "400" (denied) or "500" (internal error). */
  status: "200" | "400" | "500";
  /** Why, in words ("OK", "Address denied", "Wrong password", ...). */
  statusText: string;
  /** The user id given to libzmq (PLAIN: the user name; CURVE: the Z85 key). */
  userId: string;
}

/** Options of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** The context whose sockets it serves (default: {@link Context.default}). */
  context?: Context;
  /**
   * Peer IP addresses to let in: when this list is not empty, every other
   * address is denied.
   */
  allow?: Iterable<string>;
  /** Peer IP addresses to deny (used when no allow list is set). */
  deny?: Iterable<string>;
  /** PLAIN users and their passwords. Without any, PLAIN peers are denied. */
  plain?: Record<string, string> | Map<string, string>;
  /**
   * CURVE client public keys to let in (Z85 text or 32 bytes), or "any" to
   * let in every client that completes the CURVE handshake. Without any,
   * CURVE peers are denied.
   */
  curve?: Iterable<string | Uint8Array> | "any";
  /** Let in peers authenticated by GSSAPI (default: false). */
  gssapi?: boolean;
  /**
   * An extra check, made after the built-in ones passed: return false to
   * deny. If it throws, the peer is denied with status "500".
   */
  authorize?: (request: ZapRequest) => boolean | Promise<boolean>;
  /**
   * Only let in peers of sockets with this ZAP domain; requests for any
   * other domain are denied. Default: every domain.
   */
  domain?: string;
}

/**
 * The event an {@link Authenticator} dispatches ("decision") for every
 * request it answers.
 *
 * @example
 * ```ts
 * import { Authenticator } from "@deno-zmq/zmq";
 * await using auth = new Authenticator({ plain: { admin: "secret" } });
 * auth.addEventListener("decision", (event) => {
 *   const { request, allowed, statusText } = event.decision;
 *   console.log(request.address, request.mechanism, allowed, statusText);
 * });
 * ```
 */
export class ZapDecisionEvent extends Event {
  /** The decision. */
  readonly decision: ZapDecision;

  /**
   * Creates the event (done by the authenticator).
   *
   * @example
   * ```ts
   * import { ZapDecisionEvent } from "@deno-zmq/zmq";
   * new ZapDecisionEvent({
   *   request: {
   *     domain: "", address: "127.0.0.1", identity: new Uint8Array(),
   *     mechanism: "NULL", credentials: [], requestId: new Uint8Array([1]),
   *   },
   *   allowed: true, status: "200", statusText: "OK", userId: "",
   * });
   * ```
   */
  constructor(decision: ZapDecision) {
    super("decision");
    this.decision = decision;
  }
}

function strings(what: string, values: Iterable<string>): string[] {
  if (
    values === null || typeof values !== "object" ||
    typeof (values as Iterable<string>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`${what} expects a list of strings`);
  }
  const out = [...values];
  for (const value of out) {
    if (typeof value !== "string") {
      throw new TypeError(`${what} expects strings, got ${typeof value}`);
    }
  }
  return out;
}

/** A CURVE public key as Z85, checked: 40 Z85 characters or 32 bytes. */
function curveKey(key: string | Uint8Array): string {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) {
      throw new RangeError(
        `A CURVE public key has 32 bytes, got ${key.length}`,
      );
    }
    return z85Encode(key);
  }
  if (typeof key !== "string") {
    throw new TypeError("A CURVE public key is a Z85 string or 32 bytes");
  }
  if (key.length !== 40) {
    throw new RangeError(
      `A Z85 CURVE public key has 40 characters, got ${key.length}`,
    );
  }
  z85Decode(key); // a RangeError naming the bad character
  return key;
}

/**
 * A ZAP authenticator (ZeroMQ RFC 27, like CZMQ's zauth): a ROUTER bound on
 * `inproc://zeromq.zap.01` in a context that decides, for the sockets of that
 * context, which peers may connect. Rules, in order:
 *
 * 0. with the `domain` option, requests for other ZAP domains are refused;
 * 1. the peer's IP address: if an allow list is set, only those; otherwise
 *    addresses on the deny list are refused;
 * 2. the mechanism: NULL passes; PLAIN needs a known user and its password;
 *    CURVE needs an allowed public key (or `curve: "any"`); GSSAPI needs
 *    `gssapi: true`;
 * 3. the `authorize` callback, if given, has the last word.
 *
 * Server sockets ask it during handshakes when they use PLAIN
 * (`plainServer`) or CURVE (`curveServer`), or NULL with a `zapDomain` set.
 * Security handshakes run on tcp and ipc, not inproc (libzmq connects inproc
 * peers directly). One authenticator per context.
 *
 * @example PLAIN users and passwords
 * ```ts
 * import { Authenticator, Pull, Push } from "@deno-zmq/zmq";
 *
 * await using auth = new Authenticator({ plain: { admin: "secret" } });
 * await auth.start();
 * using server = new Pull({ plainServer: true });
 * await server.bind("tcp://127.0.0.1:*");
 * using client = new Push({ plainUsername: "admin", plainPassword: "secret" });
 * client.connect(server.lastEndpoint);
 * await client.send("let me in");
 * console.log(await server.receive());
 * ```
 */
export class Authenticator extends EventHub<{ decision: ZapDecisionEvent }> {
  /** The context whose sockets it serves. */
  readonly context: Context;
  readonly #allow = new Set<string>();
  readonly #deny = new Set<string>();
  readonly #users = new Map<string, string>();
  readonly #curveKeys = new Set<string>();
  #curveAny = false;
  #gssapi = false;
  readonly #authorize?: (request: ZapRequest) => boolean | Promise<boolean>;
  readonly #domain?: string;
  #router: Router | undefined;
  #serving: Promise<void> | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  /**
   * Creates an authenticator; it serves requests once {@link Authenticator.start}ed.
   *
   * @example
   * ```ts
   * import { Authenticator, curveKeyPair } from "@deno-zmq/zmq";
   * const client = curveKeyPair();
   * await using auth = new Authenticator({
   *   deny: ["192.0.2.1"],
   *   curve: [client.publicKey],
   * });
   * ```
   */
  constructor(options: AuthenticatorOptions = {}) {
    super();
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Authenticator options must be an object");
    }
    const context = options.context ?? Context.default;
    if (!(context instanceof Context)) {
      throw new TypeError("The context option must be a Context");
    }
    this.context = context;
    if (options.allow !== undefined) {
      this.allow(...strings("allow", options.allow));
    }
    if (options.deny !== undefined) this.deny(...strings("deny", options.deny));
    if (options.plain !== undefined) {
      const { plain } = options;
      if (typeof plain !== "object" || plain === null) {
        throw new TypeError(
          "plain expects a Record or Map of user names to passwords",
        );
      }
      const entries = plain instanceof Map
        ? [...plain.entries()]
        : Object.entries(plain);
      for (const [name, password] of entries) this.addUser(name, password);
    }
    if (options.curve === "any") this.#curveAny = true;
    else if (options.curve !== undefined) {
      if (
        typeof options.curve !== "object" || options.curve === null ||
        !(Symbol.iterator in options.curve)
      ) {
        throw new TypeError('curve expects a list of public keys or "any"');
      }
      this.allowCurveKey(...options.curve);
    }
    if (options.gssapi !== undefined) {
      if (typeof options.gssapi !== "boolean") {
        throw new TypeError("gssapi expects a boolean");
      }
      this.#gssapi = options.gssapi;
    }
    if (options.authorize !== undefined) {
      if (typeof options.authorize !== "function") {
        throw new TypeError("authorize expects a function");
      }
      this.#authorize = options.authorize;
    }
    if (options.domain !== undefined) {
      if (typeof options.domain !== "string") {
        throw new TypeError("domain expects a string");
      }
      this.#domain = options.domain;
    }
  }

  /** Whether it is serving requests (between start and stop). */
  get running(): boolean {
    return this.#router !== undefined;
  }

  /**
   * Binds `inproc://zeromq.zap.01` in the context and starts answering.
   * Rejects with ZmqError `EADDRINUSE` if another ZAP handler already runs in
   * that context, and with `EBUSY` if this one was started already.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator({ curve: "any" });
   * await auth.start();
   * ```
   */
  async start(): Promise<void> {
    if (this.#router) {
      throw new ZmqError("EBUSY", 0, "The authenticator is already running");
    }
    const router = new Router({ context: this.context, linger: 0 });
    try {
      await router.bind(ZAP_ENDPOINT);
    } catch (err) {
      router.close();
      if (err instanceof ZmqError && err.code === "EADDRINUSE") {
        throw new ZmqError(
          "EADDRINUSE",
          err.errno,
          "Another ZAP authenticator already runs in this context",
          { endpoint: ZAP_ENDPOINT, cause: err },
        );
      }
      throw err;
    }
    this.#router = router;
    this.reopen();
    this.#serving = this.#serve(router);
  }

  /**
   * Stops answering and unbinds; answers still being decided are dropped.
   * Handshakes afterwards go as if there were no ZAP handler (libzmq 4.3
   * then refuses PLAIN peers but lets in any CURVE peer). Stopping twice does
   * nothing.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * const auth = new Authenticator();
   * await auth.start();
   * await auth.stop();
   * ```
   */
  async stop(): Promise<void> {
    const router = this.#router;
    if (!router) return;
    this.#router = undefined;
    // Unbind first: libzmq frees a closed socket's inproc name only later, on
    // its reaper thread, and a new authenticator could not bind meanwhile.
    await router.unbind(ZAP_ENDPOINT).catch(() => {/* context closed */});
    router.close(); // ends the serving loop; answers still under way are dropped
    await this.#serving;
    this.#serving = undefined;
    await Promise.allSettled([...this.#inFlight]);
    this.end();
  }

  /**
   * Same as {@link Authenticator.stop}.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * const auth = new Authenticator();
   * await auth.start();
   * await auth.close();
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }

  /** Same as {@link Authenticator.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Lets in only these IP addresses (and those allowed before).
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator();
   * auth.allow("127.0.0.1", "::1");
   * ```
   */
  allow(...addresses: string[]): this {
    for (const address of strings("allow", addresses)) {
      this.#allow.add(address);
    }
    return this;
  }

  /**
   * Refuses these IP addresses (used when no allow list is set).
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator();
   * auth.deny("192.0.2.7");
   * ```
   */
  deny(...addresses: string[]): this {
    for (const address of strings("deny", addresses)) this.#deny.add(address);
    return this;
  }

  /**
   * Removes addresses from both the allow and the deny list.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator({ deny: ["127.0.0.1"] });
   * auth.forgetAddress("127.0.0.1");
   * ```
   */
  forgetAddress(...addresses: string[]): this {
    for (const address of strings("forgetAddress", addresses)) {
      this.#allow.delete(address);
      this.#deny.delete(address);
    }
    return this;
  }

  /**
   * Adds (or changes the password of) a PLAIN user.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator();
   * auth.addUser("admin", "secret");
   * ```
   */
  addUser(name: string, password: string): this {
    if (typeof name !== "string" || typeof password !== "string") {
      throw new TypeError("PLAIN user names and passwords are strings");
    }
    this.#users.set(name, password);
    return this;
  }

  /**
   * Removes a PLAIN user.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator({ plain: { guest: "guest" } });
   * auth.removeUser("guest");
   * ```
   */
  removeUser(name: string): this {
    this.#users.delete(name);
    return this;
  }

  /**
   * Lets in CURVE clients with these public keys (40 Z85 characters or 32
   * bytes; anything else throws a RangeError or TypeError).
   *
   * @example
   * ```ts
   * import { Authenticator, curveKeyPair } from "@deno-zmq/zmq";
   * await using auth = new Authenticator();
   * auth.allowCurveKey(curveKeyPair().publicKey);
   * ```
   */
  allowCurveKey(...keys: (string | Uint8Array)[]): this {
    const checked = keys.map(curveKey);
    for (const key of checked) this.#curveKeys.add(key);
    return this;
  }

  /**
   * Stops letting in CURVE clients with these public keys.
   *
   * @example
   * ```ts
   * import { Authenticator, curveKeyPair } from "@deno-zmq/zmq";
   * const { publicKey } = curveKeyPair();
   * await using auth = new Authenticator({ curve: [publicKey] });
   * auth.revokeCurveKey(publicKey);
   * ```
   */
  revokeCurveKey(...keys: (string | Uint8Array)[]): this {
    for (const key of keys.map(curveKey)) this.#curveKeys.delete(key);
    return this;
  }

  /**
   * Whether any CURVE client that completes the handshake is let in
   * (`curve: "any"`), rather than only the allowed keys.
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator();
   * auth.curveAny = true;
   * ```
   */
  get curveAny(): boolean {
    return this.#curveAny;
  }
  set curveAny(any: boolean) {
    if (typeof any !== "boolean") throw new TypeError("curveAny is a boolean");
    this.#curveAny = any;
  }

  /**
   * Decides about one request, as the authenticator does for libzmq (also
   * useful to test rules without sockets).
   *
   * @example
   * ```ts
   * import { Authenticator } from "@deno-zmq/zmq";
   * await using auth = new Authenticator({ deny: ["192.0.2.7"] });
   * const decision = await auth.decide({
   *   domain: "", address: "192.0.2.7", identity: new Uint8Array(),
   *   mechanism: "NULL", credentials: [], requestId: new Uint8Array([1]),
   * });
   * console.log(decision.allowed, decision.statusText); // false "Address denied"
   * ```
   */
  async decide(request: ZapRequest): Promise<ZapDecision> {
    const answer = (
      status: ZapDecision["status"],
      statusText: string,
      userId = "",
    ): ZapDecision => ({
      request,
      allowed: status === "200",
      status,
      statusText,
      userId,
    });
    if (this.#domain !== undefined && request.domain !== this.#domain) {
      return answer("400", "Domain not served");
    }
    if (this.#allow.size > 0) {
      if (!this.#allow.has(request.address)) {
        return answer("400", "Address not allowed");
      }
    } else if (this.#deny.has(request.address)) {
      return answer("400", "Address denied");
    }
    let userId = "";
    switch (request.mechanism) {
      case "NULL":
        break;
      case "PLAIN": {
        const expected = request.username === undefined
          ? undefined
          : this.#users.get(request.username);
        if (expected === undefined) return answer("400", "Unknown user");
        if (expected !== request.password) {
          return answer("400", "Wrong password");
        }
        userId = request.username!;
        break;
      }
      case "CURVE":
        if (
          request.publicKey === undefined ||
          !(this.#curveAny || this.#curveKeys.has(request.publicKey))
        ) {
          return answer("400", "Unknown public key");
        }
        userId = request.publicKey;
        break;
      case "GSSAPI":
        if (!this.#gssapi) return answer("400", "GSSAPI not allowed");
        userId = request.principal ?? "";
        break;
      default:
        return answer("400", `Unknown mechanism ${request.mechanism}`);
    }
    if (this.#authorize) {
      let verdict: boolean;
      try {
        verdict = await this.#authorize(request);
      } catch {
        return answer("500", "The authorize callback failed");
      }
      if (verdict !== true) return answer("400", "Denied by authorize");
    }
    return answer("200", "OK", userId);
  }

  async #serve(router: Router): Promise<void> {
    for await (const frames of router) {
      const handling = this.#answer(router, frames);
      this.#inFlight.add(handling);
      void handling.finally(() => this.#inFlight.delete(handling));
    }
  }

  async #answer(router: Router, frames: Uint8Array[]): Promise<void> {
    const parsed = parseZapRequest(frames);
    if (parsed.kind === "ignored") return; // not a request: no way to answer
    const reply = (status: string, text: string, userId?: string) =>
      router.send(
        zapReply(
          parsed.routingId,
          parsed.kind === "request"
            ? parsed.request.requestId
            : parsed.requestId,
          status,
          text,
          userId,
        ),
      ).catch(() => {/* closed meanwhile: the peer is gone anyway */});
    if (parsed.kind === "malformed") {
      await reply("500", "Malformed ZAP request");
      return;
    }
    const decision = await this.decide(parsed.request);
    await reply(decision.status, decision.statusText, decision.userId);
    this.emit(new ZapDecisionEvent(decision));
  }
}
