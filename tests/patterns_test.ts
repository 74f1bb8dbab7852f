// Every messaging pattern over every transport of every backend.
import assert from "node:assert/strict";
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "../mod.ts";
import { link, sleep, testEachTransport, text, within } from "./helpers.ts";

/** Publishes `probe` until the subscriber receives something (slow-joiner handshake). */
async function awaitSubscription(
  pub: Publisher | XPublisher,
  sub: Subscriber,
  probe: string,
) {
  for (let i = 0; i < 500; i++) {
    await pub.send([probe, "probe"]);
    sub.receiveTimeout = 10;
    try {
      const got = await sub.receive();
      if (text(got)[0] === probe) break;
    } catch (err) {
      if ((err as { code?: string }).code !== "EAGAIN") throw err;
    }
  }
  sub.receiveTimeout = -1;
  // Drain probes still in flight.
  sub.receiveTimeout = 20;
  try {
    for (;;) await sub.receive();
  } catch { /* drained */ }
  sub.receiveTimeout = -1;
}

testEachTransport(
  "PAIR exchanges messages both ways",
  async (context, transport) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link(transport, a, b);
    await b.send("ping");
    assert.deepEqual(text(await a.receive()), ["ping"]);
    await a.send(["pong", "with", "parts"]);
    assert.deepEqual(text(await b.receive()), ["pong", "with", "parts"]);
  },
);

testEachTransport(
  "PUB/SUB delivers by prefix filter",
  async (context, transport) => {
    using pub = new Publisher({ context }), sub = new Subscriber({ context });
    await link(transport, pub, sub);
    sub.subscribe("weather.", "probe");
    await awaitSubscription(pub, sub, "probe");
    await pub.send(["sports.football", "2-1"]);
    await pub.send(["weather.paris", "sunny"]);
    await pub.send(["news", "ignored"]);
    await pub.send(["weather.oslo", "snow"]);
    assert.deepEqual(text(await sub.receive()), ["weather.paris", "sunny"]);
    assert.deepEqual(text(await sub.receive()), ["weather.oslo", "snow"]);
    sub.unsubscribe("weather.");
    sub.receiveTimeout = 50;
    await sleep(20);
    await pub.send(["weather.rome", "rain"]);
    await assert.rejects(sub.receive(), { code: "EAGAIN" });
  },
);

testEachTransport(
  "REQ/REP alternates request and reply",
  async (context, transport) => {
    using rep = new Reply({ context }), req = new Request({ context });
    await link(transport, rep, req);
    for (let i = 0; i < 10; i++) {
      await req.send(`question ${i}`);
      const [question] = text(await rep.receive());
      await rep.send(`answer to ${question}`);
      assert.deepEqual(text(await req.receive()), [`answer to question ${i}`]);
    }
  },
);

testEachTransport(
  "DEALER/ROUTER routes by routing id",
  async (context, transport) => {
    using router = new Router({ context });
    using alice = new Dealer({ context, routingId: "alice" });
    using bob = new Dealer({ context, routingId: "bob" });
    await link(transport, router, alice, bob);
    await alice.send(["hello from", "alice"]);
    await bob.send(["hello from", "bob"]);
    const received = [
      text(await router.receive()),
      text(await router.receive()),
    ];
    received.sort((x, y) => x[0].localeCompare(y[0]));
    assert.deepEqual(received, [["alice", "hello from", "alice"], [
      "bob",
      "hello from",
      "bob",
    ]]);
    await router.send(["bob", "only for bob"]);
    await router.send(["alice", "only for alice"]);
    assert.deepEqual(text(await bob.receive()), ["only for bob"]);
    assert.deepEqual(text(await alice.receive()), ["only for alice"]);
  },
);

testEachTransport(
  "ROUTER connects with a chosen routing id",
  async (context, transport) => {
    using server = new Router({ context, routingId: "server" });
    using client = new Router({ context });
    await server.bind(
      transport === "tcp"
        ? "tcp://127.0.0.1:*"
        : transport === "ipc"
        ? `ipc:///tmp/deno-zmq-router-${Deno.pid}`
        : "inproc://router-connect",
    );
    client.connect(server.lastEndpoint, { routingId: "the-server" });
    client.routerMandatory = true;
    // The connection is made in the background: retry until it is routable.
    for (let i = 0;; i++) {
      try {
        await client.send(["the-server", "hi"]);
        break;
      } catch (err) {
        if (
          (err as { code?: string }).code !== "EHOSTUNREACH" || i > 200
        ) throw err;
        await sleep(5);
      }
    }
    const [from, body] = await server.receive();
    assert.equal(text([body])[0], "hi");
    await server.send([from, "hello back"]);
    assert.deepEqual(text(await client.receive()), [
      "the-server",
      "hello back",
    ]);
  },
);

