// Interoperability with an independent implementation: pyzmq (libzmq through
// Python) as a separate process, over tcp and ipc, from each backend (the
// WASM backend speaks ZMTP through the host runtime's sockets). Every pattern runs with
// either side binding; frames are checked byte for byte on both sides.
//
// Needs /usr/bin/python3 with pyzmq (Debian's python3-zmq); the peer is
// tests/peers/pyzmq_peer.py, driven by JSON lines on its stdin and stdout.
import assert from "node:assert/strict";
import {
  type Context,
  Dealer,
  type Message,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  type Socket,
  Subscriber,
} from "../mod.ts";
import { backends, testEach, text, transportsOf } from "./helpers.ts";

const PYTHON = "/usr/bin/python3";
const PEER = new URL("./peers/pyzmq_peer.py", import.meta.url).pathname;
/** Bound on every single wait, on both sides. */
const TIMEOUT_MS = 5000;

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------
// Frames

/** Frames of a message as bytes, the way the library sends them. */
function bytesOf(message: Message): Uint8Array[] {
  const frames = Array.isArray(message) ? message : [message];
  return frames.map((frame) => {
    if (frame === null) return new Uint8Array(0);
    if (typeof frame === "string") return encoder.encode(frame);
    if (frame instanceof Uint8Array) return frame;
    throw new TypeError("test messages use string, Uint8Array and null only");
  });
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function hexes(frames: Uint8Array[]): string[] {
  return frames.map(hex);
}

/** Every byte value, in order: a long (> 255 bytes) ZMTP frame. */
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);
/** A 200 KB frame with a deterministic, non-repeating-looking pattern. */
const LARGE = Uint8Array.from(
  { length: 200_000 },
  (_, i) => (i * 2654435761) >>> 24,
);
const UTF8 = "héllo wörld ✓ 日本語のテキスト 🚀🎉";

/** Messages for the request, push and dealer patterns. */
const MESSAGES: Message[] = [
  UTF8,
  ["binary", EVERY_BYTE, new Uint8Array([0, 0, 0xff, 0x80, 0x7f])],
  ["empty frame next", null, "", new Uint8Array(0), "after three empty"],
  // Not valid UTF-8: must travel as bytes, untouched.
  [new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]), UTF8],
  [null, "starts with an empty frame"],
  ["large", LARGE, "✓"],
];

/** What the pyzmq peer replies to `frames`: each frame reversed, then its trailer. */
function pythonReply(frames: Uint8Array[]): Uint8Array[] {
  return [...frames.map((f) => f.toReversed()), encoder.encode("pyzmq ✓")];
}

/** What the Deno side replies to `frames`. */
function denoReply(frames: Uint8Array[]): Uint8Array[] {
  return [...frames.map((f) => f.toReversed()), encoder.encode("deno ✓")];
}

// Publish/subscribe: the subscriber subscribes to TOPICS; FILTERED messages
// are published between the others and must never arrive.
const BINARY_TOPIC = new Uint8Array([0x00, 0xff, 0x01]);
const TOPICS: (string | Uint8Array)[] = ["topic/", BINARY_TOPIC];
const PUBLISHED: { message: Message; delivered: boolean }[] = [
  { message: ["topic/utf8", UTF8], delivered: true },
  { message: ["other/topic", "filtered"], delivered: false },
  {
    message: [new Uint8Array([0x00, 0xff, 0x01, 0x02]), EVERY_BYTE, null],
    delivered: true,
  },
  { message: ["topic", "shorter than the prefix"], delivered: false },
  { message: [new Uint8Array([0x00, 0xfe]), "filtered"], delivered: false },
  { message: ["topic/empty", null, "", "end"], delivered: true },
  { message: ["topic/large", LARGE], delivered: true },
];
const DELIVERED = PUBLISHED.filter((p) => p.delivered).map((p) => p.message);

// ---------------------------------------------------------------------------
// The Python peer process

type Transport = "tcp" | "ipc";
const TRANSPORTS: Transport[] = ["tcp", "ipc"];

let ipcCounter = 0;
/** ipc socket files of the running test; libzmq leaves them behind on close. */
const ipcFiles: string[] = [];
/** A fresh endpoint to bind on (tcp: port chosen by the OS). */
function bindEndpoint(transport: Transport, who: "deno" | "py"): string {
  if (transport === "tcp") return "tcp://127.0.0.1:*";
  const path = `/tmp/deno-zmq-interop-${Deno.pid}-${++ipcCounter}-${who}`;
  ipcFiles.push(path);
  return `ipc://${path}`;
}

