// Networks that misbehave, through tests/fault_proxy.ts (a TCP relay on
// loopback): latency and bandwidth limits, a stalled link, connections reset
// mid-frame, a partition that heals. ZMTP heartbeats must notice what TCP
// alone does not, sockets must reconnect, and the patterns built on them
// must lose nothing they promise to keep. On every backend: the WASM build
// speaks tcp through the host's sockets, so it meets the same faults.
import assert from "node:assert/strict";
import {
  type Context,
  Dealer,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  ZmqError,
} from "../mod.ts";
import { Zyre } from "../src/zyre/mod.ts";
import { FaultProxy } from "./fault_proxy.ts";
import { FakePeer } from "./zyre_fake_peer.ts";
import { beaconPort, fastOptions, Recorder } from "./zyre_helpers.ts";
import { nextEvent, sleep, testEach, text, within } from "./helpers.ts";

/** ZMTP heartbeats of the tests: a dead link is noticed after ~300 ms. */
const HEARTBEAT = { heartbeatInterval: 100, heartbeatTimeout: 300 } as const;
/** A connection stuck in its handshake (blackholed) is given up after this. */
const HANDSHAKE_MS = 500;
/** A connecting socket that notices dead links and reconnects at once. */
const RECONNECTING = {
  ...HEARTBEAT,
  reconnectInterval: 50,
  handshakeInterval: HANDSHAKE_MS,
} as const;

function test(name: string, body: (context: Context) => Promise<void>) {
  testEach(`network faults: ${name}`, body);
}

/** Resolves once `condition()` holds, checking every 10 ms. */
async function until(condition: () => boolean, what: string, ms = 5_000) {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > ms) {
      throw new Error(`${what}: not within ${ms} ms`);
    }
    await sleep(10);
  }
}

/** One DEALER -> ROUTER -> DEALER exchange. */
async function roundTrip(client: Dealer, server: Router, body: string) {
  await client.send(body);
  const [id, request] = await within(3_000, server.receive(), "request");
  await server.send([id, request]);
  const [reply] = await within(3_000, client.receive(), "reply");
  assert.equal(new TextDecoder().decode(reply), body);
}

test("latency and a bandwidth limit slow a transfer down but deliver it intact", async (context) => {
  using pull = new Pull({ context });
  await pull.bind("tcp://127.0.0.1:*");
  await using proxy = await FaultProxy.start(pull.lastEndpoint);
  proxy.latency(50).bandwidth(200_000);
  using push = new Push({ context });
  push.connect(proxy.endpoint);
  const frame = new Uint8Array(10_000).map((_, i) => i % 251);
  const start = performance.now();
  for (let i = 0; i < 20; i++) await push.send(frame);
  for (let i = 0; i < 20; i++) {
    const [got] = await within(10_000, pull.receive(), "a paced frame");
    assert.deepEqual(got, frame);
  }
  const elapsed = performance.now() - start;
  // 200 kB at 200 kB/s plus 50 ms of latency: about a second, never instant.
  assert.ok(elapsed > 800, `200 kB through 200 kB/s took ${elapsed} ms`);
  assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
});

test("ZMTP heartbeats notice a stalled link and the socket reconnects", async (context) => {
  using server = new Router({ context, ...HEARTBEAT });
  await server.bind("tcp://127.0.0.1:*");
  await using proxy = await FaultProxy.start(server.lastEndpoint);
  using client = new Dealer({ context, ...HEARTBEAT, reconnectInterval: 50 });
  const connected = nextEvent(client, "connect");
  client.connect(proxy.endpoint);
  await within(3_000, connected, "connect");
  await roundTrip(client, server, "before the stall");

  const disconnected = nextEvent(client, "disconnect");
  const stalledAt = performance.now();
  // TCP sees nothing wrong: the connection stays open, bytes stop flowing.
  proxy.stall();
  await within(3_000, disconnected, "heartbeat timeout");
  const noticedMs = performance.now() - stalledAt;
  assert.ok(
    noticedMs >= 200,
    `noticed after ${noticedMs} ms, before the timeout`,
  );
  assert.ok(noticedMs < 1_500, `noticed after ${noticedMs} ms`);

  proxy.resume();
  await until(() => proxy.connections >= 2, "a second connection");
  await roundTrip(client, server, "after the reconnect");
});

