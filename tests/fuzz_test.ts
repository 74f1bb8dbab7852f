// Bad input: random sequences of API calls (fast-check), garbage and
// truncated or oversized ZMTP from a raw TCP client, out-of-range option
// values, bad endpoints, invalid UTF-8 in frames. Nothing may crash or hang;
// every failure is a ZmqError or TypeError with a message.
//
// DENO_ZMQ_SOAK=1 runs many more random sequences (DENO_ZMQ_FUZZ_SEED fixes the seed).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Context,
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  type Socket,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
  ZmqError,
} from "../mod.ts";
import {
  dealerOptions,
  publisherOptions,
  requestOptions,
  routerOptions,
  socketOptions,
  subscriberOptions,
  xPublisherOptions,
  xSubscriberOptions,
} from "../src/options.ts";
import { backends, endpoint, sleep, testEach, within } from "./helpers.ts";

const env = (name: string) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};
const SOAK = env("DENO_ZMQ_SOAK") === "1";
const SEQUENCES = SOAK ? 5000 : 150; // per backend
// CI runs a fixed seed, so its result does not depend on luck: libzmq 4.3.4
// still aborts on rare inproc sequences (pipe.cpp:87, about once in a few
// thousand). DENO_ZMQ_FUZZ_SEED picks another; DENO_ZMQ_SOAK=1 runs random ones.
const SEED = env("DENO_ZMQ_FUZZ_SEED") ?? (SOAK ? undefined : "20261121");
// Each sequence is written here before it runs: a libzmq abort kills the
// process before fast-check can report (or shrink) the failing case.
const LOG = env("DENO_ZMQ_FUZZ_LOG");
// Inproc scenarios that abort the process (libzmq 4.3.4 assertions, see the
// BUG tests below): STREAM sockets on inproc, and connecting to an inproc name
// before it is bound (pending connections: pipe.cpp:87 "written", ctx.cpp:809
// "ok"). Left out unless asked for (DENO_ZMQ_FUZZ_ABORTS=1): with them, CI
// runs of 300 sequences aborted about every other time.
const ABORTS = env("DENO_ZMQ_FUZZ_ABORTS") === "1";
// Regression tests of library bugs this suite found (all fixed).
const bugTest = (
  name: string,
  body: (context: Context, backend: "ffi" | "wasm") => Promise<void>,
) => {
  for (const backend of backends()) {
    Deno.test({
      name: `${name} [${backend}]`,
      fn: async () => {
        const context = new Context({ backend });
        try {
          await body(context, backend);
        } finally {
          await context.close();
        }
      },
    });
  }
};

// ---- random API sequences ---------------------------------------------------

const CLASSES = {
  Pair,
  Publisher,
  Subscriber,
  Request,
  Reply,
  Dealer,
  Router,
  Pull,
  Push,
  XPublisher,
  XSubscriber,
  Stream,
} as const;
type ClassName = keyof typeof CLASSES;

// Every option name of every socket type, plus names that are no option.
// useFd is left out: it makes libzmq take over an arbitrary fd of this process.
const OPTION_NAMES = [
  ...new Set([
    ...Object.keys(socketOptions),
    ...Object.keys(routerOptions),
    ...Object.keys(dealerOptions),
    ...Object.keys(requestOptions),
    ...Object.keys(publisherOptions),
    ...Object.keys(subscriberOptions),
    ...Object.keys(xPublisherOptions),
    ...Object.keys(xSubscriberOptions),
  ]),
].filter((name) => name !== "useFd");

/** Values of every kind, with the boundaries options care about. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer(),
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 64, -1),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 20 }), // lone surrogates included
  fc.bigInt(),
  fc.constantFrom(null, undefined, NaN, Infinity, -0),
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom({}, [], [1, 2], new Date(0), Symbol("x"), () => 1),
);

/** Frames users may send, and things that are not frames. */
const frame: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) => b.buffer),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) =>
      new DataView(b.buffer)
    ),
  },
  { weight: 1, arbitrary: fc.float64Array({ maxLength: 4 }) },
  { weight: 2, arbitrary: anyValue }, // garbage
);
const message = fc.oneof(
  frame,
  fc.array(frame, { maxLength: 4 }),
  fc.array(fc.array(frame, { maxLength: 2 }), { maxLength: 2 }), // nested: garbage
);

