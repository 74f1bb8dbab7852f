/**
 * Micro-benchmarks of the pieces a message goes through, to find where the
 * time goes per message (issue 14). Everything runs on one thread over an
 * inproc PUSH/PULL pair whose queue is filled beforehand, so each figure is
 * the JS-side cost of one piece, without waiting or I/O threads.
 *
 *   deno run -A bench/micro.ts [--sizes 16,1024,65536] [--count N] [--rounds N]
 *                              [--backend ffi|wasm]
 *
 * Each line is the best of `rounds` rounds (the least disturbed by other
 * work on the machine) of the process' CPU time (user + system), in
 * nanoseconds per message; a "+" line includes the line above it. Raw
 * libzmq calls go through a `Deno.dlopen` of their own; the library's paths
 * use the public API, on the FFI backend or (`--backend wasm`) the WASM one,
 * which leaves the raw lines out.
 *
 * @module
 */

import process from "node:process";
import { Context, loadBackend, Pull, Push } from "../mod.ts";
import { FramePool } from "../src/message.ts";
import { fairnessCheck } from "../src/fairness.ts";
import { zmqSymbols } from "../ffi/deno_symbols.ts";

const args = Deno.args;
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const sizes = arg("--sizes", "16,1024,65536").split(",").map(Number);
const countArg = Number(arg("--count", "0"));
const rounds = Number(arg("--rounds", "5"));
const backend = arg("--backend", "ffi") as "ffi" | "wasm";
await loadBackend(backend);
const raw = backend === "ffi";

// The backend's own symbol table: the same declarations the library calls.
const lib = Deno.dlopen("libzmq.so.5", zmqSymbols).symbols;

const DONTWAIT = 1, ZMQ_SNDHWM = 23, ZMQ_RCVHWM = 24, ZMQ_EVENTS = 15;
const cstr = (s: string) => new TextEncoder().encode(s + "\0");

/** A raw inproc PUSH/PULL pair without high-water marks. */
function rawPair(name: string) {
  const ctx = lib.zmq_ctx_new()!;
  const pull = lib.zmq_socket(ctx, 7)!, push = lib.zmq_socket(ctx, 8)!;
  const zero = new Uint8Array(4);
  for (const [s, o] of [[push, ZMQ_SNDHWM], [pull, ZMQ_RCVHWM]] as const) {
    lib.zmq_setsockopt(s, o, zero, 4n);
  }
  lib.zmq_bind(pull, cstr(`inproc://${name}`));
  lib.zmq_connect(push, cstr(`inproc://${name}`));
  return {
    push,
    pull,
    close() {
      lib.zmq_close(push);
      lib.zmq_close(pull);
      lib.zmq_ctx_term_sync(ctx);
    },
  };
}

/** CPU time of this process in microseconds (every thread; timing is single-threaded here). */
function cpu(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Best-of-rounds CPU nanoseconds per op of `body(count)`, after `setup()` each round. */
function measure(
  count: number,
  setup: () => void,
  body: (count: number) => void,
): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    setup();
    const start = cpu();
    body(count);
    best = Math.min(best, (cpu() - start) * 1e3 / count);
  }
  return best;
}

async function measureAsync(
  count: number,
  setup: () => void,
  body: (count: number) => Promise<void>,
): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    setup();
    const start = cpu();
    await body(count);
    best = Math.min(best, (cpu() - start) * 1e3 / count);
  }
  return best;
}

/** The raw FFI pieces of a receive, on a pair of our own. */
function rawReceives(
  size: number,
  count: number,
  frame: Uint8Array,
  bigSize: bigint,
  msg: Uint8Array,
): void {
  const pair = rawPair(`micro-${size}`);
  const fill = () => {
    for (let i = 0; i < count; i++) {
      lib.zmq_send(pair.push, frame, bigSize, DONTWAIT);
    }
  };
  const into = new Uint8Array(size);
  const pool = new FramePool();
  const recv = () => lib.zmq_msg_recv(msg, pair.pull, DONTWAIT);
  const pieces: [string, () => unknown][] = [
    ["zmq_msg_recv (FFI call, frame stays in libzmq)", recv],
    [
      "+ zmq_msg_data + UnsafePointerView.copyInto (preallocated target)",
      () => {
        recv();
        Deno.UnsafePointerView.copyInto(lib.zmq_msg_data(msg)!, into);
      },
    ],
    [
      "+ FramePool.take per frame (storage the frame is copied into)",
      () => {
        recv();
        Deno.UnsafePointerView.copyInto(
          lib.zmq_msg_data(msg)!,
          pool.take(size),
        );
      },
    ],
    [
      "zmq_msg_recv + zmq_msg_data + getArrayBuffer view (zero-copy, no lifetime kept)",
      () => {
        recv();
        const data = lib.zmq_msg_data(msg)!;
        return new Uint8Array(
          Deno.UnsafePointerView.getArrayBuffer(data, size),
        );
      },
    ],
    ["zmq_msg_recv + zmq_msg_more", () => (recv(), lib.zmq_msg_more(msg))],
  ];
  for (const [piece, once] of pieces) {
    record(
      size,
      piece,
      measure(count, fill, (n) => {
        for (let i = 0; i < n; i++) once();
      }),
    );
  }
  pair.close();
}

