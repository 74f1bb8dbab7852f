// Poller, socket events, streams, adopting handles, Z85 and CURVE keys.
import assert from "node:assert/strict";
import {
  capability,
  curveKeyPair,
  curvePublic,
  Dealer,
  Pair,
  Poller,
  Pull,
  Push,
  Router,
  Socket,
  type SocketEvent,
  z85Decode,
  z85Encode,
  ZmqError,
} from "../mod.ts";
import {
  endpoint,
  link,
  sleep,
  testEach,
  testEachTransport,
  text,
  within,
} from "./helpers.ts";

testEachTransport(
  "Poller wakes for whichever socket becomes readable",
  async (context, transport) => {
    using a = new Pull({ context }), b = new Pull({ context });
    using pushA = new Push({ context }), pushB = new Push({ context });
    await link(transport, a, pushA);
    await link(transport, b, pushB);
    const poller = new Poller().add(a).add(b);
    assert.deepEqual(await poller.wait(0), []);
    const start = performance.now();
    assert.deepEqual(await poller.wait(50), []);
    assert.ok(performance.now() - start >= 45);
    setTimeout(() => void pushB.send("for b"), 20);
    const ready = await within(2000, poller.wait(), "poller wait");
    assert.equal(ready.length, 1);
    assert.equal(ready[0].socket, b);
    assert.equal(ready[0].readable, true);
    assert.deepEqual(text(await b.receive()), ["for b"]);
    await pushA.send("for a");
    const next = await within(2000, poller.wait(), "second wait");
    assert.deepEqual(next.map((r) => r.socket), [a]);
    assert.deepEqual(text(await a.receive()), ["for a"]);
  },
);

testEach(
  "Poller reports writability and honours abort signals",
  async (context) => {
    using push = new Push({ context, sendHighWaterMark: 1 });
    using pull = new Pull({ context, receiveHighWaterMark: 1 });
    await link("inproc", pull, push);
    const poller = new Poller().add(push, "writable");
    assert.equal((await poller.wait(0))[0]?.writable, true);
    while (push.writable) await push.send("fill");
    assert.deepEqual(await poller.wait(0), []);
    const controller = new AbortController();
    const waiting = poller.wait(-1, { signal: controller.signal });
    controller.abort();
    assert.deepEqual(await waiting, []);
    const writable = poller.wait(2000);
    await pull.receive();
    assert.equal((await writable)[0]?.writable, true);
  },
);

testEach("Poller refuses closed sockets and bad arguments", async (context) => {
  const pull = new Pull({ context });
  const poller = new Poller().add(pull);
  const waiting = poller.wait(5000);
  pull.close();
  await assert.rejects(waiting, { name: "ZmqError", code: "ENOTSOCK" });
  await assert.rejects(poller.wait(0), { code: "ENOTSOCK" });
  assert.throws(() => new Poller().add(pull), { code: "ENOTSOCK" });
  using other = new Pull({ context });
  assert.throws(() => new Poller().add(other, "sideways" as never), TypeError);
  assert.throws(() => new Poller().add({} as never), TypeError);
  await assert.rejects(new Poller().wait(), TypeError);
  await assert.rejects(new Poller().wait("soon" as never), TypeError);
});