/** An endpoint: good and bad inproc (both backends) and tcp (FFI). */
const endpointArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "inproc://a",
      "inproc://b",
      "inproc://c",
    ),
  },
  {
    weight: 2,
    arbitrary: fc.string({ maxLength: 30 }).map((s) => `inproc://${s}`),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "tcp://127.0.0.1:*",
      "tcp://127.0.0.1:0",
      "LAST", // the tcp endpoint last bound in this sequence
      "tcp://127.0.0.1:1", // nobody listens (connect), privileged (bind)
      "tcp://127.0.0.1:65536",
      "tcp://127.0.0.1:-1",
      "tcp://127.0.0.1:notaport",
      "tcp://256.1.1.1:5555",
      "tcp://127.0.0.2:1", // loopback, but not 127.0.0.1; nobody listens
      "tcp://no-such-interface0:*",
      "tcp://[::1]:*",
      "tcp://",
      "tcp://127.0.0.1",
      "udp://127.0.0.1:5555",
      "pgm://127.0.0.1;239.192.1.1:5555",
      "carrier-pigeon://home",
      "ipc://",
      "",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: anyValue }, // not a string
);

type Command =
  | { op: "create"; type: ClassName; options: [string, unknown][] }
  | { op: "bind" | "unbind" | "connect" | "disconnect"; s: number; to: unknown }
  | { op: "send" | "trySend"; s: number; message: unknown }
  | { op: "receive"; s: number; timeout: number }
  | { op: "tryReceive" | "close" | "readable"; s: number }
  | { op: "set"; s: number; name: string; value: unknown }
  | { op: "get"; s: number; name: string }
  | { op: "subscribe"; s: number; prefixes: unknown[] }
  | { op: "connectWithId"; s: number; to: unknown; routingId: unknown }
  | { op: "wait"; ms: number };

const socketIndex = fc.nat({ max: 7 });
const optionName = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...OPTION_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom("nonsense", "context", "handle") },
);
const createCommand = fc.record({
  op: fc.constant("create" as const),
  type: fc.constantFrom(...Object.keys(CLASSES) as ClassName[]),
  options: fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(optionName, anyValue), { maxLength: 2 }),
    },
  ),
});
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("create" as const),
      type: fc.constantFrom(...Object.keys(CLASSES) as ClassName[]),
      options: fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
        {
          weight: 1,
          arbitrary: fc.array(fc.tuple(optionName, anyValue), { maxLength: 2 }),
        },
      ),
    }),
  },
  ...(["bind", "unbind", "connect", "disconnect"] as const).map((op) => ({
    weight: op === "bind" || op === "connect" ? 4 : 1,
    arbitrary: fc.record({
      op: fc.constant(op),
      s: socketIndex,
      to: endpointArb,
    }),
  })),
  ...(["send", "trySend"] as const).map((op) => ({
    weight: op === "send" ? 5 : 2,
    arbitrary: fc.record({ op: fc.constant(op), s: socketIndex, message }),
  })),
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("receive" as const),
      s: socketIndex,
      timeout: fc.integer({ min: 0, max: 20 }),
    }),
  },
  ...(["tryReceive", "close", "readable"] as const).map((op) => ({
    weight: op === "close" ? 2 : 1,
    arbitrary: fc.record({ op: fc.constant(op), s: socketIndex }),
  })),
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      s: socketIndex,
      name: optionName,
      value: anyValue,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("get" as const),
      s: socketIndex,
      name: optionName,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("subscribe" as const),
      s: socketIndex,
      prefixes: fc.array(anyValue, { maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("connectWithId" as const),
      s: socketIndex,
      to: endpointArb,
      routingId: anyValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      ms: fc.integer({ min: 0, max: 5 }),
    }),
  },
);

/** Failures seen, by kind, over all sequences (reported at the end). */
const failureKinds = new Map<string, number>();
let sequencesRun = 0;
let callsMade = 0;

/** A failure must be a ZmqError (with a code) or a TypeError/RangeError, with a message. */
function checkFailure(err: unknown, what: string): void {
  const ok = (err instanceof ZmqError &&
    typeof err.code === "string" && err.code.length > 0) ||
    err instanceof TypeError || err instanceof RangeError;
  if (!ok) {
    throw new Error(
      `${what} failed with ${String(err)}, not a ZmqError or TypeError`,
      {
        cause: err,
      },
    );
  }
  const e = err as Error;
  if (!e.message || e.message.trim().length === 0) {
    throw new Error(`${what} failed with an empty message (${e.name})`);
  }
  const kind = err instanceof ZmqError ? `ZmqError ${err.code}` : e.name;
  failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
}

