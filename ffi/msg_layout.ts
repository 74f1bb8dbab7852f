/**
 * Reading small received frames straight out of the reused `zmq_msg_t`.
 *
 * libzmq stores frames of up to 33 bytes ("very small messages", VSM) inside
 * the 64-byte `zmq_msg_t` itself, next to its type and flags bytes. Reading
 * the data and the MORE flag from that struct in JS saves three FFI calls per
 * frame (`zmq_msg_more`, `zmq_msg_data`, `memcpy`: ~100 ns of ~330 ns per
 * 16-byte message). The layout is not part of libzmq's API, so it is measured
 * once at load time on real messages and used only if every check agrees;
 * otherwise the backends keep the plain API calls.
 *
 * @module
 */

import { ZMQ_SNDMORE as SNDMORE } from "../src/libzmq.ts";

/** Where a VSM frame's bytes live in a `zmq_msg_t`. */
export interface MsgLayout {
  /** Offset of the type byte. */
  readonly type: number;
  /** The type byte's value for a VSM frame. */
  readonly vsmType: number;
  /** Offset of the flags byte (bit 0: more frames follow), one for every message type. */
  readonly flags: number;
  /** Offset of a VSM frame's data. */
  readonly data: number;
}

/** The libzmq calls calibration needs, as a backend binds them. */
export interface CalibrationCalls {
  /** A PAIR pair connected over inproc: [receiver, sender]. */
  pair(): [unknown, unknown];
  /** zmq_send with flags. */
  send(socket: unknown, data: Uint8Array, flags: number): number;
  /** zmq_msg_recv into `msg` with ZMQ_DONTWAIT. */
  recv(msg: Uint8Array, socket: unknown): number;
  /** zmq_msg_more. */
  more(msg: Uint8Array): boolean;
  /** zmq_msg_data as an offset from the start of `msg` (may be outside it). */
  dataOffset(msg: Uint8Array): number;
  /** Closes the pair and its context. */
  done(): void;
}

const PATTERN = Uint8Array.from({ length: 16 }, (_, i) => 0xa1 + i);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Measures the VSM layout of this libzmq, or returns null if anything disagrees. */
export function calibrateMsgLayout(
  calls: CalibrationCalls,
  msg: Uint8Array,
): MsgLayout | null {
  const [receiver, sender] = calls.pair();
  try {
    const big = new Uint8Array(100).fill(7);
    if (
      calls.send(sender, PATTERN, SNDMORE) < 0 ||
      calls.send(sender, PATTERN, 0) < 0 ||
      calls.send(sender, big, SNDMORE) < 0 || calls.send(sender, big, 0) < 0
    ) return null;

    // Frame 1: VSM, more. Inline: the data pointer points into the struct.
    if (calls.recv(msg, receiver) !== PATTERN.length || !calls.more(msg)) {
      return null;
    }
    const data = calls.dataOffset(msg);
    if (data < 0 || data + PATTERN.length > msg.length) return null;
    if (!sameBytes(msg.subarray(data, data + PATTERN.length), PATTERN)) {
      return null;
    }
    const first = msg.slice();

    // Frame 2: VSM, last: the flags byte goes from MORE (1) to nothing (0).
    // (Other bytes, such as unused padding, may hold stale values.)
    if (calls.recv(msg, receiver) !== PATTERN.length || calls.more(msg)) {
      return null;
    }
    const changed = [...msg.keys()].filter((i) =>
      first[i] === 1 && msg[i] === 0
    );
    if (changed.length !== 1) return null;
    const flags = changed[0];
    // The type byte sits after the data; find the one that differs for a big frame.
    const second = msg.slice();
    if (calls.recv(msg, receiver) !== big.length || !calls.more(msg)) {
      return null;
    }
    if ((msg[flags] & 1) !== 1) return null;
    // libzmq's message types are small codes from 101 up (vsm, lmsg, ...).
    const isType = (value: number) => value >= 101 && value <= 120;
    const typeCandidates = [...msg.keys()].filter((i) =>
      i >= data + PATTERN.length && i !== flags && msg[i] !== second[i] &&
      isType(msg[i]) && isType(second[i])
    );
    if (typeCandidates.length !== 1) return null;
    const type = typeCandidates[0];
    if (
      calls.recv(msg, receiver) !== big.length || calls.more(msg) ||
      (msg[flags] & 1) !== 0
    ) {
      return null;
    }
    return { type, vsmType: second[type], flags, data };
  } finally {
    calls.done();
  }
}
