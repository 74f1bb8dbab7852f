/**
 * The FFI reactor: one libc `poll()` per context over a wake-up fd and the
 * ZMQ_FD of every socket that has a waiting operation.
 *
 * The poll runs as a nonblocking FFI call (a worker thread that only reads
 * fds; zmq sockets are touched only on the JS thread). It is armed only while
 * a socket is watched, so an idle program exits; `close()` wakes it and waits
 * for it, so no call is left pending.
 *
 * A binding may bound each wait (and re-arm): on a Node Worker thread, see
 * {@link WORKER_POLL_MS}.
 *
 * @module
 */

import type { Handle, Parked, Reactor } from "../src/backend.ts";
import {
  ParkedSocket,
  ParkedSockets,
  UNPARKED,
} from "../src/parked_sockets.ts";

/** A self-pipe (eventfd on Linux) that interrupts a pending poll. */
export interface WakePipe {
  /** The fd to poll for wake-ups. */
  readonly fd: number;
  /** Makes the fd readable. */
  signal(): void;
  /** Makes the fd unreadable again. */
  drain(): void;
  /** Closes the fd(s). */
  close(): void;
}

/** Runs `poll(pollfds, count, timeoutMs)` off the JS thread. */
export type PollCall = (
  pollfds: Uint8Array,
  count: number,
  timeoutMs: number,
) => Promise<number>;

/**
 * The longest wait of one poll on a Node Worker thread. A Worker may be
 * terminated while a poll is pending; no JS runs then to wake it, and Node
 * (and the parent's `process.exit()`) waits for the call to return before the
 * thread can end: this bounds `worker.terminate()` (issue 15 asks for 100
 * ms). Measured with one pending receive (tests/fixtures/worker_idle_cost.ts,
 * Node 20): 0.59% of a core, against 0.01% for an unbounded wait on the main
 * thread, which Node does not wait for at exit.
 */
export const WORKER_POLL_MS = 50;

/**
 * The longest wait of one poll on a main thread. A wait that ends by its
 * timeout makes every socket it watched look at ZMQ_EVENTS again: a safety
 * net for a wake-up that never came (ZMQ_FD is edge-triggered): a missed
 * edge costs at most this long instead of forever. (Added while chasing a
 * rare hang of ZAP security tests under Node and Bun, which it did not end:
 * that was a race in the tests, see attempt() in tests/security_test.ts.)
 * Idle cost: one return a second while a socket waits.
 */
export const RECHECK_MS = 1000;

/** The longest pause between two checks of {@link timerPoll}. */
export const TIMER_POLL_MAX_MS = 16;

/**
 * A {@link PollCall} made of nonblocking polls on the JS thread, tried again
 * on a timer that backs off from 1 ms to {@link TIMER_POLL_MAX_MS}. For Bun
 * Workers: there an FFI call still running off-thread when its Worker is
 * terminated crashes the whole process once it returns (a napi async call
 * completing after its VM is gone; seen in 2 of 20 runs of a terminate with
 * a socket left to receive), so a Worker on Bun never leaves one running.
 * Measured with one pending receive (worker_idle_cost.ts, Bun 1.4): 1.1% of
 * a core, against 0.15% for the same process without the socket.
 */
export function timerPoll(
  pollNow: (pollfds: Uint8Array, count: number) => number,
): PollCall {
  return (pollfds, count, timeoutMs) =>
    new Promise((resolve) => {
      const start = performance.now();
      let delay = 1;
      const attempt = () => {
        const rc = pollNow(pollfds, count);
        const expired = timeoutMs >= 0 &&
          performance.now() - start >= timeoutMs;
        if (rc !== 0 || expired) return resolve(rc);
        setTimeout(attempt, delay);
        delay = Math.min(delay * 2, TIMER_POLL_MAX_MS);
      };
      attempt();
    });
}

const POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }
const POLLIN = 1;

/** A parked socket and the fd its wake-ups come on. */
class PolledSocket extends ParkedSocket {
  readonly fd: number;
  constructor(socket: Handle, onWake: () => void, fd: number) {
    super(socket, onWake);
    this.fd = fd;
  }
}