const rows: { size: number; piece: string; ns: number }[] = [];
const record = (size: number, piece: string, ns: number) => {
  rows.push({ size, piece, ns });
  console.error(
    `${String(size).padStart(6)} B  ${ns.toFixed(1).padStart(8)} ns  ${piece}`,
  );
};

for (const size of sizes) {
  const count = countArg || (size <= 1024 ? 100_000 : 10_000);
  const frame = new Uint8Array(size);
  const bigSize = BigInt(size);
  const msg = new Uint8Array(64);
  lib.zmq_msg_init(msg);
  if (raw) rawReceives(size, count, frame, bigSize, msg);

  // ---- receive through the library ----
  const context = new Context({ backend });
  const pull = new Pull({ context, receiveHighWaterMark: 0 });
  const push = new Push({ context, sendHighWaterMark: 0 });
  await pull.bind(`inproc://lib-${size}`);
  push.connect(`inproc://lib-${size}`);
  const libFill = () => {
    for (let i = 0; i < count; i++) {
      if (!push.trySend(frame)) throw new Error("trySend refused");
    }
  };
  record(
    size,
    "library: tryReceive() (no promise)",
    measure(count, libFill, (n) => {
      for (let i = 0; i < n; i++) {
        if (!pull.tryReceive()) throw new Error("empty");
      }
    }),
  );
  record(
    size,
    "library: await receive()",
    await measureAsync(count, libFill, async (n) => {
      for (let i = 0; i < n; i++) await pull.receive();
    }),
  );
  record(
    size,
    "library: for await (iterator)",
    await measureAsync(count, libFill, async (n) => {
      let i = 0;
      for await (const _ of pull) if (++i === n) break;
    }),
  );

  // ---- send through the library (drained untimed by tryReceive) ----
  const drain = () => {
    while (pull.tryReceive());
  };
  record(
    size,
    "library: trySend()",
    measure(count, drain, (n) => {
      for (let i = 0; i < n; i++) push.trySend(frame);
    }),
  );
  record(
    size,
    "library: await send()",
    await measureAsync(count, drain, async (n) => {
      for (let i = 0; i < n; i++) await push.send(frame);
    }),
  );
  drain();
  if (raw) rawSend(size, count, frame, bigSize, msg);
  push.close();
  pull.close();
  await context.close();
  lib.zmq_msg_close(msg);
}

/** The raw FFI send, on a pair of our own. */
function rawSend(
  size: number,
  count: number,
  frame: Uint8Array,
  bigSize: bigint,
  msg: Uint8Array,
): void {
  const raw2 = rawPair(`micro-send-${size}`);
  record(
    size,
    "zmq_send (FFI call)",
    measure(count, () => {
      while (lib.zmq_msg_recv(msg, raw2.pull, DONTWAIT) >= 0);
    }, (n) => {
      for (let i = 0; i < n; i++) {
        lib.zmq_send(raw2.push, frame, bigSize, DONTWAIT);
      }
    }),
  );
  while (lib.zmq_msg_recv(msg, raw2.pull, DONTWAIT) >= 0);
  raw2.close();
}

// ---- JS pieces, independent of the frame size ----
const N = 1_000_000;
const value = [new Uint8Array(1)];
record(
  0,
  "Promise.resolve(x) + await",
  await measureAsync(N, () => {}, async (n) => {
    for (let i = 0; i < n; i++) await Promise.resolve(value);
  }),
);
record(
  0,
  "new Promise + resolve + await",
  await measureAsync(N, () => {}, async (n) => {
    for (let i = 0; i < n; i++) await new Promise((r) => r(value));
  }),
);
let sink: unknown;
record(
  0,
  "iterator result object { value, done }",
  measure(N, () => {}, (n) => {
    for (let i = 0; i < n; i++) sink = { value, done: false };
  }),
);
record(
  0,
  "frames array [frame]",
  measure(N, () => {}, (n) => {
    for (let i = 0; i < n; i++) sink = [value[0]];
  }),
);
record(
  0,
  "fairnessCheck()",
  measure(N, () => {}, (n) => {
    for (let i = 0; i < n; i++) sink = fairnessCheck();
  }),
);
record(
  0,
  "performance.now()",
  measure(N, () => {}, (n) => {
    for (let i = 0; i < n; i++) sink = performance.now();
  }),
);
if (raw) {
  const raw = rawPair("micro-events");
  const out = new Uint8Array(4), len = new BigUint64Array([4n]);
  const lenBytes = new Uint8Array(len.buffer);
  record(
    0,
    "zmq_getsockopt(ZMQ_EVENTS)",
    measure(100_000, () => {}, (n) => {
      for (let i = 0; i < n; i++) {
        len[0] = 4n;
        lib.zmq_getsockopt(raw.pull, ZMQ_EVENTS, out, lenBytes);
      }
    }),
  );
  raw.close();
}
void sink;

if (args.includes("--json")) console.log(JSON.stringify(rows));
