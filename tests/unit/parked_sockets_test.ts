// The record of parked sockets both reactors keep (src/parked_sockets.ts):
// one entry per socket, wake-ups skip the unparked, wakeSoon coalesces and
// stops past its limit.
import assert from "node:assert/strict";
import {
  ParkedSocket,
  ParkedSockets,
  UNPARKED,
} from "../../src/parked_sockets.ts";

const make = (socket: unknown, onWake: () => void) =>
  new ParkedSocket(socket, onWake);

Deno.test("parking a parked socket keeps its entry and takes the new callback", () => {
  const parked = new ParkedSockets(make);
  const woken: string[] = [];
  const first = parked.park(1, () => woken.push("old"));
  const again = parked.park(1, () => woken.push("new"));
  assert.equal(first, again);
  assert.equal(parked.size, 1);
  parked.wakeAll();
  assert.deepEqual(woken, ["new"]);
  assert.equal(parked.unpark(1), true);
  assert.equal(first.parked, false);
  assert.equal(parked.unpark(1), false, "unparking twice is harmless");
  assert.equal(UNPARKED.parked, false);
});

Deno.test("a wake-up skips sockets unparked by an earlier callback", () => {
  const parked = new ParkedSockets(make);
  const woken: number[] = [];
  parked.park(1, () => {
    woken.push(1);
    parked.unpark(2);
  });
  parked.park(2, () => woken.push(2));
  parked.wakeAll();
  assert.deepEqual(woken, [1]);
});

Deno.test("unparkAll unparks the selected sockets only", () => {
  const parked = new ParkedSockets(make);
  const a = parked.park("a", () => {}), b = parked.park("b", () => {});
  assert.equal(parked.unparkAll((entry) => entry.socket === "a"), 1);
  assert.deepEqual([a.parked, b.parked], [false, true]);
  assert.equal(parked.unparkAll(), 1);
  assert.equal(parked.size, 0);
});

Deno.test("wakeSoon: one microtask per burst, nothing past the limit", async () => {
  const parked = new ParkedSockets(make, 2);
  let wakes = 0;
  parked.wakeSoon(); // nothing parked: nothing scheduled
  parked.park(1, () => wakes++);
  parked.park(2, () => wakes++);
  parked.wakeSoon();
  parked.wakeSoon();
  await Promise.resolve();
  assert.equal(wakes, 2);
  parked.park(3, () => wakes++);
  parked.wakeSoon();
  await Promise.resolve();
  assert.equal(
    wakes,
    2,
    "three parked, limit two: the poll wakes them instead",
  );
});
