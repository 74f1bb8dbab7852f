/**
 * zeromq.js's message values: what `send()` accepts (anything, coerced to a
 * string unless it is binary or null) and what `receive()` gives (Buffers
 * where Node's Buffer exists, Uint8Arrays otherwise).
 *
 * @module
 */

import type { Frame } from "../message.ts";

/** What zeromq.js's `send()` accepts as one frame. */
export type MessageLike =
  | ArrayBufferView
  | ArrayBuffer
  | SharedArrayBuffer
  | string
  | number
  | null;

/** A received frame: a Node Buffer on Node and Bun, a Uint8Array in Deno. */
export type Message = Uint8Array;

interface BufferClass {
  from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: BufferClass }).Buffer;

/** One zeromq.js frame as a core frame. */
export function toFrame(value: unknown): Frame {
  if (
    value === null || typeof value === "string" ||
    ArrayBuffer.isView(value) || value instanceof ArrayBuffer
  ) return value as Frame;
  if (
    typeof SharedArrayBuffer !== "undefined" &&
    value instanceof SharedArrayBuffer
  ) return new Uint8Array(value);
  return String(value);
}

/** A zeromq.js message (one frame or several) as core frames. */
export function toFrames(message: unknown): Frame[] {
  return Array.isArray(message) ? message.map(toFrame) : [toFrame(message)];
}

/** Received frames as zeromq.js gives them (no copy: Buffer views). */
export function toMessages(frames: Uint8Array[]): Message[] {
  if (!NodeBuffer) return frames;
  return frames.map((f) =>
    NodeBuffer.from(f.buffer, f.byteOffset, f.byteLength)
  );
}

/** One received frame as zeromq.js gives it. */
export function toMessage(frame: Uint8Array): Message {
  return NodeBuffer
    ? NodeBuffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
    : frame;
}