testEach(
  "socket events report bind, connect, accept, handshake and end",
  async (context) => {
    const server = new Router({ context });
    const seen: string[] = [];
    server.events.addEventListener("accept", (event) => seen.push(event.type));
    const serverEvents: SocketEvent[] = [];
    const collecting = (async () => {
      for await (const event of server.events) serverEvents.push(event);
    })();
    await server.bind("tcp://127.0.0.1:*");
    const client = new Dealer({ context });
    const clientEvents = client.events;
    const connected = new Promise<SocketEvent>((resolve) =>
      clientEvents.addEventListener(
        "handshake",
        (e) => resolve(e as SocketEvent),
        { once: true },
      )
    );
    client.connect(server.lastEndpoint);
    const handshake = await within(3000, connected, "client handshake");
    assert.equal(handshake.endpoint, server.lastEndpoint);
    await client.send("hello");
    await server.receive();
    client.close();
    await sleep(50);
    server.close();
    await within(3000, collecting, "server events to end");
    const types = serverEvents.map((e) => e.type);
    assert.equal(types[0], "bind");
    assert.ok(types.includes("accept"), types.join());
    assert.ok(types.includes("handshake"), types.join());
    assert.ok(types.includes("disconnect"), types.join());
    assert.equal(types.at(-1), "end");
    assert.deepEqual(seen, ["accept"]);
    assert.equal(server.events.ended, true);
  },
);

testEach(
  "socket events carry typed details: retry interval and bind errors",
  async (context) => {
    using push = new Push({ context, reconnectInterval: 50 });
    const retry = new Promise<SocketEvent>((resolve) =>
      push.events.addEventListener(
        "connect:retry",
        (e) => resolve(e as SocketEvent),
        { once: true },
      )
    );
    push.connect("tcp://127.0.0.1:1"); // nothing listens on port 1
    const event = await within(3000, retry, "connect:retry");
    assert.equal(typeof event.interval, "number");
    assert.ok(event.interval! >= 50);
    assert.equal(event.endpoint, "tcp://127.0.0.1:1");
  },
);

testEachTransport(
  "streams: a ReadableStream and a WritableStream over sockets",
  async (context, transport) => {
    const pull = new Pull({ context }), push = new Push({ context });
    await link(transport, pull, push);
    const writer = push.toWritableStream().getWriter();
    const lengths = pull.toReadableStream().pipeThrough(
      new TransformStream<Uint8Array[], string>({
        transform: (frames, out) => out.enqueue(text(frames).join("+")),
      }),
    );
    const reader = lengths.getReader();
    for (let i = 0; i < 5; i++) await writer.write([`${i}`, "x"]);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await reader.read(), {
        value: `${i}+x`,
        done: false,
      });
    }
    await writer.close();
    assert.equal(push.closed, true);
    await reader.cancel();
    assert.equal(pull.closed, true);
  },
);

testEach("a readable stream ends when its socket closes", async (context) => {
  const pull = new Pull({ context });
  await pull.bind(endpoint("inproc"));
  const reader = pull.toReadableStream().getReader();
  const read = reader.read();
  await sleep(5);
  pull.close();
  assert.deepEqual(await read, { value: undefined, done: true });
});

testEach(
  "Socket.fromHandle adopts a socket made by other FFI code",
  async (context) => {
    // "Other code": our own dlopen of libzmq, creating a PULL in the same libzmq context.
    const lib = Deno.dlopen("libzmq.so.5", {
      zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
    });
    try {
      const raw = lib.symbols.zmq_socket(
        Deno.UnsafePointer.create(context.address),
        7,
      );
      const adopted = Socket.fromHandle(raw, undefined, { context });
      assert.ok(adopted instanceof Pull);
      assert.equal(adopted.handle, raw);
      await adopted.bind(endpoint("inproc"));
      using push = new Push({ context });
      push.connect(adopted.lastEndpoint);
      await push.send("via the adopted socket");
      assert.deepEqual(text(await adopted.receive()), [
        "via the adopted socket",
      ]);
      adopted.close();
      assert.throws(() => Socket.fromHandle(null), TypeError);
      const other = lib.symbols.zmq_socket(
        Deno.UnsafePointer.create(context.address),
        7,
      );
      assert.throws(
        () => Socket.fromHandle(other, 99, { context }),
        /Unknown socket type/,
      );
      Socket.fromHandle(other, 7, { context }).close();
    } finally {
      lib.close();
    }
  },
  { backends: ["ffi"] },
);

