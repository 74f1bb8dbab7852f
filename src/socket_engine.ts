/**
 * The engine of one socket: FIFO queues of pending sends and receives, their
 * timeouts, the service loop that serves them as libzmq allows, and parking
 * on the context's reactor.
 *
 * Operations first try a synchronous ZMQ_DONTWAIT call. Only when libzmq
 * answers EAGAIN is the operation queued and the socket parked on its
 * context's reactor, which wakes it to look again. The public socket class
 * (`socket.ts`) checks who may call (open, owner) before it calls in here.
 *
 * @module
 */

import type { Backend, Handle, Parked } from "./backend.ts";
import { type ContextInternals, processExiting } from "./context.ts";
import { closedSocketError, ZmqError } from "./errors.ts";
import {
  fairnessCheck,
  sendFairnessCheck,
  yieldToEventLoop,
} from "./fairness.ts";
import { zmqError } from "./last_error.ts";
import {
  ZMQ_POLLIN as POLLIN,
  ZMQ_POLLOUT as POLLOUT,
  ZMQ_SNDMORE as SNDMORE,
} from "./libzmq.ts";
import {
  type Frame,
  frameBytes,
  FramePool,
  type Message,
  POOLED_MAX,
  toFrames,
} from "./message.ts";
import { UNPARKED } from "./parked_sockets.ts";
import { Queue } from "./queue.ts";

interface Pending<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
}
type PendingReceive = Pending<Uint8Array[]>;
/** What an immediate send achieved: all of it (true), or how far it got. */
type SendAttempt = true | { frames: readonly Frame[]; next: number };
/** Where a draft-API message goes: a peer's routing id, or a group. */
export interface DraftTarget {
  /** The routing id of the peer (CLIENT/SERVER/PEER). */
  routingId?: number;
  /** The group (RADIO). */
  group?: string | null;
}
interface PendingSend extends Pending<void> {
  /** Draft API: the routing id or group of a single-frame message. */
  readonly draft?: DraftTarget;
  readonly frames: readonly Frame[];
  /** Index of the next frame to hand to libzmq. */
  next: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
const SPIN_MS = 0.05;
const metadataKey: unique symbol = Symbol("metadata");
type MessageWithMetadata = Uint8Array[] & { [metadataKey]?: number | string };
const pool = new FramePool();

/** Draft sockets: the routing id or group a received message carried. */
export function messageMetadata(
  message: Uint8Array[],
): number | string | undefined {
  return (message as MessageWithMetadata)[metadataKey];
}

/** Clears an operation's timer and returns it, ready to be settled. */
function settle<T extends Pending<never> | PendingReceive | PendingSend>(
  op: T,
): T {
  if (op.timer !== undefined) clearTimeout(op.timer);
  return op;
}

/** Never added to: the observers of every socket that has none. */
const NO_OBSERVERS = new Set<() => void>();

/** What the engine asks of its socket. */
export interface EngineHost {
  /** Throws unless anyone may use the socket now (for the iterator's calls). */
  assertUsable(): void;
  /** Whether it talks to remote peers (see {@link SocketEngine} spin). */
  isRemote(): boolean;
}

/** The queues and waiting of one socket. */
export class SocketEngine {
  readonly #host: EngineHost;
  readonly #ctx: ContextInternals;
  readonly #b: Backend;
  readonly #h: Handle;
  readonly #eagain: number;
  readonly #eintr: number;
  #closed = false;
  readonly #receives = new Queue<PendingReceive>();
  readonly #sends = new Queue<PendingSend>();
  // The entry the reactor keeps while this socket is parked (it owns the state).
  #parking: Parked = UNPARKED;
  #serviceScheduled = false;
  /** libzmq's SNDTIMEO, which the send queue applies (see socket.ts). */
  sendTimeout = -1;
  /** libzmq's RCVTIMEO, which the receive queue applies. */
  receiveTimeout = -1;
  readonly #wake = () => this.#service();
  // Callbacks of pollers and monitors interested in this socket's readiness;
  // the shared empty set until the first observer (idle sockets have none).
  #observers: Set<() => void> = NO_OBSERVERS;
  // Draft sockets: which per-message property received messages carry.
  #metadata: "routingId" | "group" | null = null;

