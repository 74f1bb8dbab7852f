/**
 * Every libzmq socket type: its number ({@link SocketType},
 * {@link DraftSocketType}), and in one table its ZMTP name and the types it
 * can talk to. Socket classes, inproc peer checks, error messages and the
 * `Socket.fromHandle` registry all read them; the table is checked by the
 * compiler to cover every type.
 *
 * @module
 */

/**
 * libzmq socket type numbers.
 *
 * @example
 * ```ts
 * import { SocketType } from "@deno-zmq/zmq";
 * console.log(SocketType.Push); // 8
 * ```
 */
export const SocketType = {
  Pair: 0,
  Publisher: 1,
  Subscriber: 2,
  Request: 3,
  Reply: 4,
  Dealer: 5,
  Router: 6,
  Pull: 7,
  Push: 8,
  XPublisher: 9,
  XSubscriber: 10,
  Stream: 11,
} as const;

/**
 * libzmq draft socket type numbers (libzmq built with the draft API).
 *
 * @example
 * ```ts
 * import { DraftSocketType } from "@deno-zmq/zmq/draft";
 * console.log(DraftSocketType.Server); // 12
 * ```
 */
export const DraftSocketType = {
  Server: 12,
  Client: 13,
  Radio: 14,
  Dish: 15,
  Gather: 16,
  Scatter: 17,
  Datagram: 18,
  Peer: 19,
  Channel: 20,
} as const;

/** A socket type's key in {@link SocketType} or {@link DraftSocketType}. */
export type SocketTypeKey =
  | keyof typeof SocketType
  | keyof typeof DraftSocketType;

/** What the table says of one socket type. */
interface SocketTypeInfo {
  /** The ZMTP name, as libzmq's errors and docs spell it. */
  readonly name: string;
  /** The types it can talk to; empty when it cannot use inproc at all. */
  readonly peers: readonly SocketTypeKey[];
}

const TABLE: Readonly<Record<SocketTypeKey, SocketTypeInfo>> = {
  Pair: { name: "PAIR", peers: ["Pair"] },
  Publisher: { name: "PUB", peers: ["Subscriber", "XSubscriber"] },
  Subscriber: { name: "SUB", peers: ["Publisher", "XPublisher"] },
  Request: { name: "REQ", peers: ["Reply", "Router"] },
  Reply: { name: "REP", peers: ["Request", "Dealer"] },
  Dealer: { name: "DEALER", peers: ["Reply", "Dealer", "Router"] },
  Router: { name: "ROUTER", peers: ["Request", "Dealer", "Router"] },
  Pull: { name: "PULL", peers: ["Push"] },
  Push: { name: "PUSH", peers: ["Pull"] },
  XPublisher: { name: "XPUB", peers: ["Subscriber", "XSubscriber"] },
  XSubscriber: { name: "XSUB", peers: ["Publisher", "XPublisher"] },
  Stream: { name: "STREAM", peers: [] }, // tcp only
  Server: { name: "SERVER", peers: ["Client"] },
  Client: { name: "CLIENT", peers: ["Server"] },
  Radio: { name: "RADIO", peers: ["Dish"] },
  Dish: { name: "DISH", peers: ["Radio"] },
  Gather: { name: "GATHER", peers: ["Scatter"] },
  Scatter: { name: "SCATTER", peers: ["Gather"] },
  Datagram: { name: "DGRAM", peers: [] }, // udp only
  Peer: { name: "PEER", peers: ["Peer"] },
  Channel: { name: "CHANNEL", peers: ["Channel"] },
};

const NUMBERS: Readonly<Record<SocketTypeKey, number>> = {
  ...SocketType,
  ...DraftSocketType,
};
const byNumber = new Map<number, SocketTypeKey>(
  (Object.keys(NUMBERS) as SocketTypeKey[]).map((key) => [NUMBERS[key], key]),
);

/** The number of a socket type key. */
export function socketTypeNumber(key: SocketTypeKey): number {
  return NUMBERS[key];
}

/** The key of a socket type number, or undefined for an unknown number. */
export function socketTypeKey(type: number): SocketTypeKey | undefined {
  return byNumber.get(type);
}

/** Whether a socket type number is a draft type. */
export function isDraftType(type: number): boolean {
  const key = byNumber.get(type);
  return key !== undefined && key in DraftSocketType;
}

/** A socket type's ZMTP name, e.g. "PUSH" (or "type 42" for an unknown number). */
export function typeName(type: number): string {
  const key = byNumber.get(type);
  return key === undefined ? `type ${type}` : TABLE[key].name;
}

/** Whether a socket type can use inproc at all (STREAM and DGRAM cannot). */
export function worksOverInproc(type: number): boolean {
  const key = byNumber.get(type);
  return key !== undefined && TABLE[key].peers.length > 0;
}

/** Whether sockets of two types can talk to each other (ZMTP). */
export function canTalk(type: number, other: number): boolean {
  const key = byNumber.get(type), otherKey = byNumber.get(other);
  return key !== undefined && otherKey !== undefined &&
    TABLE[key].peers.includes(otherKey);
}