testEachTransport(
  "PUSH/PULL fans out and fans in",
  async (context, transport) => {
    // Fan-out: one pusher, two pullers, round-robin.
    using push = new Push({ context });
    using pull1 = new Pull({ context }), pull2 = new Pull({ context });
    await link(transport, push, pull1, pull2);
    await sleep(transport === "inproc" ? 0 : 50); // let both connections complete
    for (let i = 0; i < 10; i++) await push.send(`job ${i}`);
    const got: string[] = [];
    const drain = async (pull: Pull) => {
      pull.receiveTimeout = 200;
      try {
        for (;;) got.push(text(await pull.receive())[0]);
      } catch (err) {
        assert.equal((err as { code?: string }).code, "EAGAIN");
      }
    };
    await Promise.all([drain(pull1), drain(pull2)]);
    assert.deepEqual(
      got.sort(),
      Array.from({ length: 10 }, (_, i) => `job ${i}`).sort(),
    );

    // Fan-in: two pushers, one puller.
    using sink = new Pull({ context });
    using w1 = new Push({ context }), w2 = new Push({ context });
    await link(transport, sink, w1, w2);
    await Promise.all([w1.send("from w1"), w2.send("from w2")]);
    const results = [
      text(await sink.receive())[0],
      text(await sink.receive())[0],
    ].sort();
    assert.deepEqual(results, ["from w1", "from w2"]);
  },
);

testEachTransport(
  "XPUB/XSUB carry subscription messages",
  async (context, transport) => {
    using xpub = new XPublisher({ context, verbose: true });
    using xsub = new XSubscriber({ context });
    await link(transport, xpub, xsub);
    await xsub.send(new Uint8Array([1, ...new TextEncoder().encode("topic")]));
    const [subscription] = await within(2000, xpub.receive(), "subscription");
    assert.equal(subscription[0], 1);
    assert.equal(new TextDecoder().decode(subscription.subarray(1)), "topic");
    await xpub.send(["topic", "data"]);
    await xpub.send(["other", "dropped"]);
    assert.deepEqual(text(await xsub.receive()), ["topic", "data"]);
    await xsub.send(new Uint8Array([0, ...new TextEncoder().encode("topic")]));
    const [unsubscription] = await within(
      2000,
      xpub.receive(),
      "unsubscription",
    );
    assert.equal(unsubscription[0], 0);
  },
);

testEachTransport(
  "multipart, empty frames and every frame type",
  async (context, transport) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link(transport, a, b);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await b.send([
      "text",
      bytes,
      bytes.buffer,
      new Uint16Array([0x0102, 0x0304]),
      new DataView(bytes.buffer, 1, 2),
      null,
      "",
      new Uint8Array(0),
    ]);
    const frames = await a.receive();
    assert.equal(frames.length, 8);
    assert.deepEqual(text([frames[0]]), ["text"]);
    assert.deepEqual([...frames[1]], [0, 1, 2, 255]);
    assert.deepEqual([...frames[2]], [0, 1, 2, 255]);
    assert.deepEqual([...frames[3]], [
      ...new Uint8Array(new Uint16Array([0x0102, 0x0304]).buffer),
    ]);
    assert.deepEqual([...frames[4]], [1, 2]);
    for (const frame of frames.slice(5)) assert.equal(frame.byteLength, 0);
    for (const frame of frames) assert.ok(frame instanceof Uint8Array);
    await b.send(null);
    assert.deepEqual((await a.receive()).map((f) => f.byteLength), [0]);
  },
);

testEachTransport("strings round trip as UTF-8", async (context, transport) => {
  using a = new Pair({ context }), b = new Pair({ context });
  await link(transport, a, b);
  const samples = [
    "",
    "plain ascii",
    "héllo wörld",
    "日本語のテキスト",
    "emoji 🚀🎉",
    "a".repeat(100_000),
  ];
  await b.send(samples);
  assert.deepEqual(text(await a.receive()), samples);
});

testEachTransport(
  "a 16 MiB frame arrives intact",
  async (context, transport) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link(transport, a, b);
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    big[big.length - 1] = 0x5a;
    await b.send(["big", big]);
    const [name, frame] = await within(20_000, a.receive(), "16 MiB receive");
    assert.equal(text([name])[0], "big");
    assert.equal(frame.byteLength, big.byteLength);
    assert.deepEqual(frame, big);
  },
);

testEachTransport(
  "received frames do not alias each other",
  async (context, transport) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link(transport, a, b);
    for (let i = 0; i < 100; i++) {
      await b.send([
        `${i}`,
        new Uint8Array([i, i, i]),
      ]);
    }
    const all: Uint8Array[][] = [];
    for (let i = 0; i < 100; i++) all.push(await a.receive());
    all.forEach(([n, data], i) => {
      assert.equal(text([n])[0], `${i}`);
      assert.deepEqual([...data], [i, i, i]);
    });
  },
);
