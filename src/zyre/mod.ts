/**
 * Zyre in TypeScript: ZRE v2 (rfc.zeromq.org 36/ZRE) peer discovery on the
 * local network by UDP beacons, groups, and multipart WHISPER and SHOUT
 * messages over this library's ROUTER and DEALER sockets, with heartbeats
 * that notice peers which go away. Interoperable with C zyre.
 *
 * @example Two nodes on loopback
 * ```ts ignore
 * import { Zyre } from "@deno-zmq/zmq/zyre";
 *
 * const options = { port: 5671, beaconAddress: "127.255.255.255", interval: 100 };
 * await using a = new Zyre({ ...options, name: "a" });
 * await using b = new Zyre({ ...options, name: "b" });
 * a.addEventListener("enter", (event) => a.whisper(event.peerId, ["hi", "there"]));
 * await a.start();
 * await b.start();
 * for await (const event of b) {
 *   if (event.kind === "WHISPER") break;
 * }
 * ```
 *
 * @module
 */

// The main entry registers the backends.
import "../../mod.ts";

export {
  Zyre,
  ZYRE_LIMITS,
  ZyreEvent,
  type ZyreEventDetail,
  type ZyreEventKind,
  type ZyreEventType,
  type ZyreFrames,
  type ZyreOptions,
} from "./node.ts";
export {
  decodeMessage,
  encodeMessage,
  ZRE_SIGNATURE,
  ZRE_VERSION,
  type ZreCommand,
  ZreCommandId,
  ZreDecodeError,
  type ZreDecodeFailure,
  type ZreHello,
  type ZreJoin,
  type ZreLeave,
  type ZreMessage,
  type ZrePing,
  type ZrePingOk,
  type ZreShout,
  type ZreWhisper,
} from "./codec.ts";
export {
  BEACON_SIZE,
  type BeaconData,
  decodeBeacon,
  encodeBeacon,
  ZRE_DISCOVERY_PORT,
} from "./beacon.ts";