  constructor(host: EngineHost, context: ContextInternals, handle: Handle) {
    this.#host = host;
    this.#ctx = context;
    this.#b = context.backend;
    this.#h = handle;
    this.#eagain = this.#b.errnos.EAGAIN;
    this.#eintr = this.#b.errnos.EINTR;
  }

  /** Whether the socket was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether operations are queued. */
  get busy(): boolean {
    return this.#receives.length > 0 || this.#sends.length > 0;
  }

  /** Draft sockets: received messages carry this property (see messageMetadata). */
  set metadata(kind: "routingId" | "group") {
    this.#metadata = kind;
  }

  // ---- sending ------------------------------------------------------------

  /** Sends a message (the caller checked the socket may be used). */
  send(message: Message): Promise<void> {
    let attempt: SendAttempt;
    try {
      // A zero timeout means "now or never": no fairness yield for those.
      attempt = this.#sendNow(message, this.sendTimeout !== 0);
    } catch (err) {
      return Promise.reject(err);
    }
    if (attempt === true) return this.#afterFastPath();
    return this.#sendLater(attempt.frames, attempt.next);
  }

  /** Queues a send behind the others, honouring sendTimeout. */
  #sendLater(
    frames: readonly Frame[],
    next: number,
    draft?: DraftTarget,
  ): Promise<void> {
    if (this.sendTimeout === 0 && next === 0) {
      return Promise.reject(this.#timeoutError("send"));
    }
    return new Promise<void>((resolve, reject) => {
      const op: PendingSend = { resolve, reject, frames, next, draft };
      if (this.sendTimeout > 0) {
        op.timer = setTimeout(() => {
          // A partly sent multipart message must be completed, not abandoned.
          if (op.next === 0 && this.#sends.remove(op)) {
            reject(this.#timeoutError("send"));
            this.#afterQueueChange();
          }
        }, this.sendTimeout);
      }
      this.#sends.push(op);
      this.#scheduleService();
    });
  }

  /**
   * Draft API: sends one frame with a routing id (CLIENT/SERVER/PEER) or a
   * group (RADIO), in order with other sends.
   */
  sendDraft(frame: Frame, draft: DraftTarget): Promise<void> {
    try {
      if (
        this.#sends.length === 0 &&
        (this.sendTimeout === 0 || !sendFairnessCheck(frame))
      ) {
        if (this.#sendDraftFrame(frame, draft)) return this.#afterFastPath();
      } else {
        frameBytes(frame); // validates
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#sendLater([frame], 0, draft);
  }

  /**
   * Hands a draft frame to libzmq; false on EAGAIN. A routing id or group
   * rides on a zmq_msg_t (zmq_send cannot carry them): init_size, set the
   * property, zmq_msg_send, and close the message if it was not sent.
   */
  #sendDraftFrame(
    frame: Frame,
    { routingId = 0, group = null }: DraftTarget,
  ): boolean {
    const b = this.#b;
    if (
      !b.msgInitSize || !b.msgSetRoutingId || !b.msgSetGroup || !b.msgSend ||
      !b.msgClose
    ) {
      throw new ZmqError(
        "ENOTSUP",
        b.errnos.ENOTSUP,
        "This backend has no draft API",
      );
    }
    let rc = b.msgInitSize(frameBytes(frame));
    if (rc === 0) {
      rc = routingId !== 0 ? b.msgSetRoutingId(routingId) : 0;
      if (rc === 0 && group !== null) rc = b.msgSetGroup(group);
      rc = rc === 0 ? b.msgSend(this.#h) : -1;
      // zmq_msg_close leaves errno alone when it succeeds.
      if (rc < 0) b.msgClose();
    }
    if (rc >= 0) return true;
    this.#checkAgain();
    return false;
  }

  /**
   * Hands a message to libzmq if that can be done at once (nothing queued
   * before it, and no fairness yield due when `fair`): true when all of it was
   * accepted, else the frames and how many were accepted.
   */
  #sendNow(message: Message, fair: boolean): SendAttempt {
    const single = !Array.isArray(message);
    const frames = single ? null : toFrames(message as readonly Frame[]);
    const bytes = single ? frameBytes(message as Frame) : null;
    if (this.#sends.length > 0 || (fair && sendFairnessCheck(message))) {
      return { frames: frames ?? [message as Frame], next: 0 };
    }
    if (bytes) {
      if (this.#b.send(this.#h, bytes, 0) >= 0) return true;
      this.#checkAgain();
      return { frames: [message as Frame], next: 0 };
    }
    const next = this.#sendFrames(frames!, 0);
    return next === frames!.length ? true : { frames: frames!, next };
  }

  /** Sends a message only if libzmq accepts it right now (see Writable.trySend). */
  trySend(message: Message): boolean {
    const attempt = this.#sendNow(message, false);
    if (attempt === true) {
      this.#afterFastPath();
      return true;
    }
    if (attempt.next === 0) return false;
    // libzmq took the first frames: the rest must follow (they will: libzmq
    // checks the high-water mark on the first frame only).
    const op: PendingSend = { resolve: () => {}, reject: () => {}, ...attempt };
    this.#sends.push(op);
    this.#scheduleService();
    return true;
  }

  /** Hands frames to libzmq from `next` on; returns the index reached (EAGAIN stops early). */
  #sendFrames(frames: readonly Frame[], next: number): number {
    const last = frames.length - 1;
    for (; next <= last; next++) {
      const bytes = frameBytes(frames[next]);
      if (this.#b.send(this.#h, bytes, next < last ? SNDMORE : 0) < 0) {
        this.#checkAgain();
        break;
      }
    }
    return next;
  }

  // ---- receiving ------------------------------------------------------------

  /** Receives the next message (the caller checked the socket may be used). */
  receive(): Promise<Uint8Array[]> {
    let message: Uint8Array[] | null;
    try {
      message = this.#receiveNow();
    } catch (err) {
      return Promise.reject(err);
    }
    return message ? Promise.resolve(message) : this.#receiveLater();
  }

  /** A whole message if one is there right now and none is awaited, else null. */
  tryReceive(): Uint8Array[] | null {
    if (this.#receives.length > 0) return null;
    const message = this.#readMessage();
    if (message) this.#afterFastPath();
    return message;
  }

  /**
   * The next message if it can be had without waiting (nothing queued before
   * it, no fairness yield due, libzmq has one); null otherwise.
   */
  #receiveNow(): Uint8Array[] | null {
    // A zero timeout means "now or never": no fairness yield for those.
    if (
      this.#receives.length > 0 ||
      (this.receiveTimeout !== 0 && fairnessCheck())
    ) return null;
    const message = this.#readMessage();
    if (message) this.#afterFastPath();
    return message;
  }

  /** Queues a receive behind the others, honouring receiveTimeout. */
  #receiveLater(): Promise<Uint8Array[]> {
    if (this.receiveTimeout === 0) {
      return Promise.reject(this.#timeoutError("receive"));
    }
    return new Promise<Uint8Array[]>((resolve, reject) => {
      const op: PendingReceive = { resolve, reject };
      if (this.receiveTimeout > 0) {
        op.timer = setTimeout(() => {
          if (this.#receives.remove(op)) {
            reject(this.#timeoutError("receive"));
            this.#afterQueueChange();
          }
        }, this.receiveTimeout);
      }
      this.#receives.push(op);
      this.#scheduleService();
    });
  }

  /** Reads one whole message without waiting, or returns null on EAGAIN. */
  #readMessage(): Uint8Array[] | null {
    const b = this.#b, h = this.#h;
    let size = b.receive(h);
    if (size < 0) {
      this.#checkAgain();
      return null;
    }
    // Draft sockets: the routing id or group rides on the (single) frame;
    // read before readFrame, which may release a big frame.
    const metadata = this.#metadata === null
      ? undefined
      : this.#metadata === "routingId"
      ? b.receivedRoutingId!()
      : b.receivedGroup!();
    const first = this.#frameOf(size);
    // An array literal: a push onto `[]` grows its storage on every message
    // (14 -> 7 ns on Node 20, 18 -> 7 on Deno, and less garbage).
    const frames: Uint8Array[] = [first];
    if (metadata !== undefined) {
      (frames as MessageWithMetadata)[metadataKey] = metadata;
    }
    for (;;) {
      if (!b.receivedMore()) return frames;
      // The rest of a multipart message is already there: libzmq delivers it atomically.
      size = b.receive(h);
      while (size < 0 && b.errno() === this.#eintr) size = b.receive(h);
      if (size < 0) throw zmqError(b);
      frames.push(this.#frameOf(size));
    }
  }

  /** The frame just received (`size` bytes); big ones taken whole where the backend can. */
  #frameOf(size: number): Uint8Array {
    const b = this.#b;
    if (size > POOLED_MAX && b.takeFrame) return b.takeFrame();
    const frame = pool.take(size);
    b.readFrame(frame);
    return frame;
  }

  /**
   * Iterates over incoming messages until the socket is closed.
   *
   * Hand-written rather than an async generator: a message that is already
   * there costs one resolved promise, where a generator costs several
   * (measured: 1.0-1.4 M msg/s against 1.6-2.4 M for a plain receive loop).
   * Fast streams still yield to the event loop regularly (see fairness.ts).
   */
  messages(): AsyncIterableIterator<Uint8Array[]> {
    const done: IteratorReturnResult<undefined> = {
      value: undefined,
      done: true,
    };
    const wrap = (
      value: Uint8Array[],
    ): IteratorResult<Uint8Array[], undefined> => ({
      value,
      done: false,
    });
    const endOnClose = (err: unknown) => {
      if (this.#closed) return done;
      throw err;
    };
    let finished = false;
    return {
      next: () => {
        if (finished || this.#closed) return Promise.resolve(done);
        try {
          this.#host.assertUsable();
          const message = this.#receiveNow();
          if (message) return Promise.resolve(wrap(message));
        } catch (err) {
          return Promise.reject(err);
        }
        return this.#receiveLater().then(wrap, endOnClose);
      },
      return: () => {
        finished = true;
        return Promise.resolve(done);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  // ---- waiting --------------------------------------------------------------

  /** Calls `observer` whenever readiness may have changed; returns the undo. */
  observe(observer: () => void): () => void {
    if (this.#closed) throw closedSocketError(this.#b.errnos);
    if (this.#observers === NO_OBSERVERS) this.#observers = new Set();
    this.#observers.add(observer);
    this.#park();
    return () => {
      this.#observers.delete(observer);
      this.#afterQueueChange();
    };
  }

  /** Something elsewhere may have let this socket proceed: serve it soon. */
  poke(): void {
    this.#scheduleService();
  }

  /**
   * Closes: `closing` runs once the socket counts as closed; then observers
   * are told and every pending operation is rejected with ENOTSOCK. At exit
   * they are dropped instead: no code could handle the rejection, and
   * runtimes would print it as unhandled.
   */
  close(closing: () => void): void {
    this.#closed = true;
    closing();
    this.#unpark();
    const observers = [...this.#observers];
    this.#observers.clear();
    const receives = this.#receives.drain(), sends = this.#sends.drain();
    if (processExiting()) {
      for (const op of [...receives, ...sends]) settle(op);
      return;
    }
    for (const observer of observers) observer();
    const error = closedSocketError(this.#b.errnos);
    for (const op of receives) settle(op).reject(error);
    for (const op of sends) settle(op).reject(error);
  }

  /**
   * Throws unless the last failed call failed with EAGAIN, or EINTR (a signal,
   * e.g. a profiler's, interrupted libzmq's mailbox read): both mean "later".
   */
  #checkAgain(): void {
    const errno = this.#b.errno();
    if (errno !== this.#eagain && errno !== this.#eintr) {
      throw zmqError(this.#b, undefined, errno);
    }
  }

  #timeoutError(what: "send" | "receive"): ZmqError {
    return new ZmqError(
      "EAGAIN",
      this.#eagain,
      `Socket ${what} timed out after ${
        what === "send" ? this.sendTimeout : this.receiveTimeout
      } ms`,
    );
  }

  /**
   * After a synchronous success: the call may have consumed the notification a
   * waiter in the other direction was parked on, so that waiter looks again;
   * and inproc peers of this context may now be able to proceed.
   */
  #afterFastPath(): Promise<void> {
    if (this.#parking.parked) this.#scheduleService();
    this.#ctx.noteOperation();
    return RESOLVED;
  }

  #afterQueueChange(): void {
    if (
      this.#receives.length === 0 && this.#sends.length === 0 &&
      this.#observers.size === 0
    ) {
      this.#unpark();
    }
  }

  #scheduleService(): void {
    if (this.#serviceScheduled) return;
    this.#serviceScheduled = true;
    queueMicrotask(() => {
      this.#serviceScheduled = false;
      this.#service();
    });
  }

  /** Serves queued operations as far as libzmq allows, then parks or unparks. */
  #service(): void {
    if (this.#closed) return;
    if (fairnessCheck()) {
      // Too long without a macrotask: let timers and I/O run first.
      yieldToEventLoop(this.#wake);
      return;
    }
    const b = this.#b, h = this.#h;
    let progress = false;
    for (;;) {
      while (this.#receives.length > 0) {
        let message: Uint8Array[] | null;
        try {
          message = this.#readMessage();
        } catch (err) {
          settle(this.#receives.shift()!).reject(err);
          continue;
        }
        if (!message) break;
        settle(this.#receives.shift()!).resolve(message);
        progress = true;
      }
      while (this.#sends.length > 0) {
        const op = this.#sends.peek()!;
        try {
          op.next = op.draft
            ? (this.#sendDraftFrame(op.frames[0], op.draft) ? 1 : 0)
            : this.#sendFrames(op.frames, op.next);
        } catch (err) {
          this.#sends.shift();
          settle(op).reject(err);
          continue;
        }
        if (op.next < op.frames.length) break;
        this.#sends.shift();
        settle(op).resolve();
        progress = true;
      }
      if (this.#receives.length === 0 && this.#sends.length === 0) {
        if (this.#observers.size > 0) this.#park();
        else this.#unpark();
        break;
      }
      // ZMQ_FD is edge-triggered: a command consumed by a call may have made
      // the socket ready without a signal, so look at ZMQ_EVENTS before
      // parking. (Skipping it when the failed call alone should prove "not
      // ready" was measured: 2.2x slower inproc, 15k poll round trips per 1M
      // messages instead of ~30.)
      const wanted = (this.#receives.length > 0 ? POLLIN : 0) |
        (this.#sends.length > 0 ? POLLOUT : 0);
      let events = b.events(h);
      if (
        events >= 0 && !(events & wanted) && this.#host.isRemote() &&
        b.yieldThread &&
        this.#ctx.socketCount() === 1
      ) {
        events = this.#spin(wanted);
      }
      if (events < 0 || !(events & wanted)) {
        this.#park();
        break;
      }
    }
    if (progress) this.#ctx.noteOperation();
    if (this.#observers.size > 0) {
      for (const observer of [...this.#observers]) {
        observer();
      }
    }
  }

  /**
   * The only socket of its context, when it talks to remote peers, spins
   * briefly (yielding the CPU to libzmq's I/O thread) before parking: a
   * parked wait costs a poll on another thread and a cross-thread wake-up
   * (~30 us on a busy core), which dominated request-reply latency (tcp
   * REQ/REP 16 B, pinned: 150 us -> 68-85 us a round trip; native libzmq
   * 81-104 us). With other sockets in the context, or inproc peers, the peer
   * is likely on this very thread, which a spin would only hold up (measured:
   * a same-process tcp PUSH/PULL fell from 1.4 M to 80 k msg/s).
   */
  #spin(wanted: number): number {
    const b = this.#b, h = this.#h;
    const deadline = performance.now() + SPIN_MS;
    let events = 0;
    do {
      b.yieldThread!();
      events = b.events(h);
    } while (events >= 0 && !(events & wanted) && performance.now() < deadline);
    return events;
  }

  #park(): void {
    if (this.#parking.parked) return;
    this.#parking = this.#ctx.reactor().watch(this.#h, this.#wake);
  }

  #unpark(): void {
    if (!this.#parking.parked) return;
    this.#ctx.reactor().unwatch(this.#h);
  }
}