function describe(value: unknown, max = 60): string {
  if (typeof value === "symbol" || typeof value === "function") {
    return String(value);
  }
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  try {
    return JSON.stringify(
      value,
      (_, v) =>
        typeof v === "bigint"
          ? `${v}n`
          : v instanceof Uint8Array
          ? `Uint8Array(${v.length})`
          : v,
    )?.slice(0, max) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Runs one random sequence in a fresh context; every call bounded, everything settled at the end. */
async function runSequence(backend: "ffi" | "wasm", commands: Command[]) {
  if (LOG) {
    Deno.writeTextFileSync(
      LOG,
      `${backend} ${commands.map((c) => describe(c, 400)).join("\n  ")}\n`,
      { append: true },
    );
  }
  const context = new Context({ backend });
  const sockets: Socket[] = [];
  const pending: Promise<unknown>[] = [];
  let lastTcp = "tcp://127.0.0.1:1";
  // Inproc names bound in this sequence, and by which socket.
  const boundInproc = new Map<unknown, Socket>();
  const pick = (s: number) =>
    sockets.length ? sockets[s % sockets.length] : undefined;
  // Whatever an operation returns or throws, synchronously or later, is checked.
  const call = (what: string, fn: () => unknown) => {
    callsMade++;
    let result: unknown;
    try {
      result = fn();
    } catch (err) {
      checkFailure(err, what);
      return;
    }
    if (result instanceof Promise) {
      pending.push(result.then(() => {}, (err) => checkFailure(err, what)));
    }
  };
  // A linger above this would make closing the context wait that long: lower it first.
  const unlinger = (socket: Socket) => {
    try {
      if (!socket.closed && socket.linger !== 0) socket.linger = 0;
    } catch { /* closed or owned */ }
  };
  try {
    for (const c of commands) {
      const socket = "s" in c ? pick(c.s) : undefined;
      const any = socket as unknown as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const target = "to" in c ? (c.to === "LAST" ? lastTcp : c.to) : undefined;
      const what = `${c.op}(${
        describe("to" in c ? target : "")
      }) on ${socket?.constructor.name}`;
      if (
        !ABORTS && typeof target === "string" &&
        target.startsWith("inproc:") &&
        (socket instanceof Stream ||
          (socket instanceof Pair && c.op === "bind"))
      ) continue;
      switch (c.op) {
        case "create":
          call(
            `new ${c.type}(${describe(Object.fromEntries(c.options))})`,
            () => {
              sockets.push(
                new CLASSES[c.type](
                  { context, ...Object.fromEntries(c.options) } as never,
                ),
              );
            },
          );
          break;
        case "bind":
          if (!socket) break;
          call(what, () => {
            const bound = socket.bind(target as string);
            // bind() completes synchronously (the promise is for API symmetry).
            try {
              const last = socket.lastEndpoint;
              if (last.startsWith("tcp://")) lastTcp = last;
              if (last === target) boundInproc.set(last, socket);
            } catch { /* closed, or the bind failed */ }
            return bound;
          });
          break;
        case "unbind":
        case "connect":
        case "disconnect":
          if (socket) call(what, () => socket[c.op](target as string));
          if (c.op === "unbind" && boundInproc.get(target) === socket) {
            boundInproc.delete(target);
          }
          break;
        case "connectWithId":
          if (socket) {
            call(
              what,
              () =>
                any.connect.call(socket, target, { routingId: c.routingId }),
            );
          }
          break;
        case "send":
        case "trySend":
          if (socket && typeof any[c.op] === "function") {
            call(
              `${c.op}(${describe(c.message)})`,
              () => any[c.op].call(socket, c.message),
            );
          }
          break;
        case "receive":
          if (socket && typeof any.receive === "function") {
            call(what, () => {
              socket.receiveTimeout = c.timeout;
              return any.receive.call(socket);
            });
          }
          break;
        case "tryReceive":
          if (socket && typeof any.tryReceive === "function") {
            call(what, () => any.tryReceive.call(socket));
          }
          break;
        case "readable":
          if (socket) call(what, () => [socket.readable, socket.writable]);
          break;
        case "close":
          if (socket) {
            unlinger(socket);
            call(what, () => socket.close());
          }
          break;
        case "set":
          if (socket) {
            call(`set ${c.name} = ${describe(c.value)}`, () => {
              (socket as unknown as Record<string, unknown>)[c.name] = c.value;
            });
          }
          break;
        case "get":
          if (socket) {
            call(
              `get ${c.name}`,
              () => (socket as unknown as Record<string, unknown>)[c.name],
            );
          }
          break;
        case "subscribe":
          if (socket && typeof any.subscribe === "function") {
            call(
              `subscribe(${describe(c.prefixes)})`,
              () => any.subscribe.call(socket, ...c.prefixes),
            );
          }
          break;
        case "wait":
          await sleep(c.ms);
          break;
      }
    }
    await sleep(2);
  } finally {
    for (const socket of sockets) unlinger(socket);
    // A socket created with `context: null` (or undefined) is in
    // Context.default, which the close below does not reach: close it here.
    for (const socket of sockets) {
      if (socket.context !== context) socket.close();
    }
    await within(
      5000,
      context.close(),
      "context close after a random sequence",
    );
  }
  // Closing rejected whatever was still pending: nothing may be left hanging.
  await within(2000, Promise.all(pending), "operations pending after close");
  sequencesRun++;
}

for (const backend of backends()) {
  Deno.test(`fuzz: ${SEQUENCES} random API sequences: no crash, no hang, only ZmqError/TypeError [${backend}]`, async () => {
    const before = sequencesRun;
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.array(createCommand, { minLength: 1, maxLength: 3 }),
          fc.array(command, { minLength: 1, maxLength: 40, size: "max" }),
        ),
        ([creates, commands]) =>
          runSequence(backend, [...creates, ...commands]),
      ),
      {
        numRuns: SEQUENCES,
        ...(SEED ? { seed: Number(SEED) } : {}),
        interruptAfterTimeLimit: SOAK ? undefined : 60_000,
      },
    );
    console.log(
      `${
        sequencesRun - before
      } sequences, ${callsMade} calls so far; failures by kind: ` +
        [...failureKinds].sort((a, b) => b[1] - a[1]).map(([k, n]) =>
          `${k} ${n}`
        ).join(", "),
    );
  });
}