test("a Lazy Pirate REQ client loses no request across cuts, stalls and a partition", async (context) => {
  using server = new Reply({ context });
  await server.bind("tcp://127.0.0.1:*");
  await using proxy = await FaultProxy.start(server.lastEndpoint);
  let served = 0;
  const serving = (async () => {
    try {
      for await (const request of server) {
        served++;
        await server.send(request);
      }
    } catch (err) {
      if (!(err instanceof ZmqError)) throw err;
    }
  })();

  const total = 50;
  const faults: Record<number, () => void> = {
    10: () => proxy.cut(),
    20: () => {
      proxy.stall();
      setTimeout(() => proxy.resume(), 400);
    },
    // Resets the connection in the middle of the next request's frame.
    30: () => proxy.cutAfter(5),
    40: () => {
      proxy.partition();
      setTimeout(() => proxy.heal(), 400);
    },
  };
  const newClient = () => {
    const req = new Request({
      context,
      receiveTimeout: 250,
      handshakeInterval: HANDSHAKE_MS,
      linger: 0,
    });
    req.connect(proxy.endpoint);
    return req;
  };
  let client = newClient(), retries = 0;
  try {
    for (let i = 0; i < total; i++) {
      faults[i]?.();
      for (let attempt = 0;; attempt++) {
        assert.ok(attempt < 40, `request ${i}: no reply after 40 attempts`);
        try {
          await client.send(String(i));
          const reply = text(await client.receive());
          assert.deepEqual(reply, [String(i)]);
          break;
        } catch (err) {
          if (!(err instanceof ZmqError) || err.code !== "EAGAIN") throw err;
          // Lazy Pirate: a REQ that missed its reply is unusable; start over.
          client.close();
          client = newClient();
          retries++;
        }
      }
    }
  } finally {
    client.close();
  }
  // Each fault cost at least one retry, and the server saw every request.
  assert.ok(retries >= 3, `${retries} retries for 4 faults`);
  assert.ok(served >= total, `${served} requests served`);
  server.close();
  await serving;
});

test("PUSH/PULL delivers every message exactly once, in order, across reconnects when the sender keeps them", async (context) => {
  // Data goes through the relay; acknowledgements come back directly.
  using pull = new Pull({ context, ...HEARTBEAT });
  await pull.bind("tcp://127.0.0.1:*");
  await using proxy = await FaultProxy.start(pull.lastEndpoint);
  using push = new Push({ context, ...RECONNECTING });
  push.connect(proxy.endpoint);
  using acks = new Pull({ context });
  await acks.bind("tcp://127.0.0.1:*");
  using ackSender = new Push({ context });
  ackSender.connect(acks.lastEndpoint);

  const total = 400, window = 40;
  const delivered: number[] = [];
  // The receiver accepts only the next number (go-back-N): duplicates and
  // messages after a gap are dropped, and it acknowledges what it has.
  const receiving = (async () => {
    let lastAck = performance.now();
    while (delivered.length < total) {
      const [frame] = await pull.receive();
      const seq = Number(new TextDecoder().decode(frame));
      if (seq === delivered.length) delivered.push(seq);
      if (performance.now() - lastAck > 20 || delivered.length === total) {
        lastAck = performance.now();
        await ackSender.send(String(delivered.length));
      }
    }
  })();
  let acked = 0, resent = 0;
  const acking = (async () => {
    while (acked < total) {
      acked = Math.max(acked, Number(text(await acks.receive())[0]));
    }
  })();

  const faultAt: Record<number, () => void> = {
    100: () => proxy.cut(),
    200: () => proxy.cutAfter(3),
    300: () => {
      proxy.stall();
      setTimeout(() => proxy.resume(), 300);
    },
  };
  let next = 0, progressAt = performance.now(), progress = 0;
  const deadline = performance.now() + 20_000;
  while (acked < total) {
    assert.ok(performance.now() < deadline, `stuck at ${acked}/${total}`);
    if (acked !== progress) {
      progress = acked;
      progressAt = performance.now();
    }
    if (next < acked) next = acked;
    // The sender keeps what is not acknowledged: no progress for a while
    // means it was lost with a connection, so it goes back and resends.
    if (performance.now() - progressAt > 400 && next > acked) {
      resent += next - acked;
      next = acked;
      progressAt = performance.now();
    }
    if (next < total && next < acked + window) {
      faultAt[next]?.();
      delete faultAt[next];
      await push.send(String(next++));
    } else await sleep(5);
  }
  await within(5_000, receiving, "receiver");
  ackSender.close();
  acks.close();
  await acking.catch(() => {});
  assert.equal(delivered.length, total);
  delivered.forEach((seq, i) => assert.equal(seq, i, "delivered out of order"));
  assert.ok(resent > 0, "no fault cost a resend: the faults did not bite");
});

