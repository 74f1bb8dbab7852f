/**
 * One remote ZRE node as seen by a local node: its outgoing DEALER mailbox,
 * sequence numbers, liveness timers and the properties from its HELLO.
 *
 * @module
 */

import type { Context } from "../context.ts";
import { Dealer } from "../sockets.ts";
import { encodeMessage, type ZreMessage } from "./codec.ts";

/** Distributes `Omit` over a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K>
  : never;

/** A ZRE message before the peer gives it its sequence number. */
export type OutgoingMessage = DistributiveOmit<ZreMessage, "sequence">;

/**
 * A remote node. Created on its first beacon or HELLO; ready (and announced
 * with ENTER) once its HELLO arrived.
 *
 * @example
 * ```ts ignore
 * import { ZrePeer } from "./peer.ts";
 * const peer = new ZrePeer(uuid, { context, ownUuid, endpoint: "tcp://127.0.0.1:5000", hwm: 3000 });
 * peer.send({ command: "PING" });
 * peer.close();
 * ```
 */
export class ZrePeer {
  /** The peer's UUID as 32 uppercase hexadecimal digits. */
  readonly id: string;
  /** The endpoint its mailbox was connected to. */
  readonly endpoint: string;
  /** Name from its HELLO. */
  name = "";
  /** Headers from its HELLO. */
  headers: Record<string, string> = {};
  /** Group status sequence it announced last. */
  status = 0;
  /** How many groups it is in. */
  groups = 0;
  /** Whether its HELLO was received. */
  ready = false;
  /** Sequence number of the last message sent to it. */
  sentSequence = 0;
  /** Sequence number of the last message received from it. */
  wantSequence = 0;
  /** When it becomes evasive (performance.now() ms). */
  evasiveAt = 0;
  /** When it expires (performance.now() ms). */
  expiredAt = 0;
  /** Whether EVASIVE was reported for the current silence. */
  evasive = false;
  /** Whether SILENT was reported for the current silence. */
  silent = false;
  readonly #mailbox: Dealer;
  #connected = true;

  /**
   * Creates the peer's DEALER mailbox with identity 0x01 + own UUID and
   * connects it to the peer's endpoint.
   *
   * @example
   * ```ts ignore
   * const peer = new ZrePeer("00112233445566778899AABBCCDDEEFF", { context, ownUuid, endpoint, hwm: 3000 });
   * ```
   */
  constructor(
    id: string,
    options: {
      context: Context;
      ownUuid: Uint8Array;
      endpoint: string;
      hwm: number;
      linger: number;
    },
  ) {
    this.id = id;
    this.endpoint = options.endpoint;
    const routingId = new Uint8Array(17);
    routingId[0] = 1;
    routingId.set(options.ownUuid, 1);
    this.#mailbox = new Dealer({
      context: options.context,
      routingId,
      sendHighWaterMark: options.hwm,
      linger: options.linger,
    });
    try {
      this.#mailbox.connect(options.endpoint);
    } catch (err) {
      this.#mailbox.close();
      throw err;
    }
  }

  /** Whether messages can still be sent to the peer. */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Sends a message with the next sequence number. Sending never waits for
   * the peer: messages queue up to the high-water mark, then in memory until
   * the peer expires and its mailbox is closed.
   *
   * @example
   * ```ts ignore
   * peer.send({ command: "WHISPER", content: [new TextEncoder().encode("hi")] });
   * ```
   */
  send(message: OutgoingMessage): void {
    if (!this.#connected) return;
    this.sentSequence = (this.sentSequence + 1) & 0xffff;
    const frames = encodeMessage(
      { ...message, sequence: this.sentSequence } as ZreMessage,
    );
    this.#mailbox.send(frames).catch(() => {
      // Closed while queued, or a transport error: the peer is unusable.
      this.#connected = false;
    });
  }

  /**
   * Restarts the evasive and expired timers after activity from the peer.
   *
   * @example
   * ```ts ignore
   * peer.refresh(5000, 30000);
   * ```
   */
  refresh(evasiveTimeout: number, expiredTimeout: number): void {
    const now = performance.now();
    this.evasiveAt = now + evasiveTimeout;
    this.expiredAt = now + expiredTimeout;
    this.evasive = false;
    this.silent = false;
  }

  /**
   * Closes the mailbox; messages still queued are dropped after the linger
   * period.
   *
   * @example
   * ```ts ignore
   * peer.close();
   * ```
   */
  close(): void {
    this.#connected = false;
    this.#mailbox.close();
  }
}
