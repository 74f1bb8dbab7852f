/**
 * ZRE UDP beacons (rfc.zeromq.org 36/ZRE, "Node Discovery and Presence").
 *
 * A beacon is 22 octets: 'Z' 'R' 'E' %x01, the sender's 16-octet UUID and
 * its 2-octet mailbox port in network order; port 0 means the sender leaves.
 * Sockets are opened with `reuseAddr`, so several nodes on one host share
 * the beacon port and each receives every broadcast.
 *
 * @module
 */

import dgram from "node:dgram";

/** Size of a ZRE v1 beacon in octets. */
export const BEACON_SIZE = 22;

/** Default UDP port of ZRE discovery (ZRE-DISC, assigned by IANA). */
export const ZRE_DISCOVERY_PORT = 5670;

/** A decoded beacon. */
export interface BeaconData {
  /** The sender's 16-octet UUID. */
  uuid: Uint8Array;
  /** The sender's mailbox port; 0 when it leaves the network. */
  port: number;
}

/**
 * Encodes a beacon.
 *
 * @example
 * ```ts
 * import { encodeBeacon } from "./beacon.ts";
 * const beacon = encodeBeacon(new Uint8Array(16), 0xc001);
 * console.log(beacon.length, beacon[20], beacon[21]); // 22 192 1
 * ```
 */
export function encodeBeacon(uuid: Uint8Array, port: number): Uint8Array {
  if (!(uuid instanceof Uint8Array) || uuid.length !== 16) {
    throw new TypeError("A beacon UUID is 16 bytes");
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError("A beacon port is an integer from 0 to 65535");
  }
  const beacon = new Uint8Array(BEACON_SIZE);
  beacon.set([0x5a, 0x52, 0x45, 0x01]); // 'Z' 'R' 'E' version 1
  beacon.set(uuid, 4);
  beacon[20] = port >>> 8;
  beacon[21] = port & 0xff;
  return beacon;
}

/**
 * Decodes a beacon, or returns null if it is not a valid ZRE beacon
 * (wrong size, header or version).
 *
 * @example
 * ```ts
 * import { decodeBeacon, encodeBeacon } from "./beacon.ts";
 * const beacon = decodeBeacon(encodeBeacon(new Uint8Array(16).fill(7), 5000));
 * console.log(beacon?.port); // 5000
 * console.log(decodeBeacon(new Uint8Array(3))); // null
 * ```
 */
export function decodeBeacon(data: Uint8Array): BeaconData | null {
  if (!(data instanceof Uint8Array) || data.length !== BEACON_SIZE) return null;
  if (
    data[0] !== 0x5a || data[1] !== 0x52 || data[2] !== 0x45 ||
    data[3] !== 0x01
  ) {
    return null;
  }
  return {
    uuid: data.slice(4, 20),
    port: (data[20] << 8) | data[21],
  };
}

/** Options of {@link Beacon}. */
export interface BeaconOptions {
  /** UDP port to send to and listen on (default 5670). */
  port?: number;
  /** Address beacons are sent to (default "255.255.255.255"). */
  address?: string;
  /** Address the listening socket binds to (default "0.0.0.0"). */
  bindAddress?: string;
  /** Milliseconds between beacons (default 1000). */
  interval?: number;
  /** Own UUID: beacons carrying it are dropped. */
  uuid: Uint8Array;
}

/**
 * Sends this node's beacon at a regular interval and reports the valid
 * beacons of other nodes (own and invalid beacons are dropped silently).
 *
 * @example
 * ```ts ignore
 * import { Beacon } from "./beacon.ts";
 * const uuid = crypto.getRandomValues(new Uint8Array(16));
 * const beacon = new Beacon({ uuid, port: 5670, address: "127.255.255.255" },
 *   (data, address) => console.log(address, data.port));
 * await beacon.start(49152);
 * await beacon.stop();
 * ```
 */
export class Beacon {
  readonly #port: number;
  readonly #address: string;
  readonly #bindAddress: string;
  readonly #interval: number;
  readonly #uuid: Uint8Array;
  readonly #onBeacon: (data: BeaconData, address: string) => void;
  #socket?: dgram.Socket;
  #timer?: ReturnType<typeof setInterval>;
  #payload?: Uint8Array;

  /**
   * Creates a beacon; nothing happens until {@link Beacon.start}.
   *
   * @example
   * ```ts
   * import { Beacon } from "./beacon.ts";
   * const beacon = new Beacon({ uuid: new Uint8Array(16) }, () => {});
   * ```
   */
  constructor(
    options: BeaconOptions,
    onBeacon: (data: BeaconData, address: string) => void,
  ) {
    this.#port = options.port ?? ZRE_DISCOVERY_PORT;
    this.#address = options.address ?? "255.255.255.255";
    this.#bindAddress = options.bindAddress ?? "0.0.0.0";
    this.#interval = options.interval ?? 1000;
    this.#uuid = options.uuid;
    this.#onBeacon = onBeacon;
  }

  /**
   * Binds the UDP socket, then publishes `mailboxPort` at once and at every
   * interval.
   *
   * @example
   * ```ts ignore
   * await beacon.start(49152);
   * ```
   */
  async start(mailboxPort: number): Promise<void> {
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
    this.#socket = socket;
    socket.on("message", (message: Uint8Array, info: dgram.RemoteInfo) => {
      const data = decodeBeacon(new Uint8Array(message));
      if (!data || equalBytes(data.uuid, this.#uuid)) return;
      this.#onBeacon(data, info.address);
    });
    // Errors (such as an unreachable broadcast address) must not kill the node.
    socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      socket.once("error", failed);
      socket.bind(this.#port, this.#bindAddress, () => {
        socket.off("error", failed);
        resolve();
      });
    });
    socket.setBroadcast(true);
    this.#payload = encodeBeacon(this.#uuid, mailboxPort);
    this.#send(this.#payload);
    this.#timer = setInterval(() => {
      if (this.#payload) this.#send(this.#payload);
    }, this.#interval);
  }

  #send(payload: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve) => {
      try {
        socket.send(payload, this.#port, this.#address, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  /**
   * Stops publishing, sends one last beacon with port 0 (the node leaves)
   * and closes the socket.
   *
   * @example
   * ```ts ignore
   * await beacon.stop();
   * ```
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#payload = undefined;
    const socket = this.#socket;
    if (!socket) return;
    await this.#send(encodeBeacon(this.#uuid, 0));
    this.#socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