test("PUB/SUB resumes after a partition heals, without duplicates or reordering", async (context) => {
  using pub = new Publisher({ context, ...HEARTBEAT });
  await pub.bind("tcp://127.0.0.1:*");
  await using proxy = await FaultProxy.start(pub.lastEndpoint);
  using sub = new Subscriber({ context, ...RECONNECTING });
  sub.subscribe("");
  sub.connect(proxy.endpoint);
  const received: number[] = [];
  const receiving = (async () => {
    try {
      for await (const [frame] of sub) {
        received.push(Number(new TextDecoder().decode(frame)));
      }
    } catch (err) {
      if (!(err instanceof ZmqError)) throw err;
    }
  })();
  let seq = 0, publishing = true;
  const publisher = (async () => {
    while (publishing) {
      await pub.send(String(seq++));
      await sleep(5);
    }
  })();

  await until(() => received.length >= 20, "messages before the partition");
  proxy.partition();
  await sleep(300);
  const before = received.length;
  await sleep(500);
  // Nothing crosses a partition.
  assert.ok(received.length - before <= 1, "messages crossed the partition");
  const healedAt = seq;
  proxy.heal();
  await until(
    () => received.some((n) => n > healedAt),
    "messages after healing",
  );
  publishing = false;
  await publisher;
  sub.close();
  await receiving;
  for (let i = 1; i < received.length; i++) {
    assert.ok(received[i] > received[i - 1], "a duplicate or reordering");
  }
});

test("Zyre: a stalled peer is EVASIVE, then EXITs, within its timeouts, and ENTERs again once healed", async (context) => {
  const options = fastOptions(beaconPort()); // evasive 500 ms, expired 1500 ms
  await using node = new Zyre({ ...options, name: "node", context });
  const rec = new Recorder(node);
  await node.start();
  // The peer is reached only through relays: its mailbox (node -> peer) and
  // the node's inbox (peer -> node). Stalling both, and its beacons, makes a
  // peer that is silent while every TCP connection stays open.
  const peer = new FakePeer(context);
  await peer.start();
  await using toPeer = await FaultProxy.start(peer.mailboxPort);
  await using toNode = await FaultProxy.start(node.endpoint);
  const relayedPort = Number(toPeer.endpoint.split(":").at(-1));
  try {
    peer.connect(toNode.endpoint);
    peer.startBeacons(options.port, relayedPort);
    await peer.hello({ endpoint: toPeer.endpoint });
    await rec.wait("ENTER", (e) => e.peerId === peer.id);

    peer.stopBeacons();
    toPeer.stall();
    toNode.stall();
    const stalledAt = performance.now();
    const evasive = await rec.wait("EVASIVE", (e) => e.peerId === peer.id);
    const evasiveMs = performance.now() - stalledAt;
    await rec.wait("EXIT", (e) => e.peerId === peer.id, 5_000);
    const exitMs = performance.now() - stalledAt;
    assert.equal(evasive.peerName, "fake");
    // Reaped once per evasiveTimeout: the events come up to one round late.
    assert.ok(
      evasiveMs >= 400 && evasiveMs < 1_500,
      `EVASIVE after ${evasiveMs} ms`,
    );
    assert.ok(exitMs >= 1_400 && exitMs < 2_500, `EXIT after ${exitMs} ms`);

    toPeer.resume();
    toNode.resume();
    peer.startBeacons(options.port, relayedPort);
    // A fresh session, as a restarted peer would start it.
    peer.connect(toNode.endpoint);
    await peer.hello({ endpoint: toPeer.endpoint });
    const enters = () => rec.of("ENTER").filter((e) => e.peerId === peer.id);
    await until(() => enters().length === 2, "a second ENTER");
  } finally {
    await peer.close();
  }
});
