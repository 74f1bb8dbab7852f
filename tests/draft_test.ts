// Draft sockets: working on the WASM backend (built with the draft API), and a
// clear ENOTSUP where libzmq lacks the draft API (Debian's, on FFI).
import assert from "node:assert/strict";
import { type Context, Pair, ZmqError } from "../mod.ts";
import { socketClassOf } from "../src/socket.ts";
import {
  Channel,
  Client,
  Datagram,
  Dish,
  Gather,
  Peer,
  Radio,
  Scatter,
  Server,
} from "../src/draft.ts";
import { endpoint, sleep, testEach, text, within } from "./helpers.ts";

/** Runs `body` where the draft API exists; elsewhere checks that every draft socket is refused clearly. */
function draftTest(name: string, body: (context: Context) => Promise<void>) {
  testEach(name, async (context) => {
    if (context.has("draft")) return await body(context);
    for (
      const cls of [
        Server,
        Client,
        Radio,
        Dish,
        Gather,
        Scatter,
        Datagram,
        Peer,
        Channel,
      ]
    ) {
      assert.throws(() => new cls({ context }), (err: unknown) => {
        assert.ok(err instanceof ZmqError);
        assert.equal(err.code, "ENOTSUP");
        assert.match(err.message, /draft API/);
        return true;
      });
    }
  });
}

draftTest("CLIENT/SERVER: replies go back by routing id", async (context) => {
  using server = new Server({ context });
  using alice = new Client({ context }), bob = new Client({ context });
  const address = endpoint("inproc");
  await server.bind(address);
  alice.connect(address);
  bob.connect(address);
  await alice.send("from alice");
  await bob.send("from bob");
  const ids = new Map<string, number>();
  for (let i = 0; i < 2; i++) {
    const [frame, { routingId }] = await within(
      2000,
      server.receive(),
      "server receive",
    );
    assert.ok(routingId > 0);
    ids.set(text([frame])[0], routingId);
  }
  await server.send("for bob", { routingId: ids.get("from bob")! });
  await server.send("for alice", { routingId: ids.get("from alice")! });
  assert.deepEqual(text(await bob.receive()), ["for bob"]);
  assert.deepEqual(text(await alice.receive()), ["for alice"]);
  await assert.rejects(server.send("x", {} as never), TypeError);
  await assert.rejects(server.send("x", { routingId: 12345 }), {
    code: "EHOSTUNREACH",
  });
  // Draft sockets are single-frame: multipart is refused.
  await assert.rejects(alice.send(["a", "b"] as never), ZmqError);
});

draftTest(
  "RADIO/DISH: only joined groups arrive, with their group",
  async (context) => {
    using radio = new Radio({ context }), dish = new Dish({ context });
    const address = endpoint("inproc");
    await radio.bind(address);
    dish.connect(address);
    dish.join("football", "tennis");
    await sleep(10);
    await radio.send("goal", { group: "football" });
    await radio.send("rain", { group: "weather" });
    await radio.send("ace", { group: "tennis" });
    assert.deepEqual(await within(2000, dish.receive(), "dish"), [
      new TextEncoder().encode("goal"),
      { group: "football" },
    ]);
    const [ace, { group }] = await dish.receive();
    assert.equal(text([ace])[0], "ace");
    assert.equal(group, "tennis");
    dish.leave("tennis");
    await sleep(10);
    await radio.send("let", { group: "tennis" });
    await radio.send("offside", { group: "football" });
    assert.equal(text([(await dish.receive())[0]])[0], "offside");
    await assert.rejects(
      radio.send("x", { group: "g".repeat(300) }),
      TypeError,
    );
    assert.throws(() => dish.join(42 as never), TypeError);
  },
);

draftTest("SCATTER/GATHER and CHANNEL move single frames", async (context) => {
  using gather = new Gather({ context }), scatter = new Scatter({ context });
  const address = endpoint("inproc");
  await gather.bind(address);
  scatter.connect(address);
  for (let i = 0; i < 5; i++) await scatter.send(`${i}`);
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(text(await gather.receive()), [`${i}`]);
  }

  using a = new Channel({ context }), b = new Channel({ context });
  const channel = endpoint("inproc");
  await a.bind(channel);
  b.connect(channel);
  await b.send("ping");
  assert.deepEqual(text(await a.receive()), ["ping"]);
  await a.send("pong");
  assert.deepEqual(text(await b.receive()), ["pong"]);
});

draftTest(
  "PEER: connectPeer gives the routing id to send with",
  async (context) => {
    using a = new Peer({ context }), b = new Peer({ context });
    const address = endpoint("inproc");
    await a.bind(address);
    const toA = b.connectPeer(address);
    assert.ok(toA > 0);
    await b.send("hello a", { routingId: toA });
    const [frame, { routingId: fromB }] = await within(
      2000,
      a.receive(),
      "peer receive",
    );
    assert.equal(text([frame])[0], "hello a");
    await a.send("hello b", { routingId: fromB });
    const [reply, { routingId }] = await b.receive();
    assert.equal(text([reply])[0], "hello b");
    assert.equal(routingId, toA);
    assert.throws(() => b.connectPeer(42 as never), TypeError);
  },
);

draftTest(
  "PEER: connectPeer goes through the guards connect has",
  async (context) => {
    using peer = new Peer({ context }), pair = new Pair({ context });
    const paired = endpoint("inproc");
    await pair.bind(paired);
    // The inproc type check libzmq 4.3.4 would abort on.
    assert.throws(() => peer.connectPeer(paired), { code: "ENOCOMPATPROTO" });
    // An unbound inproc name: connect defers, connectPeer cannot.
    assert.throws(() => peer.connectPeer(endpoint("inproc")), {
      code: "ECONNREFUSED",
    });
    assert.throws(() => peer.connectPeer("inproc://a\0b"), { code: "EINVAL" });
    peer.close();
    assert.throws(() => peer.connectPeer(paired), { code: "ENOTSOCK" });
  },
);

draftTest("Socket.fromHandle knows the draft types", (context) => {
  for (
    const cls of [Server, Client, Radio, Dish, Gather, Scatter, Peer, Channel]
  ) {
    using socket = new cls({ context });
    assert.equal(socketClassOf(socket.type), cls, cls.name);
  }
  return Promise.resolve();
});

draftTest("draft sockets iterate until closed", async (context) => {
  const server = new Server({ context });
  using client = new Client({ context });
  const address = endpoint("inproc");
  await server.bind(address);
  client.connect(address);
  const seen: string[] = [];
  const loop = (async () => {
    for await (const [frame, { routingId }] of server) {
      seen.push(text([frame])[0]);
      await server.send("ack", { routingId });
    }
  })();
  for (let i = 0; i < 3; i++) {
    await client.send(`${i}`);
    assert.deepEqual(text(await client.receive()), ["ack"]);
  }
  server.close();
  await within(2000, loop, "iterator end");
  assert.deepEqual(seen, ["0", "1", "2"]);
});
