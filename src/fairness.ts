/**
 * Keeping a busy stream from starving the event loop.
 *
 * Operations that complete synchronously resolve through microtasks only, so
 * a fast producer/consumer loop would never let timers or I/O run. Every few
 * dozen operations we look at the clock; after a slice of 10 ms without a
 * macrotask turn, operations queue up and resume from `setImmediate`
 * (~4 us in Deno, against ~2 ms for `setTimeout(0)`). A program whose event
 * loop turns anyway is never deferred.
 *
 * While a host write waits for the event loop (the WASM backend's socket
 * buffer was full), sends yield after every {@link WAITING_SLICE_BYTES}
 * instead: until the loop turns, the write cannot finish, and what is sent
 * meanwhile only queues up in libzmq (see {@link writeWaiting}).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { approximateSize, type Message } from "./message.ts";

const CHECK_EVERY = 64;
const SLICE_MS = 10;

let count = 0;
let sliceStart = performance.now();
let mustYield = false;
// Whether a macrotask turn came since the slice started: a marker scheduled
// with setImmediate at each slice start runs only once the event loop turns.
// (Before, the slice counted from the last forced yield, so a program whose
// loop turned often still had every 64th operation deferred once 10 ms had
// passed: the deferral behind a rare hang of the ZAP security tests.)
let turned = true;
let markerPending = false;

const markTurn = () => {
  markerPending = false;
  turned = true;
  bytesSinceTurn = 0;
};

/** Host writes waiting for the event loop; bytes sent since its last turn. */
let writesWaiting = 0;
let bytesSinceTurn = 0;
/**
 * Bytes sent between turns while a host write waits. Without it, a write
 * that found the socket buffer full let a sender queue frames for up to a
 * slice (10 ms, up to ~1,000 frames of 64 KiB), out of cache by the time
 * they were copied out. WASM tcp PUSH -> PULL 64 KiB (deno task bench, two
 * alternated rounds of 3 runs): no cap 31.1-31.2k msg/s, 256 KiB 32.0-33.7k,
 * 64 KiB 35.3-35.4k; the 16 B and 1 KiB rows unchanged.
 */
export const WAITING_SLICE_BYTES = 64 * 1024;

function startSlice(now: number): void {
  sliceStart = now;
  turned = false;
  if (markerPending) return;
  markerPending = true;
  setImmediate(markTurn);
}

/** Whether the caller should defer its work to the next macrotask turn. */
export function fairnessCheck(): boolean {
  if (mustYield) return true;
  if (++count < CHECK_EVERY) return false;
  count = 0;
  const now = performance.now();
  if (now - sliceStart < SLICE_MS) return false;
  if (turned) {
    // Timers and I/O had a turn within the slice: nothing is starved.
    startSlice(now);
    return false;
  }
  mustYield = true;
  return true;
}

/**
 * Reports a host write that could not finish without the event loop
 * (`true`), and later that it finished (`false`).
 */
export function writeWaiting(waiting: boolean): void {
  writesWaiting += waiting ? 1 : -1;
}

/** Whether host writes wait for the event loop (see {@link writeWaiting}). */
export function isWriteWaiting(): boolean {
  return writesWaiting > 0;
}

/**
 * {@link fairnessCheck} for sending `message`: also true while a host write
 * waits (see {@link writeWaiting}) once a slice of
 * {@link WAITING_SLICE_BYTES} has been sent since the last turn.
 */
export function sendFairnessCheck(message: Message): boolean {
  if (fairnessCheck()) return true;
  if (writesWaiting === 0) return false;
  bytesSinceTurn += approximateSize(message);
  if (bytesSinceTurn < WAITING_SLICE_BYTES) return false;
  mustYield = true;
  return true;
}

/** Runs `resume` after timers and I/O have had their turn. */
export function yieldToEventLoop(resume: () => void): void {
  setImmediate(() => {
    mustYield = false;
    bytesSinceTurn = 0;
    startSlice(performance.now());
    resume();
  });
}
