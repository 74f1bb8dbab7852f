/**
 * The Zyre node: discovery by UDP beacons, a ROUTER inbox, one DEALER per
 * peer, groups, WHISPER and SHOUT, and heartbeating (ZRE v2, 36/ZRE).
 *
 * @module
 */

import { Context } from "../context.ts";
import { EventHub } from "../event_hub.ts";
import { Router } from "../sockets.ts";
import { Beacon, type BeaconData, ZRE_DISCOVERY_PORT } from "./beacon.ts";
import { decodeMessage, ZreDecodeError, type ZreMessage } from "./codec.ts";
import { type OutgoingMessage, ZrePeer } from "./peer.ts";

/** Kinds of events a {@link Zyre} node emits. */
export type ZyreEventKind =
  | "ENTER"
  | "EXIT"
  | "JOIN"
  | "LEAVE"
  | "WHISPER"
  | "SHOUT"
  | "EVASIVE"
  | "SILENT"
  | "DROP"
  | "STOP";

/** What a {@link ZyreEvent} carries, depending on its kind. */
export interface ZyreEventDetail {
  /** The event kind, in uppercase as in C zyre. */
  kind: ZyreEventKind;
  /** UUID of the peer (own UUID for STOP), 32 uppercase hexadecimal digits. */
  peerId: string;
  /** Name of the peer (own name for STOP). */
  peerName: string;
  /** ENTER: the endpoint the peer announced in its HELLO. */
  peerAddress?: string;
  /** ENTER: the peer's headers. */
  headers?: Record<string, string>;
  /** JOIN, LEAVE, SHOUT: the group. */
  group?: string;
  /** WHISPER, SHOUT: the message frames. */
  message?: Uint8Array[];
  /** DROP: why the peer (or its beacons) was refused. */
  reason?: string;
}

/**
 * An event of a {@link Zyre} node. Its `type` is the kind in lowercase
 * ("enter", "whisper", ...) for `addEventListener`; the same fields are on
 * the event and in `detail`, as with a `CustomEvent`.
 *
 * @example
 * ```ts
 * import { ZyreEvent } from "./node.ts";
 * const event = new ZyreEvent({ kind: "JOIN", peerId: "00", peerName: "a", group: "chat" });
 * console.log(event.type, event.kind, event.detail.group); // join JOIN chat
 * ```
 */
export class ZyreEvent extends Event {
  /** The event kind, in uppercase. */
  readonly kind: ZyreEventKind;
  /** UUID of the peer (own UUID for STOP). */
  readonly peerId: string;
  /** Name of the peer (own name for STOP). */
  readonly peerName: string;
  /** ENTER: the endpoint the peer announced. */
  readonly peerAddress?: string;
  /** ENTER: the peer's headers. */
  readonly headers?: Record<string, string>;
  /** JOIN, LEAVE, SHOUT: the group. */
  readonly group?: string;
  /** WHISPER, SHOUT: the message frames. */
  readonly message?: Uint8Array[];
  /** DROP: why the peer (or its beacons) was refused. */
  readonly reason?: string;
  /** All of the above as one object. */
  readonly detail: ZyreEventDetail;

  /**
   * Creates an event from its detail.
   *
   * @example
   * ```ts
   * import { ZyreEvent } from "./node.ts";
   * const event = new ZyreEvent({ kind: "STOP", peerId: "00", peerName: "me" });
   * console.log(event.type); // "stop"
   * ```
   */
  constructor(detail: ZyreEventDetail) {
    super(detail.kind.toLowerCase());
    this.detail = detail;
    this.kind = detail.kind;
    this.peerId = detail.peerId;
    this.peerName = detail.peerName;
    if (detail.peerAddress !== undefined) this.peerAddress = detail.peerAddress;
    if (detail.headers !== undefined) this.headers = detail.headers;
    if (detail.group !== undefined) this.group = detail.group;
    if (detail.message !== undefined) this.message = detail.message;
    if (detail.reason !== undefined) this.reason = detail.reason;
  }
}

/** Event names accepted by {@link Zyre.addEventListener}. */
export type ZyreEventType = Lowercase<ZyreEventKind>;