async function removeIpcFiles(): Promise<void> {
  for (const path of ipcFiles.splice(0)) {
    await Deno.remove(path).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}

interface PeerSpec {
  role: "rep" | "req" | "pub" | "sub" | "push" | "pull" | "router" | "dealer";
  bind: boolean;
  endpoint: string;
  messages?: Message[];
  count?: number;
  subscribe?: (string | Uint8Array)[];
  routingId?: Uint8Array;
}

interface Report {
  endpoint?: string;
  ready?: boolean;
  received?: string[][];
  sent?: number;
  error?: string;
}

/** Lines of a byte stream, one reader at a time. */
class LineReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #done = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line, or null at the end of the stream. Calls are queued. */
  next(): Promise<string | null> {
    const line = this.#chain.then(() => this.#read());
    this.#chain = line.catch(() => {});
    return line;
  }

  async #read(): Promise<string | null> {
    for (;;) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line;
      }
      if (this.#done) {
        const rest = this.#buffer;
        this.#buffer = "";
        return rest === "" ? null : rest;
      }
      const { value, done } = await this.#reader.read();
      if (done) this.#done = true;
      else this.#buffer += value;
    }
  }
}

/** Resolves to `promise`'s value, or to `undefined` after `ms`. */
async function orTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A running pyzmq peer. `await using` guarantees the process is gone, and its
 * pipes closed, when the test ends, pass or fail.
 */
class PythonPeer {
  readonly #child: Deno.ChildProcess;
  readonly #stdout: LineReader;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stderr: Promise<string>;
  #stdinPending: Promise<void>;
  #stdinClosed = false;
  #result?: Promise<{ status: Deno.CommandStatus; stderr: string }>;

  constructor(spec: PeerSpec) {
    this.#child = new Deno.Command(PYTHON, {
      args: [PEER],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdout = new LineReader(this.#child.stdout);
    this.#stderr = new Response(this.#child.stderr).text();
    this.#stdin = this.#child.stdin.getWriter();
    const wire = {
      ...spec,
      messages: spec.messages?.map((m) => hexes(bytesOf(m))),
      subscribe: spec.subscribe?.map((p) => hex(bytesOf(p)[0])),
      routingId: spec.routingId && hex(spec.routingId),
    };
    this.#stdinPending = this.#writeLine(JSON.stringify(wire));
  }

  #writeLine(line: string): Promise<void> {
    return this.#stdin.write(encoder.encode(line + "\n"));
  }

  /** Tells the peer something (one line on its stdin). */
  async tell(line: string): Promise<void> {
    await this.#stdinPending;
    await this.#writeLine(line);
  }