// ---- raw TCP: garbage, truncated greetings, oversized frames --------------

const encoder = new TextEncoder();

/** A ZMTP 3.1 greeting for the NULL mechanism, as a client (what libzmq 4.3 sends). */
function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g.set([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1]);
  g.set(encoder.encode("NULL"), 12);
  return g;
}

/** The READY command of a PUSH peer. */
function ready(socketType = "PUSH"): Uint8Array {
  const name = encoder.encode("Socket-Type"),
    value = encoder.encode(socketType);
  const body = new Uint8Array([
    5,
    ...encoder.encode("READY"),
    name.length,
    ...name,
    0,
    0,
    0,
    value.length,
    ...value,
  ]);
  return new Uint8Array([0x04, body.length, ...body]);
}

/** One message frame; the long form (8-byte size) when `size` says so. */
function frameHeader(size: bigint | number, long = size > 255): Uint8Array {
  if (!long) return new Uint8Array([0x00, Number(size)]);
  const header = new Uint8Array(9);
  header[0] = 0x02;
  new DataView(header.buffer).setBigUint64(1, BigInt(size));
  return header;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) out.set(part, (at += part.length) - part.length);
  return out;
};

/**
 * Greets as a PUSH peer: greeting, then (once libzmq's greeting is in) READY.
 * libzmq 4.3.4 fails the handshake (ZMTP_UNEXPECTED_COMMAND) when a peer
 * pipelines its READY with its greeting; libzmq's own peers never do.
 */
async function handshake(conn: Deno.TcpConn): Promise<void> {
  await conn.write(greeting());
  const buffer = new Uint8Array(256);
  for (let got = 0; got < 64;) {
    const n = await within(3000, conn.read(buffer), "libzmq's greeting");
    if (n === null) throw new Error("closed during the greeting");
    got += n;
  }
  await conn.write(ready());
}

/** Connects a raw TCP client to a `tcp://host:port` endpoint. */
function rawConnect(address: string): Promise<Deno.TcpConn> {
  const [, host, port] = address.match(/^tcp:\/\/(.+):(\d+)$/)!;
  return Deno.connect({ hostname: host, port: Number(port) });
}

