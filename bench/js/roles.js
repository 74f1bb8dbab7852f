// @ts-check
/**
 * The JavaScript side of the benchmark, written once for every JS binding
 * that shares the zeromq.js-style API (`new Push(options)`, `await bind`,
 * `connect`, `await send`, `await receive`, `for await` over a socket):
 * deno-zmq on Deno (deno_ours.ts), deno-zmq's npm build and zeromq.js on Node
 * (node_peer.mjs).
 *
 * Each role follows the harness protocol (bench/process.ts): a binding side
 * prints `ready ENDPOINT`, the measuring side prints `result VALUE [key=value
 * ...]` last, every side prints `cpu SECONDS` (its process' CPU time over the
 * measured interval), and a role that cannot run prints `na REASON`.
 *
 * @module
 */

/**
 * @typedef {object} BenchSocket
 * @property {(endpoint: string) => Promise<void>} bind
 * @property {(endpoint: string) => void} connect
 * @property {() => void} close
 * @property {string} lastEndpoint
 */

/**
 * @typedef {{ send: (message: Uint8Array | Uint8Array[]) => Promise<void>, trySend?: (message: Uint8Array) => boolean, sendMany?: (messages: Uint8Array[]) => Promise<void>, writable?: boolean }} Sends
 * @typedef {{ receive: () => Promise<Uint8Array[]>, tryReceive?: () => Uint8Array[] | null, receiveMany?: (max: number) => Promise<Uint8Array[][]> }} Receives
 * @typedef {Record<string, unknown>} Options
 * @typedef {new (options?: Options) => BenchSocket & Sends} PushClass
 * @typedef {new (options?: Options) => BenchSocket & AsyncIterable<unknown> & Receives} PullClass
 * @typedef {new (options?: Options) => BenchSocket & Sends & Receives} ReqRepClass
 */

/**
 * What a launcher hands to the roles.
 * @typedef {object} Binding
 * @property {PushClass} Push
 * @property {PullClass} Pull
 * @property {ReqRepClass} Request
 * @property {ReqRepClass} Reply
 * @property {(backend: string) => { close(): Promise<void> }} newContext a context on the named backend (throws if unavailable)
 * @property {() => Promise<void>} finish called once a role is done: flush lingering messages, release the context
 * @property {() => { rss: number, heapUsed: number }} memory resident set size and JS heap in use, in bytes
 * @property {() => Promise<void>} peerDone resolves at end-of-file on stdin (the harness closes it once the receiver is done)
 * @property {() => number} cpu CPU time of the whole process (user + system, every thread) in seconds
 * @property {SenderWorker} [senderWorker] starts a Worker that sends on a context shared with this thread (absent: the binding cannot share one)
 */

/**
 * A Worker sending COUNT frames of SIZE bytes to ENDPOINT on CONTEXT (shared
 * through its address); `sent` settles once all were sent, `close()` closes
 * the Worker's socket and ends it.
 * @typedef {(context: unknown, endpoint: string, count: number, size: number) => { sent: Promise<void>, close: () => Promise<void> }} SenderWorker
 */

/**
 * @typedef {(zmq: Binding, endpoint: string, count: number, size: number, backend?: string) => Promise<void>} Role
 */

/**
 * Prints `cpu SECONDS`: the CPU time spent since SINCE (a `zmq.cpu()` reading).
 * @param {Binding} zmq
 * @param {number} since
 */
function cpuSince(zmq, since) {
  console.log(`cpu ${(zmq.cpu() - since).toFixed(6)}`);
}

/** @param {string} endpoint */
function ready(endpoint) {
  console.log(`ready ${endpoint}`);
}

/**
 * @param {number} value
 * @param {Record<string, number>} [extra]
 */
function result(value, extra = {}) {
  const pairs = Object.entries(extra).map(([k, v]) => ` ${k}=${v}`).join("");
  console.log(`result ${value}${pairs}`);
}

/** Messages per batch in the batch roles. */
const BATCH = 1000;

