/**
 * A scripted ZRE peer for the Zyre tests: it beacons when and what the test
 * says, and sends ZRE commands (numbered in sequence) from a DEALER into a
 * node's inbox, while its own ROUTER mailbox receives what the node sends
 * (PINGs are answered unless `answerPings` is false). Lets a test be a
 * well-behaved peer, a silent one, or a hostile one.
 */

import dgram from "node:dgram";
import { type Context, Dealer, Router } from "../mod.ts";
import { encodeBeacon } from "../src/zyre/beacon.ts";
import {
  decodeMessage,
  encodeMessage,
  type ZreMessage,
} from "../src/zyre/codec.ts";
import type { OutgoingMessage } from "../src/zyre/peer.ts";

/** 32 uppercase hex digits, as Zyre names peers. */
export function hexOf(uuid: Uint8Array): string {
  return [...uuid].map((b) => b.toString(16).padStart(2, "0")).join("")
    .toUpperCase();
}

/** Sends one beacon to the loopback broadcast address on `port`. */
export async function sendBeacon(
  socket: dgram.Socket,
  port: number,
  uuid: Uint8Array,
  mailboxPort: number,
): Promise<void> {
  await new Promise<void>((resolve) =>
    socket.send(
      encodeBeacon(uuid, mailboxPort),
      port,
      "127.255.255.255",
      () => resolve(),
    )
  );
}

/** A UDP socket that may broadcast beacons on loopback. */
export async function beaconSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.bind(0, "0.0.0.0", resolve));
  socket.setBroadcast(true);
  return socket;
}

/** See the module doc. */
export class FakePeer {
  readonly uuid = crypto.getRandomValues(new Uint8Array(16));
  readonly id = hexOf(this.uuid);
  /** Where the node's messages to this peer arrive. */
  readonly mailbox: Router;
  /** What the node sent, decoded. */
  readonly received: ZreMessage[] = [];
  answerPings = true;
  #dealer: Dealer | undefined;
  readonly #context: Context;
  #sequence = 0;
  #udp: dgram.Socket | undefined;
  #beacons: ReturnType<typeof setInterval> | undefined;
  #reading: Promise<void> | undefined;

  constructor(context: Context) {
    this.#context = context;
    this.mailbox = new Router({ context, linger: 0 });
  }

  /** Binds the mailbox; returns its tcp port. */
  async start(): Promise<number> {
    await this.mailbox.bind("tcp://127.0.0.1:*");
    this.#udp = await beaconSocket();
    this.#reading = this.#read();
    return this.mailboxPort;
  }

  get mailboxPort(): number {
    return Number(this.mailbox.lastEndpoint.split(":").at(-1));
  }

  /** (Re)connects the DEALER that talks to the node; sequence numbers restart. */
  connect(endpoint: string): void {
    this.#dealer?.close();
    const routingId = new Uint8Array(17);
    routingId[0] = 1;
    routingId.set(this.uuid, 1);
    this.#dealer = new Dealer({ context: this.#context, routingId, linger: 0 });
    this.#dealer.connect(endpoint);
    this.#sequence = 0;
  }

  /** Sends a command with the next sequence number. */
  async send(message: OutgoingMessage): Promise<void> {
    this.#sequence = (this.#sequence + 1) & 0xffff;
    await this.#dealer!.send(
      encodeMessage({ ...message, sequence: this.#sequence } as ZreMessage),
    );
  }

  /** Sends HELLO (sequence 1 after `connect`). */
  hello(fields: Partial<Extract<OutgoingMessage, { command: "HELLO" }>> = {}) {
    return this.send({
      command: "HELLO",
      endpoint: this.mailbox.lastEndpoint,
      groups: [],
      status: 0,
      name: "fake",
      headers: {},
      ...fields,
    });
  }

  /** Beacons `mailboxPort` on `port` every `interval` ms until `stopBeacons`. */
  startBeacons(port: number, mailboxPort: number, interval = 100): void {
    this.stopBeacons();
    const beacon = () =>
      void sendBeacon(this.#udp!, port, this.uuid, mailboxPort);
    beacon();
    this.#beacons = setInterval(beacon, interval);
  }

  stopBeacons(): void {
    clearInterval(this.#beacons);
    this.#beacons = undefined;
  }

  async close(): Promise<void> {
    this.stopBeacons();
    this.#dealer?.close();
    this.mailbox.close();
    await this.#reading;
    await new Promise<void>((resolve) =>
      this.#udp ? this.#udp.close(() => resolve()) : resolve()
    );
  }

  async #read(): Promise<void> {
    try {
      for await (const [, ...frames] of this.mailbox) {
        const message = decodeMessage(frames);
        this.received.push(message);
        if (message.command === "PING" && this.answerPings && this.#dealer) {
          await this.send({ command: "PING_OK" });
        }
      }
    } catch { /* closed */ }
  }
}