/** Options of a {@link Zyre} node. */
export interface ZyreOptions {
  /** Public name (default: the first 6 hex digits of the UUID). */
  name?: string;
  /** Headers sent to peers in HELLO. */
  headers?: Record<string, string>;
  /** UDP beacon port (default 5670). */
  port?: number;
  /** Milliseconds between beacons (default 1000). */
  interval?: number;
  /** Address beacons are sent to (default "255.255.255.255"). */
  beaconAddress?: string;
  /**
   * Address of the interface the inbox binds to and announces. Default:
   * "127.0.0.1" when the beacon address is a loopback one, else the first
   * non-internal IPv4 address (needs `--allow-sys`), else "0.0.0.0".
   */
  interfaceAddress?: string;
  /** Milliseconds of silence before a peer is evasive: PING, EVASIVE (default 5000). */
  evasiveTimeout?: number;
  /** Milliseconds of silence before a peer is gone: EXIT (default 30000). */
  expiredTimeout?: number;
  /** The context of the node's sockets (default: {@link Context.default}). */
  context?: Context;
  /** Linger period of the peer mailboxes in ms (default 100). */
  linger?: number;
  /**
   * Most peers known at once, counting those only heard by beacon (default
   * 512). Each is a DEALER socket of the node's context, and libzmq's default
   * limit is 1023 sockets per context. When full, beacons of new peers are
   * ignored, and the HELLO of a new peer takes the place of the oldest peer
   * that has not sent its HELLO; a DROP event says so.
   */
  maxPeers?: number;
  /**
   * Largest headers a peer may announce in HELLO, in UTF-8 bytes of keys and
   * values (default 65536). A larger HELLO is refused with a DROP event.
   */
  maxHeaderBytes?: number;
  /**
   * Most groups a peer may be in (default 1024): a HELLO or JOIN beyond it
   * drops the peer, with a DROP event.
   */
  maxGroups?: number;
  /**
   * Largest frame the inbox accepts, in bytes (libzmq's `maxMessageSize`;
   * default -1, no limit, as in C zyre). A peer sending a larger frame is
   * disconnected by libzmq before the frame is read: set it on networks with
   * untrusted peers, since libzmq otherwise reserves whatever size a frame
   * header announces.
   */
  maxMessageSize?: number;
}

/**
 * Defaults of the limits of {@link ZyreOptions}, which bound what hostile
 * peers can make a node hold.
 *
 * @example
 * ```ts
 * import { ZYRE_LIMITS } from "./node.ts";
 * console.log(ZYRE_LIMITS.maxPeers); // 512
 * ```
 */
export const ZYRE_LIMITS = {
  maxPeers: 512,
  maxHeaderBytes: 65536,
  maxGroups: 1024,
} as const;

/** Message content: one frame, or several (strings are sent as UTF-8). */
export type ZyreFrames = string | Uint8Array | readonly (string | Uint8Array)[];

const encoder = new TextEncoder();

/** Command id of GOODBYE, which C zyre sends on stop in gossip mode. */
const GOODBYE = 10;

function toFrames(frames: ZyreFrames): Uint8Array[] {
  const list = Array.isArray(frames) ? frames : [frames];
  return list.map((frame) => {
    if (typeof frame === "string") return encoder.encode(frame);
    if (frame instanceof Uint8Array) return frame;
    throw new TypeError("Message frames must be strings or Uint8Arrays");
  });
}

