// The FFI reactor (ffi/reactor.ts) with a fake poll(): which fds it polls,
// whom it wakes, and that it never leaves a poll pending.
import assert from "node:assert/strict";
import {
  type PollCall,
  PollReactor,
  type WakePipe,
} from "../../ffi/reactor.ts";

const POLLFD = 8;

/** A poll() whose calls the test answers by hand. */
function fakePoll() {
  const calls: {
    fds: number[];
    answer(readable: number[]): void;
  }[] = [];
  const poll: PollCall = (pollfds, count) => {
    const view = new DataView(pollfds.buffer);
    const fds = Array.from(
      { length: count },
      (_, i) => view.getInt32(i * POLLFD, true),
    );
    return new Promise((resolve) => {
      calls.push({
        fds,
        answer(readable) {
          fds.forEach((fd, i) => {
            if (readable.includes(fd)) {
              view.setInt16(i * POLLFD + 6, 1, true); // revents = POLLIN
            }
          });
          resolve(readable.length);
        },
      });
    });
  };
  return { poll, calls };
}

function fakeWake(): WakePipe & {
  signals: number;
  drains: number;
  closed: boolean;
} {
  return {
    fd: 100,
    signals: 0,
    drains: 0,
    closed: false,
    signal() {
      this.signals++;
    },
    drain() {
      this.drains++;
    },
    close() {
      this.closed = true;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const fdOf = (socket: unknown) => socket as number;

Deno.test("one poll over the wake fd and every watched socket; wakes the ready ones", async () => {
  const { poll, calls } = fakePoll();
  const wake = fakeWake();
  const reactor = new PollReactor(wake, fdOf, poll);
  const woken: number[] = [];
  reactor.watch(7, () => woken.push(7));
  reactor.watch(8, () => woken.push(8));
  await tick();
  assert.equal(calls.length, 1, "two watches in one tick: one poll");
  assert.deepEqual(calls[0].fds, [100, 7, 8]);
  calls[0].answer([8]);
  await tick();
  assert.deepEqual(woken, [8]);
  assert.equal(calls.length, 2, "re-armed while sockets are watched");
  assert.deepEqual(calls[1].fds, [100, 7, 8]);
  reactor.unwatch(7);
  reactor.unwatch(8);
  assert.equal(
    wake.signals,
    1,
    "nothing left to watch: the poll is interrupted",
  );
  calls[1].answer([100]);
  await tick();
  assert.equal(wake.drains, 1);
  assert.equal(calls.length, 2, "not re-armed with nothing watched");
  await reactor.close();
  assert.ok(wake.closed);
});

Deno.test("a watch during a poll interrupts it so the new fd is polled", async () => {
  const { poll, calls } = fakePoll();
  const wake = fakeWake();
  const reactor = new PollReactor(wake, fdOf, poll);
  reactor.watch(7, () => {});
  await tick();
  reactor.watch(9, () => {});
  assert.equal(wake.signals, 1);
  calls[0].answer([100]);
  await tick();
  assert.deepEqual(calls[1].fds, [100, 7, 9]);
  const closing = reactor.close();
  assert.equal(wake.closed, false, "close waits for the poll in flight");
  calls[1].answer([100]);
  await closing;
  assert.ok(wake.closed);
  reactor.watch(7, () => assert.fail("closed reactors watch nothing"));
  await tick();
  assert.equal(calls.length, 2);
});

Deno.test("a socket unwatched while its poll was in flight is not woken", async () => {
  const { poll, calls } = fakePoll();
  const reactor = new PollReactor(fakeWake(), fdOf, poll);
  let woken = 0;
  reactor.watch(7, () => woken++);
  reactor.watch(8, () => {});
  await tick();
  reactor.unwatch(7);
  calls[0].answer([7]);
  await tick();
  assert.equal(woken, 0);
  reactor.unwatch(8);
  calls[1]?.answer([100]);
  await reactor.close();
});

Deno.test("progress() wakes the parked sockets once, in a microtask, without a poll", async () => {
  const { poll, calls } = fakePoll();
  const reactor = new PollReactor(fakeWake(), fdOf, poll);
  const woken: number[] = [];
  const seven = reactor.watch(7, () => woken.push(7));
  reactor.watch(8, () => woken.push(8));
  assert.ok(seven.parked);
  reactor.progress();
  reactor.progress();
  assert.deepEqual(woken, [], "not synchronously");
  await Promise.resolve();
  assert.deepEqual(woken, [7, 8], "a burst of progress wakes each once");
  reactor.unwatch(7);
  assert.equal(
    seven.parked,
    false,
    "the entry tells the engine it is unparked",
  );
  await tick();
  assert.equal(calls.length, 1);
  reactor.unwatch(8);
  calls[0].answer([100]);
  await reactor.close();
});
