// Keeping a busy stream from starving the event loop (src/fairness.ts).
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import {
  fairnessCheck,
  isWriteWaiting,
  sendFairnessCheck,
  WAITING_SLICE_BYTES,
  writeWaiting,
  yieldToEventLoop,
} from "../../src/fairness.ts";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Settles a yield that an earlier test left due. */
async function fresh(): Promise<void> {
  if (fairnessCheck()) await new Promise<void>((r) => yieldToEventLoop(r));
  await turn();
}

Deno.test("operations with no macrotask turn for over 10 ms are asked to yield", async () => {
  await fresh();
  const start = performance.now();
  let asked = false;
  while (!asked && performance.now() - start < 1_000) asked = fairnessCheck();
  assert.ok(asked, "a synchronous loop was never asked to yield");
  assert.ok(performance.now() - start >= 9, "asked before the 10 ms slice");
  // Once due, every operation defers until the yield has run.
  assert.equal(fairnessCheck(), true);
  await new Promise<void>((resolve) => yieldToEventLoop(resolve));
  assert.equal(fairnessCheck(), false);
});

Deno.test("a program whose event loop turns is never asked to yield, however long it runs", async () => {
  await fresh();
  const start = performance.now();
  let asked = 0, checks = 0;
  while (performance.now() - start < 60) {
    for (let i = 0; i < 100; i++, checks++) if (fairnessCheck()) asked++;
    await turn(); // I/O and timers had their turn
  }
  assert.equal(asked, 0, `${asked} of ${checks} operations deferred`);
});

Deno.test("while a host write waits, sends yield after every slice of bytes", async () => {
  await fresh();
  assert.equal(isWriteWaiting(), false);
  writeWaiting(true);
  try {
    assert.equal(isWriteWaiting(), true);
    const frame = new Uint8Array(1024);
    let sent = 0;
    while (!sendFairnessCheck(frame)) sent += frame.byteLength;
    assert.equal(
      sent,
      WAITING_SLICE_BYTES - frame.byteLength,
      "yielded off the slice",
    );
    // Due now for every operation, until the turn has run; then a new slice.
    assert.equal(fairnessCheck(), true);
    await new Promise<void>((resolve) => yieldToEventLoop(resolve));
    assert.equal(fairnessCheck(), false);
    assert.equal(sendFairnessCheck(frame), false);
  } finally {
    writeWaiting(false);
  }
  assert.equal(isWriteWaiting(), false);
});

Deno.test("sendFairnessCheck counts a message's bytes, multipart and text alike, only while a write waits", async () => {
  await fresh();
  const big = new Uint8Array(WAITING_SLICE_BYTES);
  assert.equal(sendFairnessCheck([big, "x"]), false, "no write waits");
  writeWaiting(true);
  try {
    assert.equal(sendFairnessCheck("x".repeat(WAITING_SLICE_BYTES - 2)), false);
    assert.equal(sendFairnessCheck([null, new ArrayBuffer(1)]), false);
    assert.equal(sendFairnessCheck(new DataView(new ArrayBuffer(1))), true);
    await new Promise<void>((resolve) => yieldToEventLoop(resolve));
    assert.equal(sendFairnessCheck(["a", big.subarray(2)]), false);
  } finally {
    writeWaiting(false);
  }
});
