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
 * @module
 */

import { setImmediate } from "node:timers";

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
};

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

/** Runs `resume` after timers and I/O have had their turn. */
export function yieldToEventLoop(resume: () => void): void {
  setImmediate(() => {
    mustYield = false;
    startSlice(performance.now());
    resume();
  });
}