function limit(value: number | undefined, fallback: number, name: string) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Zyre option ${name} must be a positive integer`);
  }
  return value;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out.toUpperCase();
}

function checkGroup(group: string): void {
  if (typeof group !== "string") {
    throw new TypeError("A group name must be a string");
  }
  if (encoder.encode(group).length > 255) {
    throw new RangeError("A group name is at most 255 UTF-8 bytes");
  }
}

function defaultInterface(beaconAddress: string): string {
  if (beaconAddress.startsWith("127.")) return "127.0.0.1";
  try {
    for (const nic of Deno.networkInterfaces()) {
      if (nic.family === "IPv4" && !nic.address.startsWith("127.")) {
        return nic.address;
      }
    }
  } catch { /* no sys permission */ }
  return "0.0.0.0";
}

type State = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * A Zyre node (ZRE v2): finds peers on the local network by UDP beacons,
 * keeps them in groups, and exchanges multipart WHISPER (to one peer) and
 * SHOUT (to a group) messages with them. Events come both as an
 * `EventTarget` (`"enter"`, `"whisper"`, ...) and as an async iterator.
 *
 * @example Two nodes on loopback
 * ```ts ignore
 * import { Zyre } from "@deno-zmq/zmq/zyre";
 *
 * const options = { port: 5671, beaconAddress: "127.255.255.255", interval: 100 };
 * await using a = new Zyre({ ...options, name: "a" });
 * await using b = new Zyre({ ...options, name: "b" });
 * a.addEventListener("enter", (e) => a.whisper(e.peerId, ["hello", "world"]));
 * await a.start();
 * await b.start();
 * for await (const event of b) {
 *   if (event.kind === "WHISPER") {
 *     console.log(event.peerName, event.message!.length); // a 2
 *     break;
 *   }
 * }
 * ```
 */
export class Zyre extends EventHub<Record<ZyreEventType, ZyreEvent>> {
  /** UUID as 32 uppercase hexadecimal digits. */
  readonly uuid: string;
  /** Public name. */
  readonly name: string;
  readonly #uuidBytes: Uint8Array;
  readonly #headers: Record<string, string>;
  readonly #beaconPort: number;
  readonly #interval: number;
  readonly #beaconAddress: string;
  readonly #interface: string;
  readonly #evasiveTimeout: number;
  readonly #expiredTimeout: number;
  readonly #context: Context;
  readonly #linger: number;
  readonly #maxPeers: number;
  readonly #maxHeaderBytes: number;
  readonly #maxGroups: number;
  readonly #maxMessageSize: number;
  // Beacons of new peers ignored since the last reap (table full).
  #beaconsRefused = 0;
  #state: State = "new";
  #inbox?: Router;
  #inboxLoop?: Promise<void>;
  #beacon?: Beacon;
  #reaper?: ReturnType<typeof setInterval>;
  #endpoint = "";
  #status = 0;
  readonly #ownGroups = new Set<string>();
  readonly #peers = new Map<string, ZrePeer>();
  readonly #groups = new Map<string, Set<string>>();
  #stopping?: Promise<void>;

  /**
   * Creates a node; it does nothing until {@link Zyre.start}.
   *
   * @example
   * ```ts
   * import { Zyre } from "@deno-zmq/zmq/zyre";
   * const node = new Zyre({ name: "example", headers: { "X-ROLE": "demo" } });
   * console.log(node.name, node.uuid.length); // example 32
   * ```
   */
  constructor(options: ZyreOptions = {}) {
    super();
    this.#uuidBytes = crypto.getRandomValues(new Uint8Array(16));
    this.uuid = hex(this.#uuidBytes);
    this.name = options.name ?? this.uuid.slice(0, 6);
    if (encoder.encode(this.name).length > 255) {
      throw new RangeError("A node name is at most 255 UTF-8 bytes");
    }
    this.#headers = { ...(options.headers ?? {}) };
    this.#beaconPort = options.port ?? ZRE_DISCOVERY_PORT;
    this.#interval = options.interval ?? 1000;
    this.#beaconAddress = options.beaconAddress ?? "255.255.255.255";
    this.#interface = options.interfaceAddress ??
      defaultInterface(this.#beaconAddress);
    this.#evasiveTimeout = options.evasiveTimeout ?? 5000;
    this.#expiredTimeout = options.expiredTimeout ?? 30000;
    this.#context = options.context ?? Context.default;
    this.#linger = options.linger ?? 100;
    this.#maxPeers = limit(options.maxPeers, ZYRE_LIMITS.maxPeers, "maxPeers");
    this.#maxHeaderBytes = limit(
      options.maxHeaderBytes,
      ZYRE_LIMITS.maxHeaderBytes,
      "maxHeaderBytes",
    );
    this.#maxGroups = limit(
      options.maxGroups,
      ZYRE_LIMITS.maxGroups,
      "maxGroups",
    );
    this.#maxMessageSize = options.maxMessageSize ?? -1;
  }

  /**
   * The endpoint of this node's inbox, once started.
   *
   * @example
   * ```ts ignore
   * await node.start();
   * console.log(node.endpoint); // e.g. "tcp://127.0.0.1:41233"
   * ```
   */
  get endpoint(): string {
    return this.#endpoint;
  }

  /**
   * Binds the inbox on an ephemeral TCP port of the interface, then starts
   * beaconing and listening for beacons.
   *
   * @example
   * ```ts ignore
   * await node.start();
   * ```
   */
  async start(): Promise<void> {
    if (this.#state !== "new") {
      throw new Error(`Zyre node cannot start: it is ${this.#state}`);
    }
    this.#state = "starting";
    const inbox = new Router({
      context: this.#context,
      routerHandover: true,
      linger: 0,
      maxMessageSize: this.#maxMessageSize,
      // A connection that has not finished its ZMTP handshake by the time a
      // silent peer would expire is dropped (libzmq's default: 30 s).
      handshakeInterval: this.#expiredTimeout,
    });
    try {
      await inbox.bind(`tcp://${this.#interface}:*`);
      const endpoint = inbox.lastEndpoint;
      const port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
      this.#endpoint = this.#interface === "0.0.0.0"
        ? `tcp://127.0.0.1:${port}`
        : endpoint;
      this.#inbox = inbox;
      this.#beacon = new Beacon({
        uuid: this.#uuidBytes,
        port: this.#beaconPort,
        address: this.#beaconAddress,
        interval: this.#interval,
      }, (data, address) => this.#onBeacon(data, address));
      await this.#beacon.start(port);
    } catch (err) {
      inbox.close();
      this.#inbox = undefined;
      this.#beacon = undefined;
      this.#state = "stopped";
      this.end();
      throw err;
    }
    this.#state = "running";
    this.#inboxLoop = this.#receiveLoop(inbox);
    const reap = Math.max(
      10,
      Math.min(this.#evasiveTimeout, this.#expiredTimeout, 1000),
    );
    this.#reaper = setInterval(() => this.#reap(), reap);
  }

  /**
   * Stops the node: sends a last beacon with port 0 (peers see EXIT), closes
   * every socket and emits STOP, which ends the event iterators.
   *
   * @example
   * ```ts ignore
   * await node.stop();
   * ```
   */
  stop(): Promise<void> {
    return this.#stopping ??= this.#stop();
  }

  async #stop(): Promise<void> {
    const wasRunning = this.#state === "running";
    this.#state = "stopping";
    clearInterval(this.#reaper);
    this.#reaper = undefined;
    if (wasRunning) {
      try {
        await this.#beacon?.stop();
      } catch { /* the socket is closed either way */ }
      for (const peer of this.#peers.values()) peer.close();
      this.#peers.clear();
      this.#groups.clear();
      this.#inbox?.close();
      await this.#inboxLoop;
    }
    this.#state = "stopped";
    this.#emit({ kind: "STOP", peerId: this.uuid, peerName: this.name });
    this.end();
  }

  /** Stops the node, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Joins a group: peers are told with JOIN and SHOUTs to it reach this node.
   *
   * @example
   * ```ts ignore
   * node.join("GLOBAL");
   * ```
   */
  join(group: string): void {
    checkGroup(group);
    if (this.#ownGroups.has(group)) return;
    this.#ownGroups.add(group);
    this.#status = (this.#status + 1) & 0xff;
    this.#sendAll({ command: "JOIN", group, status: this.#status });
  }

  /**
   * Leaves a group; peers are told with LEAVE.
   *
   * @example
   * ```ts ignore
   * node.leave("GLOBAL");
   * ```
   */
  leave(group: string): void {
    checkGroup(group);
    if (!this.#ownGroups.delete(group)) return;
    this.#status = (this.#status + 1) & 0xff;
    this.#sendAll({ command: "LEAVE", group, status: this.#status });
  }

  /**
   * Sends a multipart message to one peer. Returns false if the peer is not
   * known (the message is dropped, as in C zyre).
   *
   * @example
   * ```ts ignore
   * node.whisper(peerId, ["hello", new Uint8Array([1, 2, 3])]);
   * ```
   */
  whisper(peerId: string, frames: ZyreFrames): boolean {
    const content = toFrames(frames);
    const peer = this.#peers.get(peerId);
    if (!peer || !peer.ready) return false;
    peer.send({ command: "WHISPER", content });
    return true;
  }

  /**
   * Sends a multipart message to every peer in a group; returns how many
   * peers it went to.
   *
   * @example
   * ```ts ignore
   * node.shout("GLOBAL", "hello everyone");
   * ```
   */
  shout(group: string, frames: ZyreFrames): number {
    checkGroup(group);
    const content = toFrames(frames);
    let sent = 0;
    for (const id of this.#groups.get(group) ?? []) {
      const peer = this.#peers.get(id);
      if (peer?.ready) {
        peer.send({ command: "SHOUT", group, content });
        sent++;
      }
    }
    return sent;
  }

  /**
   * Ids of the peers this node knows (those whose HELLO arrived).
   *
   * @example
   * ```ts ignore
   * console.log(node.peers());
   * ```
   */
  peers(): string[] {
    return [...this.#peers.values()].filter((p) => p.ready).map((p) => p.id);
  }

  /**
   * Ids of the peers in a group.
   *
   * @example
   * ```ts ignore
   * console.log(node.peersByGroup("GLOBAL"));
   * ```
   */
  peersByGroup(group: string): string[] {
    return [...(this.#groups.get(group) ?? [])];
  }

  /**
   * Groups this node is in.
   *
   * @example
   * ```ts ignore
   * node.join("A");
   * console.log(node.ownGroups()); // ["A"]
   * ```
   */
  ownGroups(): string[] {
    return [...this.#ownGroups];
  }

  /**
   * Groups that at least one known peer is in.
   *
   * @example
   * ```ts ignore
   * console.log(node.peerGroups());
   * ```
   */
  peerGroups(): string[] {
    return [...this.#groups.keys()];
  }

  /**
   * A header a peer sent in its HELLO, or undefined.
   *
   * @example
   * ```ts ignore
   * console.log(node.peerHeader(peerId, "X-ROLE"));
   * ```
   */
  peerHeader(peerId: string, key: string): string | undefined {
    const peer = this.#peers.get(peerId);
    if (!peer?.ready || !Object.hasOwn(peer.headers, key)) return undefined;
    return peer.headers[key];
  }

  /**
   * The endpoint this node's mailbox for a peer is connected to, or undefined.
   *
   * @example
   * ```ts ignore
   * console.log(node.peerAddress(peerId)); // e.g. "tcp://127.0.0.1:41233"
   * ```
   */
  peerAddress(peerId: string): string | undefined {
    const peer = this.#peers.get(peerId);
    return peer?.ready ? peer.endpoint : undefined;
  }

  /**
   * The name of a peer, or undefined.
   *
   * @example
   * ```ts ignore
   * console.log(node.peerName(peerId));
   * ```
   */
  peerName(peerId: string): string | undefined {
    const peer = this.#peers.get(peerId);
    return peer?.ready ? peer.name : undefined;
  }

  /**
   * Iterates over the events emitted from now on; ends after STOP.
   * Each iterator gets every event (they are queued until read).
   *
   * @example
   * ```ts ignore
   * for await (const event of node.events()) {
   *   console.log(event.kind, event.peerName);
   * }
   * ```
   */
  events(): AsyncIterableIterator<ZyreEvent> {
    return this[Symbol.asyncIterator]();
  }

  // ---- internals ------------------------------------------------------------

  #emit(detail: ZyreEventDetail): void {
    this.emit(new ZyreEvent(detail));
  }

  #sendAll(message: OutgoingMessage): void {
    for (const peer of this.#peers.values()) peer.send(message);
  }

  #onBeacon(data: BeaconData, address: string): void {
    if (this.#state !== "running") return;
    const id = hex(data.uuid);
    if (data.port === 0) {
      const peer = this.#peers.get(id);
      if (peer) this.#removePeer(peer);
      return;
    }
    if (!this.#peers.has(id) && this.#peers.size >= this.#maxPeers) {
      this.#beaconsRefused++; // reported once per reap round
      return;
    }
    const peer = this.#requirePeer(id, `tcp://${address}:${data.port}`);
    peer?.refresh(this.#evasiveTimeout, this.#expiredTimeout);
  }

  /** Why a HELLO is refused, or null when it is within the limits. */
  #refusal(message: Extract<ZreMessage, { command: "HELLO" }>): string | null {
    let bytes = 0;
    for (const [key, value] of Object.entries(message.headers)) {
      bytes += encoder.encode(key).length + encoder.encode(value).length;
    }
    if (bytes > this.#maxHeaderBytes) {
      return `HELLO headers of ${bytes} bytes, over maxHeaderBytes (${this.#maxHeaderBytes})`;
    }
    const groups = new Set(message.groups).size;
    if (groups > this.#maxGroups) {
      return `HELLO with ${groups} groups, over maxGroups (${this.#maxGroups})`;
    }
    return null;
  }

  #drop(peerId: string, peerName: string, reason: string): void {
    this.#emit({ kind: "DROP", peerId, peerName, reason });
  }

  /** Room for one more peer: the oldest one without HELLO makes way if needed. */
  #makeRoom(): boolean {
    if (this.#peers.size < this.#maxPeers) return true;
    for (const peer of this.#peers.values()) {
      if (!peer.ready) {
        this.#removePeer(peer);
        return true;
      }
    }
    return false;
  }

  /** Finds or creates a peer; a new one gets our HELLO at once. */
  #requirePeer(id: string, endpoint: string): ZrePeer | undefined {
    const known = this.#peers.get(id);
    if (known) return known;
    // A peer restarted at the same endpoint under a new UUID replaces the old one.
    for (const other of [...this.#peers.values()]) {
      if (other.endpoint === endpoint) this.#removePeer(other);
    }
    let peer: ZrePeer;
    try {
      peer = new ZrePeer(id, {
        context: this.#context,
        ownUuid: this.#uuidBytes,
        endpoint,
        hwm: Math.min(this.#expiredTimeout * 100, 1_000_000),
        linger: this.#linger,
      });
    } catch {
      return undefined; // an endpoint libzmq refuses
    }
    this.#peers.set(id, peer);
    peer.send({
      command: "HELLO",
      endpoint: this.#endpoint,
      groups: [...this.#ownGroups],
      status: this.#status,
      name: this.name,
      headers: this.#headers,
    });
    peer.refresh(this.#evasiveTimeout, this.#expiredTimeout);
    return peer;
  }

  #removePeer(peer: ZrePeer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    for (const [group, members] of this.#groups) {
      members.delete(peer.id);
      if (members.size === 0) this.#groups.delete(group);
    }
    peer.close();
    if (peer.ready) {
      this.#emit({ kind: "EXIT", peerId: peer.id, peerName: peer.name });
    }
  }

  async #receiveLoop(inbox: Router): Promise<void> {
    try {
      for await (const frames of inbox) {
        if (this.#state !== "running") break;
        this.#onMessage(frames);
      }
    } catch {
      // The inbox failed: nothing more can be received; stop() cleans up.
    }
  }

  #onMessage(frames: Uint8Array[]): void {
    const identity = frames[0];
    if (frames.length < 2 || identity.length !== 17 || identity[0] !== 1) {
      return;
    }
    const id = hex(identity.subarray(1));
    if (id === this.uuid) return;
    let peer = this.#peers.get(id);
    let message: ZreMessage;
    try {
      message = decodeMessage(frames.slice(1));
    } catch (err) {
      if (!(err instanceof ZreDecodeError) || err.reason === "signature") {
        return; // not ZRE at all: discarded silently
      }
      if (!peer?.ready) return;
      if (err.reason === "command" && err.sequence !== undefined) {
        // A command of a later ZRE revision (ELECT, LEADER, GOODBYE): it
        // still counts in the sequence.
        peer.wantSequence = (peer.wantSequence + 1) & 0xffff;
        if (peer.wantSequence !== err.sequence || err.commandId === GOODBYE) {
          // GOODBYE (C zyre, gossip mode) means the peer leaves.
          this.#removePeer(peer);
        } else peer.refresh(this.#evasiveTimeout, this.#expiredTimeout);
        return;
      }
      this.#removePeer(peer); // malformed: the peer is invalid
      return;
    }
    if (message.command === "HELLO") {
      const refusal = this.#refusal(message);
      if (refusal !== null) {
        if (peer) this.#removePeer(peer);
        this.#drop(id, message.name, refusal);
        return;
      }
      if (peer?.ready) {
        this.#removePeer(peer); // a second HELLO: the old peer is obsolete
        peer = undefined;
      }
      if (!peer && !this.#makeRoom()) {
        this.#drop(
          id,
          message.name,
          `peer table full (maxPeers ${this.#maxPeers})`,
        );
        return;
      }
      peer = this.#requirePeer(id, message.endpoint);
      if (!peer) return;
      peer.ready = true;
      peer.wantSequence = 0;
    }
    if (!peer?.ready) return; // commands before HELLO are ignored
    const want = message.command === "HELLO"
      ? 1
      : (peer.wantSequence + 1) & 0xffff;
    peer.wantSequence = want;
    if (message.sequence !== want) {
      this.#removePeer(peer); // lost messages: the peer is invalid
      return;
    }
    const who = { peerId: id, peerName: peer.name };
    switch (message.command) {
      case "HELLO":
        peer.name = message.name;
        peer.headers = message.headers;
        who.peerName = peer.name;
        this.#emit({
          kind: "ENTER",
          ...who,
          headers: message.headers,
          peerAddress: message.endpoint,
        });
        for (const group of message.groups) this.#joinPeer(peer, group);
        peer.status = message.status;
        break;
      case "WHISPER":
        this.#emit({ kind: "WHISPER", ...who, message: message.content });
        break;
      case "SHOUT":
        this.#emit({
          kind: "SHOUT",
          ...who,
          group: message.group,
          message: message.content,
        });
        break;
      case "JOIN":
        this.#joinPeer(peer, message.group);
        peer.status = message.status;
        break;
      case "LEAVE": {
        const members = this.#groups.get(message.group);
        if (members?.delete(id)) {
          peer.groups--;
          if (members.size === 0) this.#groups.delete(message.group);
          this.#emit({ kind: "LEAVE", ...who, group: message.group });
        }
        peer.status = message.status;
        break;
      }
      case "PING":
        peer.send({ command: "PING_OK" });
        break;
      case "PING_OK":
        break;
    }
    // The peer may have been removed by a listener (stop()).
    if (this.#peers.get(id) === peer) {
      peer.refresh(this.#evasiveTimeout, this.#expiredTimeout);
    }
  }

  #joinPeer(peer: ZrePeer, group: string): void {
    let members = this.#groups.get(group);
    if (members?.has(peer.id)) return;
    if (peer.groups >= this.#maxGroups) {
      this.#removePeer(peer);
      this.#drop(
        peer.id,
        peer.name,
        `joined more than maxGroups (${this.#maxGroups}) groups`,
      );
      return;
    }
    if (!members) this.#groups.set(group, members = new Set());
    members.add(peer.id);
    peer.groups++;
    this.#emit({
      kind: "JOIN",
      peerId: peer.id,
      peerName: peer.name,
      group,
    });
  }

  /** Pings evasive peers, reports silent ones and removes expired ones. */
  #reap(): void {
    if (this.#state !== "running") return;
    const now = performance.now();
    if (this.#beaconsRefused > 0) {
      const reason = `peer table full (maxPeers ${this.#maxPeers}): ` +
        `${this.#beaconsRefused} beacons of new peers ignored`;
      this.#beaconsRefused = 0;
      this.#drop("", "", reason);
    }
    for (const peer of [...this.#peers.values()]) {
      if (now >= peer.expiredAt) {
        this.#removePeer(peer);
      } else if (now >= peer.evasiveAt) {
        peer.send({ command: "PING" });
        if (!peer.ready) continue;
        if (!peer.evasive) {
          peer.evasive = true;
          this.#emit({ kind: "EVASIVE", peerId: peer.id, peerName: peer.name });
        } else if (!peer.silent) {
          // No answer to the PING of the previous round either.
          peer.silent = true;
          this.#emit({ kind: "SILENT", peerId: peer.id, peerName: peer.name });
        }
      }
    }
  }
}