/**
 * Receive loop: COUNT messages, msgs/s from the first to the last, one at a
 * time (`for await`) or, BATCHED, with `receiveMany(BATCH)`.
 * @param {Binding} zmq
 * @param {string} endpoint
 * @param {number} count
 * @param {boolean} batched
 * @param {string} [backend]
 */
async function pullLoop(zmq, endpoint, count, batched, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const pull = new zmq.Pull(contextOf(opened));
  const receiveMany = pull.receiveMany?.bind(pull);
  if (batched && !receiveMany) {
    pull.close();
    console.log("na this binding has no receiveMany");
    return;
  }
  await pull.bind(endpoint);
  ready(pull.lastEndpoint);
  let received = 0;
  let start = 0, cpu = 0;
  if (batched) {
    await pull.receive();
    [received, start, cpu] = [1, performance.now(), zmq.cpu()];
    while (received < count) {
      const max = Math.min(BATCH, count - received);
      received += (await receiveMany?.(max))?.length ?? 0;
    }
  } else {
    for await (const _ of pull) {
      if (received === 0) [start, cpu] = [performance.now(), zmq.cpu()];
      if (++received === count) break;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  cpuSince(zmq, cpu);
  pull.close();
  await opened.context?.close();
  await zmq.finish();
  result(Math.round((count - 1) / seconds));
}

/**
 * Send loop: COUNT frames of SIZE bytes, one `send` each or, BATCHED,
 * `sendMany` of BATCH; stays connected until the receiver is done (stdin
 * closed), then delivers what lingers and exits.
 * @param {Binding} zmq
 * @param {string} endpoint
 * @param {number} count
 * @param {number} size
 * @param {boolean} batched
 * @param {string} [backend]
 */
async function pushLoop(zmq, endpoint, count, size, batched, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const push = new zmq.Push({ linger: -1, ...contextOf(opened) });
  const sendMany = push.sendMany?.bind(push);
  if (batched && !sendMany) {
    push.close();
    console.log("na this binding has no sendMany");
    return;
  }
  push.connect(endpoint);
  const frame = new Uint8Array(size);
  const batch = new Array(BATCH).fill(frame);
  const cpu = zmq.cpu();
  if (batched) {
    for (let sent = 0; sent < count; sent += BATCH) {
      const messages = count - sent < BATCH
        ? batch.slice(0, count - sent)
        : batch;
      await sendMany?.(messages);
    }
  } else {
    for (let i = 0; i < count; i++) await push.send(frame);
  }
  await zmq.peerDone();
  cpuSince(zmq, cpu);
  push.close();
  await opened.context?.close();
  await zmq.finish();
}

/** REP side: echo COUNT requests. @type {Role} */
async function latRep(zmq, endpoint, count, _size, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const rep = new zmq.Reply(contextOf(opened));
  await rep.bind(endpoint);
  ready(rep.lastEndpoint);
  const cpu = zmq.cpu();
  for (let i = 0; i < count; i++) {
    const message = await rep.receive();
    await rep.send(message);
  }
  cpuSince(zmq, cpu);
  rep.close();
  await opened.context?.close();
  await zmq.finish();
}

/** REQ side: COUNT round trips, mean microseconds each, the first (connection setup) not counted. @type {Role} */
async function latReq(zmq, endpoint, count, size, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const req = new zmq.Request(contextOf(opened));
  req.connect(endpoint);
  const frame = new Uint8Array(size);
  await req.send(frame);
  await req.receive();
  const start = performance.now(), cpu = zmq.cpu();
  for (let i = 1; i < count; i++) {
    await req.send(frame);
    await req.receive();
  }
  const micros = (performance.now() - start) * 1000 / (count - 1);
  cpuSince(zmq, cpu);
  req.close();
  await opened.context?.close();
  await zmq.finish();
  result(Number(micros.toFixed(3)));
}

/**
 * PUSH->PULL inproc in one process: a send loop and a `for await` receive loop
 * running concurrently; resolves with msgs/s over the whole transfer and the
 * CPU time it took.
 * @param {Binding} zmq
 * @param {unknown} context
 * @param {string} endpoint
 * @param {number} count
 * @param {number} size
 */
async function stream(zmq, context, endpoint, count, size) {
  const pull = new zmq.Pull(context ? { context } : {});
  await pull.bind(endpoint);
  const push = new zmq.Push(context ? { context } : {});
  push.connect(endpoint);
  const frame = new Uint8Array(size);
  const start = performance.now(), cpu = zmq.cpu();
  const sending = (async () => {
    for (let i = 0; i < count; i++) await push.send(frame);
  })();
  let received = 0;
  if (count > 0) {
    for await (const _ of pull) if (++received === count) break;
  }
  await sending;
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = zmq.cpu() - cpu;
  push.close();
  pull.close();
  return { rate: count / seconds, cpuSeconds };
}

/**
 * Opens a context on BACKEND, or prints `na` and returns undefined when that
 * backend cannot be used here.
 * @param {Binding} zmq
 * @param {string | undefined} backend
 */
function openContext(zmq, backend) {
  try {
    return { context: backend ? zmq.newContext(backend) : undefined };
  } catch (err) {
    console.log(
      `na ${backend} backend unavailable: ${
        err instanceof Error ? err.message : err
      }`,
    );
    return undefined;
  }
}

/**
 * Socket options placing a socket in an opened context (none: the default one).
 * @param {{ context: unknown }} opened
 */
function contextOf(opened) {
  return opened.context ? { context: opened.context } : {};
}

/** Inproc throughput in one process, optionally on a given backend ("wasm"). @type {Role} */
async function thrInproc(zmq, endpoint, count, size, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const { rate, cpuSeconds } = await stream(
    zmq,
    opened.context,
    endpoint,
    count,
    size,
  );
  console.log(`cpu ${cpuSeconds.toFixed(6)}`);
  await opened.context?.close();
  await zmq.finish();
  result(Math.round(rate));
}

/**
 * PUSH->PULL inproc across threads, as native libzmq's reference runs it: the
 * sender in a Worker, the receiver (`for await`) on the main thread, one
 * libzmq context shared between them. msgs/s from the first message to the
 * last; the CPU time covers both threads.
 * @type {Role}
 */
async function thrInprocWorker(zmq, endpoint, count, size) {
  if (!zmq.senderWorker) {
    console.log("na this binding cannot share a context with a Worker");
    return;
  }
  const opened = openContext(zmq, "ffi");
  if (!opened) return;
  const context = opened.context;
  const pull = new zmq.Pull({ context });
  await pull.bind(endpoint);
  const sender = zmq.senderWorker(context, endpoint, count, size);
  let received = 0;
  let start = 0, cpu = 0;
  for await (const _ of pull) {
    if (received === 0) [start, cpu] = [performance.now(), zmq.cpu()];
    if (++received === count) break;
  }
  const seconds = (performance.now() - start) / 1000;
  cpuSince(zmq, cpu);
  await sender.sent;
  await sender.close();
  pull.close();
  await context?.close();
  await zmq.finish();
  result(Math.round((count - 1) / seconds));
}

/**
 * The single-threaded DONTWAIT loop of bench/native/thr_single.c, through the
 * public API: trySend until the high-water mark, tryReceive until empty, then
 * read ZMQ_EVENTS (`writable`) as native does before it would park.
 * @type {Role}
 */
async function thrSingle(zmq, endpoint, count, size, backend) {
  const opened = openContext(zmq, backend);
  if (!opened) return;
  const options = opened.context ? { context: opened.context } : {};
  const pull = new zmq.Pull(options);
  await pull.bind(endpoint);
  const push = new zmq.Push(options);
  push.connect(endpoint);
  const frame = new Uint8Array(size);
  if (!push.trySend || !pull.tryReceive) {
    console.log("na this binding has no trySend/tryReceive");
    return;
  }
  let sent = 0, received = 0;
  const start = performance.now(), cpu = zmq.cpu();
  while (received < count) {
    while (sent < count && push.trySend(frame)) sent++;
    while (pull.tryReceive()) received++;
    void push.writable;
  }
  const rate = count / ((performance.now() - start) / 1000);
  cpuSince(zmq, cpu);
  push.close();
  pull.close();
  await opened.context?.close();
  await zmq.finish();
  result(Math.round(rate));
}

/**
 * RSS before and after streaming COUNT messages inproc (after a 100k warm-up);
 * the JS heap in use is reported too, to tell garbage from a leak.
 * @type {Role}
 */
async function memory(zmq, endpoint, count, size) {
  const mb = (/** @type {number} */ bytes) =>
    Number((bytes / 2 ** 20).toFixed(2));
  await stream(
    zmq,
    undefined,
    `${endpoint}-warmup`,
    Math.min(100_000, count),
    size,
  );
  const before = zmq.memory();
  const { cpuSeconds } = await stream(zmq, undefined, endpoint, count, size);
  const after = zmq.memory();
  console.log(`cpu ${cpuSeconds.toFixed(6)}`);
  await zmq.finish();
  result(mb(after.rss - before.rss), {
    rssBeforeMB: mb(before.rss),
    rssAfterMB: mb(after.rss),
    heapBeforeMB: mb(before.heapUsed),
    heapAfterMB: mb(after.heapUsed),
  });
}

/**
 * The resident memory COUNT idle PULL sockets keep (created, nothing bound or
 * connected), after a first socket has started the context: MB per 1,000
 * sockets, and KB per socket. Garbage is collected before each reading when
 * the runtime lets us (the launchers expose `gc` for this role).
 * @type {Role}
 */
async function memSockets(zmq, _endpoint, count) {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  const first = new zmq.Pull();
  gc?.();
  const before = zmq.memory().rss;
  const cpu = zmq.cpu();
  const sockets = Array.from({ length: count }, () => new zmq.Pull());
  gc?.();
  const after = zmq.memory().rss;
  cpuSince(zmq, cpu);
  for (const socket of [...sockets, first]) socket.close();
  await zmq.finish();
  const grown = after - before;
  result(Number((grown / 2 ** 20 * 1000 / count).toFixed(3)), {
    perSocketKB: Number((grown / 1024 / count).toFixed(2)),
  });
}

/** The roles by the name the harness passes as first argument. */
export const roles = /** @type {Record<string, Role>} */ ({
  thr_pull: (zmq, endpoint, count, _size, backend) =>
    pullLoop(zmq, endpoint, count, false, backend),
  thr_push: (zmq, endpoint, count, size, backend) =>
    pushLoop(zmq, endpoint, count, size, false, backend),
  thr_pull_batch: (zmq, endpoint, count, _size, backend) =>
    pullLoop(zmq, endpoint, count, true, backend),
  thr_push_batch: (zmq, endpoint, count, size, backend) =>
    pushLoop(zmq, endpoint, count, size, true, backend),
  lat_rep: latRep,
  lat_req: latReq,
  thr_inproc: thrInproc,
  thr_inproc_worker: thrInprocWorker,
  thr_single: thrSingle,
  mem: memory,
  mem_sockets: memSockets,
});

/**
 * Runs the role named by ARGS[0] with ARGS `ROLE ENDPOINT COUNT SIZE [BACKEND]`.
 * @param {Binding} zmq
 * @param {string[]} args
 */
export async function main(zmq, args) {
  const [name, endpoint, count, size, backend] = args;
  const role = roles[name];
  if (!role) {
    throw new Error(
      `unknown role "${name}"; one of ${Object.keys(roles).join(", ")}`,
    );
  }
  await role(
    zmq,
    endpoint,
    Number(count),
    Number(size ?? 16),
    backend || undefined,
  );
}