  /** The next report line, which must come within TIMEOUT_MS. */
  async report(): Promise<Report> {
    const line = await orTimeout(this.#stdout.next(), TIMEOUT_MS * 2);
    if (line === undefined) {
      throw new Error(`pyzmq peer said nothing for ${TIMEOUT_MS * 2} ms`);
    }
    if (line === null) {
      const { status, stderr } = await this.finish();
      throw new Error(
        `pyzmq peer ended (code ${status.code}) without a report:\n${stderr}`,
      );
    }
    const report = JSON.parse(line) as Report;
    if (report.error) throw new Error(`pyzmq peer failed: ${report.error}`);
    return report;
  }

  /** The endpoint the peer bound to (its first line when it binds). */
  async endpoint(): Promise<string> {
    const { endpoint } = await this.report();
    assert.ok(endpoint, "pyzmq peer did not report its endpoint");
    return endpoint;
  }

  /** What the peer received, as hex frames. */
  async received(): Promise<string[][]> {
    const { received } = await this.report();
    assert.ok(received, "pyzmq peer did not report what it received");
    return received;
  }

  /**
   * Lets the peer close and exit (EOF on its stdin) and waits for it; kills
   * it if it does not exit in time. Idempotent.
   */
  finish(): Promise<{ status: Deno.CommandStatus; stderr: string }> {
    this.#result ??= (async () => {
      if (!this.#stdinClosed) {
        this.#stdinClosed = true;
        await this.#stdinPending.catch(() => {});
        await this.#stdin.close().catch(() => {});
      }
      // Keep reading stdout meanwhile: a peer blocked writing a report
      // nobody reads (after a failed assertion) could not exit.
      const drained = (async () => {
        while (await this.#stdout.next() !== null) { /* discard */ }
      })();
      let status = await orTimeout(this.#child.status, TIMEOUT_MS * 2);
      if (status === undefined) {
        this.#child.kill("SIGKILL");
        status = await this.#child.status;
      }
      await drained;
      return { status, stderr: await this.#stderr };
    })();
    return this.#result;
  }

  /** Waits for the peer's exit and checks it succeeded. */
  async exitsCleanly(): Promise<void> {
    const { status, stderr } = await this.finish();
    assert.ok(
      status.success,
      `pyzmq peer exited with code ${status.code}:\n${stderr}`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.finish();
  }
}

/** Socket options every Deno socket of these tests uses: nothing waits forever. */
function bounded(context: Context) {
  return {
    context,
    linger: 0,
    receiveTimeout: TIMEOUT_MS,
    sendTimeout: TIMEOUT_MS,
  };
}

/**
 * Links `socket` with a pyzmq peer: the Deno side binds when `denoBinds`,
 * else the peer binds (to a port of its choosing) and reports where.
 */
async function linkPeer(
  socket: Socket,
  transport: Transport,
  denoBinds: boolean,
  spec: Omit<PeerSpec, "bind" | "endpoint">,
): Promise<PythonPeer> {
  if (denoBinds) {
    await socket.bind(bindEndpoint(transport, "deno"));
    return new PythonPeer({
      ...spec,
      bind: false,
      endpoint: socket.lastEndpoint,
    });
  }
  const peer = new PythonPeer({
    ...spec,
    bind: true,
    endpoint: bindEndpoint(transport, "py"),
  });
  try {
    const endpoint = await peer.endpoint();
    assert.match(endpoint, transport === "tcp" ? /^tcp:\/\// : /^ipc:\/\//);
    socket.connect(endpoint);
  } catch (err) {
    await peer.finish();
    throw err;
  }
  return peer;
}

/** Registers one test per backend, transport (that backend has) and side that binds. */
function interop(
  name: string,
  body: (
    context: Context,
    transport: Transport,
    denoBinds: boolean,
  ) => Promise<void>,
): void {
  for (const backend of backends()) {
    const transports = TRANSPORTS.filter((t) =>
      transportsOf(backend).includes(t)
    );
    for (const transport of transports) {
      for (const denoBinds of [true, false]) {
        testEach(
          `interop ${name} over ${transport}, ${
            denoBinds ? "deno" : "pyzmq"
          } binds`,
          async (context) => {
            try {
              await body(context, transport, denoBinds);
            } finally {
              await removeIpcFiles();
            }
          },
          { backends: [backend] },
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The tests

interop("REQ (deno) -> REP (pyzmq)", async (context, transport, denoBinds) => {
  using req = new Request(bounded(context));
  await using peer = await linkPeer(req, transport, denoBinds, {
    role: "rep",
    count: MESSAGES.length,
  });
  for (const message of MESSAGES) {
    await req.send(message);
    assert.deepEqual(
      hexes(await req.receive()),
      hexes(pythonReply(bytesOf(message))),
    );
  }
  assert.deepEqual(
    await peer.received(),
    MESSAGES.map((m) => hexes(bytesOf(m))),
  );
  await peer.exitsCleanly();
});

interop("REQ (pyzmq) -> REP (deno)", async (context, transport, denoBinds) => {
  using rep = new Reply(bounded(context));
  await using peer = await linkPeer(rep, transport, denoBinds, {
    role: "req",
    messages: MESSAGES,
  });
  for (const message of MESSAGES) {
    const request = await rep.receive();
    assert.deepEqual(hexes(request), hexes(bytesOf(message)));
    await rep.send(denoReply(request));
  }
  assert.deepEqual(
    await peer.received(),
    MESSAGES.map((m) => hexes(denoReply(bytesOf(m)))),
  );
  await peer.exitsCleanly();
});

interop("PUB (deno) -> SUB (pyzmq)", async (context, transport, denoBinds) => {
  using pub = new Publisher(bounded(context));
  await using peer = await linkPeer(pub, transport, denoBinds, {
    role: "sub",
    subscribe: [...TOPICS, "probe"],
    count: DELIVERED.length,
  });
  // Slow joiner: publish a probe until the subscriber reports it saw one.
  const ready = peer.report();
  let report: Report | undefined;
  for (let i = 0; report === undefined; i++) {
    assert.ok(i < TIMEOUT_MS / 10, "the pyzmq subscriber never saw a probe");
    await pub.send("probe");
    report = await orTimeout(ready, 10);
  }
  assert.equal(report.ready, true);
  for (const { message } of PUBLISHED) await pub.send(message);
  assert.deepEqual(
    await peer.received(),
    DELIVERED.map((m) => hexes(bytesOf(m))),
  );
  await peer.exitsCleanly();
});

interop("PUB (pyzmq) -> SUB (deno)", async (context, transport, denoBinds) => {
  using sub = new Subscriber(bounded(context));
  sub.subscribe(...TOPICS, "probe");
  await using peer = await linkPeer(sub, transport, denoBinds, {
    role: "pub",
    messages: PUBLISHED.map((p) => p.message),
  });
  // Slow joiner: the peer publishes a probe until we say we saw one.
  assert.deepEqual(text(await sub.receive()), ["probe"]);
  await peer.tell("subscribed");
  const received: string[][] = [];
  while (received.length < DELIVERED.length) {
    const frames = await sub.receive();
    if (text(frames).join() !== "probe") received.push(hexes(frames));
  }
  assert.deepEqual(received, DELIVERED.map((m) => hexes(bytesOf(m))));
  assert.equal((await peer.report()).sent, PUBLISHED.length);
  await peer.exitsCleanly();
});

interop(
  "PUSH (deno) -> PULL (pyzmq)",
  async (context, transport, denoBinds) => {
    using push = new Push(bounded(context));
    await using peer = await linkPeer(push, transport, denoBinds, {
      role: "pull",
      count: MESSAGES.length,
    });
    for (const message of MESSAGES) await push.send(message);
    assert.deepEqual(
      await peer.received(),
      MESSAGES.map((m) => hexes(bytesOf(m))),
    );
    await peer.exitsCleanly();
  },
);

interop(
  "PUSH (pyzmq) -> PULL (deno)",
  async (context, transport, denoBinds) => {
    using pull = new Pull(bounded(context));
    await using peer = await linkPeer(pull, transport, denoBinds, {
      role: "push",
      messages: MESSAGES,
    });
    for (const message of MESSAGES) {
      assert.deepEqual(hexes(await pull.receive()), hexes(bytesOf(message)));
    }
    assert.equal((await peer.report()).sent, MESSAGES.length);
    await peer.exitsCleanly();
  },
);

const DENO_ID = new Uint8Array([...encoder.encode("deno-"), 0xff, 0x00]);
const PY_ID = new Uint8Array([...encoder.encode("py-"), 0x00, 0xfe]);

interop(
  "DEALER (deno) -> ROUTER (pyzmq)",
  async (context, transport, denoBinds) => {
    using dealer = new Dealer({ ...bounded(context), routingId: DENO_ID });
    await using peer = await linkPeer(dealer, transport, denoBinds, {
      role: "router",
      count: MESSAGES.length,
    });
    for (const message of MESSAGES) await dealer.send(message);
    for (const message of MESSAGES) {
      assert.deepEqual(
        hexes(await dealer.receive()),
        hexes(pythonReply(bytesOf(message))),
      );
    }
    // The router saw our routing id in front of every message.
    assert.deepEqual(
      await peer.received(),
      MESSAGES.map((m) => [hex(DENO_ID), ...hexes(bytesOf(m))]),
    );
    await peer.exitsCleanly();
  },
);

interop(
  "DEALER (pyzmq) -> ROUTER (deno)",
  async (context, transport, denoBinds) => {
    using router = new Router(bounded(context));
    await using peer = await linkPeer(router, transport, denoBinds, {
      role: "dealer",
      messages: MESSAGES,
      routingId: PY_ID,
    });
    for (const message of MESSAGES) {
      const [id, ...body] = await router.receive();
      assert.equal(hex(id), hex(PY_ID));
      assert.deepEqual(hexes(body), hexes(bytesOf(message)));
      await router.send([id, ...denoReply(body)]);
    }
    assert.deepEqual(
      await peer.received(),
      MESSAGES.map((m) => hexes(denoReply(bytesOf(m)))),
    );
    await peer.exitsCleanly();
  },
);