/** Whether the peer closed the connection (EOF or reset) within `ms`. */
async function closedByPeer(conn: Deno.TcpConn, ms = 3000): Promise<boolean> {
  const buffer = new Uint8Array(4096);
  const deadline = performance.now() + ms;
  try {
    while (performance.now() < deadline) {
      const n = await within(deadline - performance.now(), conn.read(buffer))
        .catch(() => -1);
      if (n === null) return true;
      if (n === -1) return false;
    }
    return false;
  } catch {
    return true; // reset
  }
}

/** The PULL still receives from a well-behaved peer. */
async function stillHealthy(context: Context, pull: Pull): Promise<void> {
  using push = new Push({ context });
  push.connect(pull.lastEndpoint);
  await push.send("good peer");
  pull.receiveTimeout = 5000;
  assert.deepEqual(
    (await pull.receive()).map((f) => new TextDecoder().decode(f)),
    ["good peer"],
  );
}

testEach(
  "raw tcp: a well-formed ZMTP message from a raw client is delivered (the encoder is right)",
  async (context) => {
    using pull = new Pull({ context, receiveTimeout: 5000 });
    await pull.bind("tcp://127.0.0.1:*");
    const conn = await rawConnect(pull.lastEndpoint);
    try {
      const body = encoder.encode("from a raw socket");
      await handshake(conn);
      await conn.write(
        concat(frameHeader(body.length), body),
      );
      assert.deepEqual(await pull.receive(), [body]);
      const long = new Uint8Array(300).fill(1);
      await conn.write(concat(frameHeader(long.length), long));
      assert.deepEqual(await pull.receive(), [long]);
    } finally {
      conn.close();
    }
  },
);

testEach(
  "raw tcp: garbage bytes and truncated greetings leave the socket healthy",
  async (context) => {
    using pull = new Pull({ context, receiveTimeout: 200 });
    await pull.bind("tcp://127.0.0.1:*");
    const full = concat(greeting(), ready());
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      crypto.getRandomValues(new Uint8Array(1)),
      crypto.getRandomValues(new Uint8Array(64)),
      crypto.getRandomValues(new Uint8Array(10_000)),
      new Uint8Array(100_000).fill(0xff),
      encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      full.subarray(0, 1),
      full.subarray(0, 10), // signature only
      full.subarray(0, 11), // half a version
      full.subarray(0, 40), // mechanism cut short
      full.subarray(0, 64), // greeting, no READY
      concat(greeting(), ready().subarray(0, 5)), // READY cut short
      concat(greeting(), ready("NONSENSE")), // an unknown socket type
      concat(greeting(), ready("PUB")), // an incompatible socket type
      concat(
        greeting().subarray(0, 12),
        encoder.encode("CURVE"),
        new Uint8Array(47),
      ),
      concat(greeting(), ready(), new Uint8Array([0x77, 0x01, 0x00])), // pipelined, bad flags
    ];
    for (let i = 0; i < 20; i++) {
      inputs.push(
        concat(
          full.subarray(0, 10),
          crypto.getRandomValues(new Uint8Array(1 + i * 13)),
        ),
      );
    }
    const conns = await Promise.all(
      inputs.map(() => rawConnect(pull.lastEndpoint)),
    );
    // Some peers send and close, some send and hang on to the connection.
    await Promise.all(conns.map(async (conn, i) => {
      try {
        await conn.write(inputs[i]);
      } catch { /* libzmq may have closed it already */ }
      if (i % 2 === 0) conn.close();
    }));
    // Random bytes not starting with 0xFF can be a valid ZMTP/1.0 stream, which
    // libzmq accepts: whatever it made of them is drained (as bytes).
    for (;;) {
      const message = await pull.receive().catch((err) => {
        assert.equal(err.code, "EAGAIN");
        return null;
      });
      if (!message) break;
      for (const frame of message) assert.ok(frame instanceof Uint8Array);
    }
    // Greeted properly, then garbage frames (flags with the command bit set).
    for (let i = 0; i < 10; i++) {
      const conn = await rawConnect(pull.lastEndpoint);
      conns.push(conn);
      await handshake(conn);
      await conn.write(
        crypto.getRandomValues(new Uint8Array(1 + i * 50)).map((b) => b | 0x04),
      ).catch(() => {});
    }
    await stillHealthy(context, pull);
    for (const [i, conn] of conns.entries()) {
      if (i % 2 === 1 || i >= inputs.length) conn.close();
    }
    await stillHealthy(context, pull);
  },
);