/**
 * A {@link Reactor} over libc poll(), shared by the Deno and Node bindings.
 * Besides its poll, {@link PollReactor.progress} wakes the parked sockets
 * (up to RECHECK_LIMIT of them) after an operation on the context.
 */
export class PollReactor implements Reactor {
  readonly #wake: WakePipe;
  readonly #pollCall: PollCall;
  readonly #timeoutMs: number;
  readonly #watches: ParkedSockets<PolledSocket>;
  #polled: PolledSocket[] = [];
  #pollfds = new Uint8Array(POLLFD_SIZE * 8);
  #pollView = new DataView(this.#pollfds.buffer);
  #inFlight: Promise<void> | null = null;
  #signalled = false;
  #armScheduled = false;
  #closed = false;

  constructor(
    wake: WakePipe,
    socketFd: (socket: Handle) => number,
    pollCall: PollCall,
    timeoutMs = RECHECK_MS,
  ) {
    this.#wake = wake;
    this.#watches = new ParkedSockets(
      (socket, onWake) => new PolledSocket(socket, onWake, socketFd(socket)),
    );
    this.#pollCall = pollCall;
    this.#timeoutMs = timeoutMs;
  }

  watch(socket: Handle, onWake: () => void): Parked {
    if (this.#closed) return UNPARKED;
    const count = this.#watches.size;
    const entry = this.#watches.park(socket, onWake);
    if (this.#watches.size === count) return entry;
    // A pending poll cannot see the new fd: interrupt it so it is re-armed.
    if (this.#inFlight) this.#interrupt();
    else this.#scheduleArm();
    return entry;
  }

  unwatch(socket: Handle): void {
    if (!this.#watches.unpark(socket)) return;
    // Nothing left to wait for: let the pending poll return so the process may exit.
    if (this.#watches.size === 0 && this.#inFlight) this.#interrupt();
  }

  progress(): void {
    this.#watches.wakeSoon();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.unparkAll();
    if (this.#inFlight) {
      this.#interrupt();
      await this.#inFlight;
    }
    this.#wake.close();
  }

  #interrupt(): void {
    if (this.#signalled) return;
    this.#signalled = true;
    this.#wake.signal();
  }

  // Coalesces many watch() calls of one tick into a single poll.
  #scheduleArm(): void {
    if (this.#armScheduled) return;
    this.#armScheduled = true;
    queueMicrotask(() => {
      this.#armScheduled = false;
      if (this.#watches.size > 0 && !this.#inFlight && !this.#closed) {
        this.#arm();
      }
    });
  }

  #arm(): void {
    const watches = this.#watches.list();
    const count = watches.length + 1;
    if (this.#pollfds.byteLength < count * POLLFD_SIZE) {
      this.#pollfds = new Uint8Array(count * 2 * POLLFD_SIZE);
      this.#pollView = new DataView(this.#pollfds.buffer);
    }
    const view = this.#pollView;
    const setEntry = (i: number, fd: number) => {
      view.setInt32(i * POLLFD_SIZE, fd, true);
      view.setInt16(i * POLLFD_SIZE + 4, POLLIN, true);
      view.setInt16(i * POLLFD_SIZE + 6, 0, true);
    };
    setEntry(0, this.#wake.fd);
    watches.forEach((w, i) => setEntry(i + 1, w.fd));
    this.#polled = watches;
    this.#inFlight = this.#pollCall(this.#pollfds, count, this.#timeoutMs)
      .then(
        (rc) => this.#onPolled(rc),
        () => this.#onPolled(-1),
      );
  }

  #onPolled(rc: number): void {
    this.#inFlight = null;
    const view = this.#pollView;
    if (this.#signalled || view.getInt16(6, true) !== 0) {
      this.#wake.drain();
      this.#signalled = false;
    }
    if (this.#closed) return;
    const woken: PolledSocket[] = [];
    this.#polled.forEach((w, i) => {
      // rc 0: the wait timed out, so everyone looks again (see RECHECK_MS).
      if (rc === 0 || view.getInt16((i + 1) * POLLFD_SIZE + 6, true) !== 0) {
        woken.push(w);
      }
    });
    this.#polled = [];
    // Sockets unwatched meanwhile are skipped.
    this.#watches.wake(woken);
    if (this.#watches.size > 0) this.#scheduleArm();
  }
}