testEach(
  "an adopted socket applies the timeouts its creator set in libzmq",
  async (context) => {
    const lib = Deno.dlopen("libzmq.so.5", {
      zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
      zmq_setsockopt: {
        parameters: ["pointer", "i32", "buffer", "usize"],
        result: "i32",
      },
    });
    try {
      const raw = lib.symbols.zmq_socket(
        Deno.UnsafePointer.create(context.address),
        7, // PULL
      );
      const RCVTIMEO = 27;
      const fifty = new Uint8Array(new Int32Array([50]).buffer);
      assert.equal(lib.symbols.zmq_setsockopt(raw, RCVTIMEO, fifty, 4n), 0);
      using adopted = Socket.fromHandle(raw, undefined, { context }) as Pull;
      assert.equal(adopted.receiveTimeout, 50);
      const started = performance.now();
      await assert.rejects(
        within(1000, adopted.receive(), "adopted receive"),
        { code: "EAGAIN" },
      );
      const waited = performance.now() - started;
      assert.ok(waited >= 45 && waited < 500, `rejected after ${waited} ms`);
    } finally {
      lib.close();
    }
  },
  { backends: ["ffi"] },
);

Deno.test("Z85 matches the RFC 32 test vector and rejects malformed input", () => {
  const bytes = new Uint8Array([
    0x86,
    0x4f,
    0xd2,
    0x6f,
    0xb5,
    0x59,
    0xf7,
    0x5b,
  ]);
  assert.equal(z85Encode(bytes), "HelloWorld");
  assert.deepEqual(z85Decode("HelloWorld"), bytes);
  const random = crypto.getRandomValues(new Uint8Array(32));
  assert.deepEqual(z85Decode(z85Encode(random)), random);
  assert.throws(() => z85Encode(new Uint8Array(3)), RangeError);
  assert.throws(() => z85Decode("abcd"), RangeError);
  assert.throws(() => z85Decode("Hello World"), RangeError);
  assert.throws(() => z85Decode("He~loWorld"), /Invalid Z85 character/);
  assert.throws(() => z85Decode("#####"), /too large/);
  assert.throws(() => z85Encode("text" as never), TypeError);
});

testEach(
  "CURVE key pairs: public from secret, and errors for bad keys",
  (context) => {
    if (!capability.curve) {
      assert.throws(() => curveKeyPair(context), { code: "ENOTSUP" });
      return;
    }
    const pair = curveKeyPair(context);
    assert.equal(pair.publicKey.length, 40);
    assert.equal(pair.secretKey.length, 40);
    assert.equal(curvePublic(pair.secretKey, context), pair.publicKey);
    assert.equal(
      curvePublic(z85Decode(pair.secretKey), context),
      pair.publicKey,
    );
    assert.throws(() => curvePublic("short", context), RangeError);
    assert.throws(() => curvePublic(new Uint8Array(31), context), RangeError);
    assert.throws(() => curvePublic("~".repeat(40), context), RangeError);
    assert.throws(() => curvePublic(42 as never, context), TypeError);
  },
);

testEach(
  "a pair of sockets still works after the poller is done with them",
  async (context) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link("inproc", a, b);
    const poller = new Poller().add(a);
    const waiting = poller.wait(1000);
    await b.send("x");
    assert.equal((await waiting).length, 1);
    assert.deepEqual(text(await a.receive()), ["x"]);
    await b.send("y");
    assert.deepEqual(text(await a.receive()), ["y"]);
    assert.ok(ZmqError);
  },
);

testEach(
  "an inproc name can be bound again right after its socket is closed",
  async (context) => {
    const name = endpoint("inproc");
    for (let i = 0; i < 50; i++) {
      const pull = new Pull({ context });
      await pull.bind(name);
      pull.close();
    }
  },
);

testEach("a libzmq socket cannot be wrapped twice", (context) => {
  using pull = new Pull({ context });
  assert.throws(() => Socket.fromHandle(pull.handle, undefined, { context }), {
    name: "TypeError",
    message: /already wrapped/,
  });
});