testEach(
  "raw tcp: maxMessageSize is enforced: a bigger frame disconnects the peer and nothing is delivered",
  async (context) => {
    using pull = new Pull({
      context,
      maxMessageSize: 1000,
      receiveTimeout: 300,
    });
    await pull.bind("tcp://127.0.0.1:*");
    const cases: [string, Uint8Array][] = [
      ["1001 bytes", concat(frameHeader(1001), new Uint8Array(1001))],
      [
        "a 1001-byte frame announced, 10 bytes sent",
        concat(frameHeader(1001), new Uint8Array(10)),
      ],
      ["a 2^62-byte frame announced", frameHeader(2n ** 62n, true)],
      ["a 2^64-1-byte frame announced", frameHeader(2n ** 64n - 1n, true)],
    ];
    for (const [what, bytes] of cases) {
      const conn = await rawConnect(pull.lastEndpoint);
      try {
        await handshake(conn);
        await conn.write(bytes);
        assert.ok(
          await closedByPeer(conn),
          `${what}: the peer was not disconnected`,
        );
      } finally {
        conn.close();
      }
      await assert.rejects(
        pull.receive(),
        { code: "EAGAIN" },
        `${what}: delivered`,
      );
    }
    // Exactly the limit passes.
    const conn = await rawConnect(pull.lastEndpoint);
    try {
      const body = new Uint8Array(1000).fill(9);
      await handshake(conn);
      await conn.write(concat(frameHeader(1000), body));
      pull.receiveTimeout = 5000;
      assert.deepEqual(await pull.receive(), [body]);
    } finally {
      conn.close();
    }
    await stillHealthy(context, pull);
  },
);

testEach(
  "raw tcp: without maxMessageSize, an absurd announced size disconnects the peer; the process survives",
  async (context) => {
    using pull = new Pull({ context, receiveTimeout: 300 });
    await pull.bind("tcp://127.0.0.1:*");
    for (const size of [2n ** 62n, 2n ** 64n - 1n]) {
      const conn = await rawConnect(pull.lastEndpoint);
      try {
        await handshake(conn);
        await conn.write(frameHeader(size, true));
        assert.ok(
          await closedByPeer(conn),
          `a ${size}-byte frame: the peer was not disconnected`,
        );
      } finally {
        conn.close();
      }
    }
    await assert.rejects(pull.receive(), { code: "EAGAIN" });
    await stillHealthy(context, pull);
  },
);

testEach(
  "maxMessageSize is enforced between libzmq peers too",
  async (context) => {
    using pull = new Pull({
      context,
      maxMessageSize: 100,
      receiveTimeout: 300,
    });
    await pull.bind("tcp://127.0.0.1:*");
    using push = new Push({ context, linger: 0 });
    push.connect(pull.lastEndpoint);
    await push.send(new Uint8Array(101));
    await assert.rejects(pull.receive(), { code: "EAGAIN" });
    await stillHealthy(context, pull);
  },
);

// ---- options out of range -----------------------------------------------------

/** libzmq rejects these (int) options below -1 or below 0; -2 is out of range for all. */
const REJECTED_BELOW_RANGE = [
  "rate",
  "recoveryInterval",
  "sendBufferSize",
  "receiveBufferSize",
  "linger",
  "reconnectInterval",
  "backlog",
  "reconnectMaxInterval",
  "sendHighWaterMark",
  "receiveHighWaterMark",
  "multicastHops",
  "receiveTimeout",
  "sendTimeout",
  "tcpKeepalive",
  "tcpKeepaliveCount",
  "tcpKeepaliveIdle",
  "tcpKeepaliveInterval",
  "typeOfService",
  "handshakeInterval",
  "heartbeatInterval",
  "heartbeatTimeout",
  "connectTimeout",
  "tcpMaxRetransmitTimeout",
  "multicastMaxTransportDataUnitSize",
  "useFd",
] as const;

testEach(
  "every numeric option with an out-of-range value fails with EINVAL naming the option",
  (context) => {
    using socket = new Push({ context });
    const record = socket as unknown as Record<string, unknown>;
    const expectEinval = (name: string, value: unknown) => {
      let before: unknown;
      try {
        before = record[name]; // write-only options read back their last value
      } catch { /* not readable in this build (vmci, gssapi) */ }
      assert.throws(() => record[name] = value, (err: unknown) => {
        assert.ok(err instanceof ZmqError, `${name} = ${value}: ${err}`);
        assert.equal(err.code, "EINVAL", `${name} = ${value}: ${err.message}`);
        assert.equal(err.option, name);
        assert.ok(err.message.length > 0);
        return true;
      }, `${name} = ${value} was accepted`);
      // A refused value leaves the option as it was.
      if (before !== undefined) assert.deepEqual(record[name], before, name);
    };
    for (const name of REJECTED_BELOW_RANGE) {
      expectEinval(name, -2);
      expectEinval(name, -(2 ** 40));
    }
    expectEinval("sendHighWaterMark", -1);
    expectEinval("tcpKeepalive", 2);
    expectEinval("heartbeatTimeToLive", 2 ** 31 - 1);
    // Beyond 32 bits, for every int option (checked before libzmq is called).
    for (const [name, spec] of Object.entries(socketOptions)) {
      if (spec.access === "r") continue;
      if (spec.type === "int") {
        expectEinval(name, 2 ** 31);
        expectEinval(name, -(2 ** 31) - 1);
      } else if (spec.type === "uint64") {
        expectEinval(name, -1);
        expectEinval(name, 2n ** 64n);
      } else if (spec.type === "int64") {
        expectEinval(name, 2n ** 63n);
      }
    }
  },
);

testEach(
  "context options with out-of-range values fail with EINVAL naming the option",
  async (_, backend) => {
    await using context = new Context({ backend });
    const record = context as unknown as Record<string, unknown>;
    for (
      const [name, value] of [
        ["ioThreads", -1],
        ["maxSockets", 0],
        ["maxSockets", -5],
        ["maxMessageSize", -2],
        ["threadPriority", -2],
        ["ioThreads", 2 ** 31],
      ] as const
    ) {
      assert.throws(() => record[name] = value, (err: unknown) => {
        assert.ok(err instanceof ZmqError, `${name} = ${value}: ${err}`);
        assert.equal(err.code, "EINVAL");
        assert.equal(err.option, name);
        return true;
      });
    }
  },
);

// ---- endpoints ----------------------------------------------------------------

testEach(
  "bad hosts, ports and interfaces: bind fails with a ZmqError naming the endpoint; connect stays bounded",
  async (context, backend) => {
    using pull = new Pull({ context });
    const refused: [string, string][] = [
      ["tcp://192.0.2.1:5555", "EADDRNOTAVAIL"], // no interface has this address
      ["tcp://no-such-host.invalid:5555", "ENODEV"], // bind takes interfaces, not host names
      ["tcp://eth-nope0:*", "ENODEV"],
      ["tcp://[::1]:*", "ENODEV"], // IPv6 is off unless the ipv6 option is set
      ["tcp:// 127.0.0.1:5555", "ENODEV"],
      ["tcp://127.0.0.1:65536", "EINVAL"],
      ["TCP://127.0.0.1:*", "EPROTONOSUPPORT"],
      ["inproc://", "EINVAL"],
    ];
    for (const [bad, code] of refused) {
      await assert.rejects(pull.bind(bad), (err: unknown) => {
        assert.ok(err instanceof ZmqError, `${bad}: ${err}`);
        assert.equal(err.code, code, `${bad}: ${err.message}`);
        assert.equal(err.endpoint, bad);
        return true;
      });
    }
    if (backend === "wasm") {
      // WASM cannot list the machine's interfaces: numeric addresses only.
      await assert.rejects(pull.bind("tcp://lo:*"), {
        code: "ENODEV",
        endpoint: "tcp://lo:*",
        message: /numeric addresses only/,
      });
      await pull.bind("tcp://127.0.0.1:*");
    } else {
      // An interface name binds on its address.
      await pull.bind("tcp://lo:*");
    }
    assert.match(pull.lastEndpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    for (const bad of ["tcp://lo:*", "tcp://*:0", "tcp://[::1]:*"]) {
      assert.throws(() => pull.connect(bad), { code: "EINVAL", endpoint: bad });
    }
    // Peers that refuse: connect is asynchronous, sends wait or time out.
    // Loopback only: no SYN and no DNS query may leave this machine (192.0.2.x
    // is this machine's own network here, and a name needs a resolver).
    using push = new Push({ context, sendTimeout: 200, sendHighWaterMark: 1 });
    for (
      const far of [
        "tcp://127.0.0.2:1",
        "tcp://127.0.0.3:1",
        "tcp://127.0.0.1:1",
      ]
    ) {
      push.connect(far);
    }
    await within(2000, push.send("queued")); // the pipes of pending connections take one each
    let timedOut = false;
    for (let i = 0; i < 10 && !timedOut; i++) {
      await within(2000, push.send("more")).catch((err) => {
        assert.equal(err.code, "EAGAIN");
        timedOut = true;
      });
    }
    assert.ok(timedOut, "sends to unreachable hosts never waited");
  },
);

bugTest(
  "an endpoint with a NUL character is refused, not truncated",
  async (context) => {
    using pull = new Pull({ context });
    const sneaky = "inproc://visible\0hidden";
    await assert.rejects(pull.bind(sneaky), (err: unknown) => {
      assert.ok(err instanceof ZmqError || err instanceof TypeError, `${err}`);
      return true;
    });
    // Nothing was bound under the visible part of the name.
    using other = new Pull({ context });
    await other.bind("inproc://visible");
  },
);

bugTest(
  "binding a long inproc name either succeeds or leaves nothing bound",
  async (context) => {
    const name = `inproc://${"x".repeat(2000)}`;
    using pull = new Pull({ context, receiveTimeout: 200 });
    let bound = true;
    try {
      await pull.bind(name);
    } catch (err) {
      checkFailure(err, "bind");
      bound = false;
    }
    if (bound) {
      assert.equal(pull.lastEndpoint, name);
      return;
    }
    // The bind was refused: the name must still be free, and nothing may reach the socket.
    using push = new Push({ context, sendTimeout: 200 });
    push.connect(name);
    await push.send("for nobody").catch(() => {});
    await assert.rejects(
      pull.receive(),
      { code: "EAGAIN" },
      "a refused bind receives messages",
    );
    using other = new Pull({ context });
    await other.bind(name);
  },
);

for (
  const [scenario, what] of [
    ["stream", "a STREAM socket bound on inproc gets a multipart message"],
    [
      "pair-pending",
      "a PAIR binds an inproc name two REP sockets connected to first",
    ],
  ]
) {
  bugTest(
    `the process survives when ${what} (libzmq asserts)`,
    async (_, backend) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-ffi",
          new URL("./fixtures/rel_abort.ts", import.meta.url).pathname,
          backend,
          scenario,
        ],
        stdout: "piped",
        stderr: "piped",
      });
      const output = await within(20_000, child.output(), "rel_abort.ts");
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(
        output.signal,
        null,
        `killed by ${output.signal}: ${stderr}`,
      );
      assert.equal(output.code, 0, stderr);
      assert.match(stdout, /^(refused E[A-Z]+|alive)$/m, stdout + stderr);
    },
  );
}

// ---- invalid UTF-8 ----------------------------------------------------------------

testEach(
  "frames with invalid UTF-8 arrive as the bytes sent; decoding stays explicit",
  async (context) => {
    using a = new Pair({ context }), b = new Pair({ context });
    const address = endpoint("inproc");
    await a.bind(address);
    b.connect(address);
    const invalid = [
      [0xff],
      [0xc3], // a truncated 2-byte sequence
      [0xe2, 0x82], // a truncated 3-byte sequence
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xc0, 0xaf], // an overlong encoding
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0x61, 0x00, 0xfe, 0x62],
    ].map((bytes) => new Uint8Array(bytes));
    await b.send(invalid);
    const got = await within(2000, a.receive());
    assert.deepEqual(got, invalid);
    for (const frame of got) {
      assert.ok(frame instanceof Uint8Array);
      assert.throws(
        () => new TextDecoder("utf-8", { fatal: true }).decode(frame),
        TypeError,
      );
      assert.match(new TextDecoder().decode(frame), /\uFFFD/);
    }
    // A string with a lone surrogate is sent as UTF-8 with U+FFFD (TextEncoder's rule).
    await b.send("a\uD800b");
    assert.deepEqual([...(await a.receive())[0]], [
      0x61,
      0xef,
      0xbf,
      0xbd,
      0x62,
    ]);
    // Routing ids are bytes too.
    using router = new Router({ context }), dealer = new Dealer({ context });
    dealer.routingId = invalid[0];
    const routed = endpoint("inproc");
    await router.bind(routed);
    dealer.connect(routed);
    await dealer.send("hi");
    const [id] = await within(2000, router.receive());
    assert.deepEqual(id, invalid[0]);
  },
);

Deno.test("fuzz: figures", () => {
  console.log(
    `random API sequences run: ${sequencesRun} (${callsMade} calls); failures by kind: ` +
      [...failureKinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`)
        .join(", "),
  );
});
