// Hostile Zyre peers on loopback: a beacon flood of fake UUIDs, HELLOs with
// huge headers or group lists, group floods, connections that never speak,
// and SHOUT floods. The node must stay responsive to real peers, keep its
// memory within its limits (ZyreOptions maxPeers, maxHeaderBytes, maxGroups)
// and say with a DROP event why it refused someone.
import assert from "node:assert/strict";
import { createConnection, type Socket as TcpSocket } from "node:net";
import { Context } from "../mod.ts";
import { Zyre, ZYRE_LIMITS, type ZyreEvent } from "../src/zyre/mod.ts";
import { backends, openFds, sleep, within } from "./helpers.ts";
import { beaconSocket, FakePeer, sendBeacon } from "./zyre_fake_peer.ts";
import { beaconPort, fastOptions, Recorder } from "./zyre_helpers.ts";

const encoder = new TextEncoder();

function test(name: string, body: (context: Context) => Promise<void>) {
  for (const backend of backends()) {
    Deno.test(`zyre hostile: ${name} [${backend}]`, async () => {
      const context = new Context({ backend, maxSockets: 4096 });
      try {
        await body(context);
      } finally {
        await context.close();
      }
    });
  }
}

/** A node and a well-behaved fake peer that enters it. */
async function enterWith(node: Zyre, rec: Recorder, context: Context) {
  const peer = new FakePeer(context);
  await peer.start();
  peer.connect(node.endpoint);
  await peer.hello({ name: "good" });
  await rec.wait("ENTER", (e) => e.peerId === peer.id);
  return peer;
}

const drops = (rec: Recorder, match: RegExp) =>
  rec.of("DROP").filter((e: ZyreEvent) => match.test(e.reason ?? ""));

test("beacons for 10,000 fake UUIDs fill at most maxPeers, expire, and a real peer still enters", async (context) => {
  const options = fastOptions(beaconPort());
  await using node = new Zyre({ ...options, name: "target", context });
  const rec = new Recorder(node);
  await node.start();
  const udp = await beaconSocket();
  const fdsBefore = openFds();
  try {
    // Each at its own port (a node replaces a peer that reappears at the
    // same endpoint under a new UUID): most ports are closed, and the
    // node's DEALERs keep trying them until the fakes expire.
    for (let i = 0; i < 10_000; i++) {
      const uuid = crypto.getRandomValues(new Uint8Array(16));
      await sendBeacon(udp, options.port, uuid, 20_000 + i);
      // Paced, or the kernel drops most of them (the UDP receive buffer).
      if (i % 100 === 99) await sleep(2);
    }
    await sleep(1_100); // a reap round reports the refused beacons
    const refused = drops(rec, /beacons of new peers ignored/)
      .map((e) => Number(/: (\d+) beacons/.exec(e.reason!)![1]))
      .reduce((a, b) => a + b, 0);
    // Most beacons arrived, and all beyond the table's room were refused.
    assert.ok(refused > 5_000, `only ${refused} beacons refused`);
    // One DEALER (and its connection) per kept peer, never one per beacon.
    const grown = openFds() - fdsBefore;
    assert.ok(
      grown <= 3 * ZYRE_LIMITS.maxPeers,
      `${grown} more fds for ${ZYRE_LIMITS.maxPeers} peers`,
    );
    // A real peer's HELLO takes the place of a fake that never said HELLO.
    const good = await enterWith(node, rec, context);
    assert.deepEqual(node.peers(), [good.id]);
    await good.close();
    // Fakes that never send HELLO expire like silent peers.
    await sleep(options.expiredTimeout + 1_000);
    const left = openFds() - fdsBefore;
    assert.ok(left < 50, `${left} fds still open after the fakes expired`);
  } finally {
    udp.close();
  }
});

test("HELLOs with 1 MB of headers or 10,000 groups, and JOIN floods, are refused with a reason", async (context) => {
  await using node = new Zyre({ ...fastOptions(beaconPort()), context });
  const rec = new Recorder(node);
  await node.start();
  const peers: FakePeer[] = [];
  const fake = async () => {
    const peer = new FakePeer(context);
    await peer.start();
    peer.connect(node.endpoint);
    peers.push(peer);
    return peer;
  };
  try {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 1_000; i++) headers[`X-${i}`] = "h".repeat(1_000);
    const big = await fake();
    await big.hello({ headers });
    const tooBig = await rec.wait("DROP", (e) => e.peerId === big.id);
    assert.match(tooBig.reason!, /headers of \d+ bytes, over maxHeaderBytes/);

    const groups = Array.from({ length: 10_000 }, (_, i) => `G${i}`);
    const many = await fake();
    await many.hello({ groups });
    const tooMany = await rec.wait("DROP", (e) => e.peerId === many.id);
    assert.match(tooMany.reason!, /10000 groups, over maxGroups/);

    const joiner = await fake();
    await joiner.hello();
    await rec.wait("ENTER", (e) => e.peerId === joiner.id);
    for (let i = 0; i <= ZYRE_LIMITS.maxGroups; i++) {
      await joiner.send({
        command: "JOIN",
        group: `J${i}`,
        status: (i + 1) & 0xff,
      });
    }
    const flood = await rec.wait("DROP", (e) => e.peerId === joiner.id);
    assert.match(flood.reason!, /more than maxGroups/);
    await rec.wait("EXIT", (e) => e.peerId === joiner.id);
    // None of them entered with their oversized HELLO, none is kept.
    assert.equal(rec.of("ENTER").filter((e) => e.peerId === big.id).length, 0);
    assert.equal(rec.of("ENTER").filter((e) => e.peerId === many.id).length, 0);
    assert.deepEqual(node.peers(), []);
    assert.ok(node.peerGroups().length === 0, "groups of dropped peers kept");
    // A well-behaved peer still gets in and is heard.
    const good = await enterWith(node, rec, context);
    await good.send({ command: "WHISPER", content: [encoder.encode("hi")] });
    await rec.wait("WHISPER", (e) => e.peerId === good.id);
    peers.push(good);
  } finally {
    for (const peer of peers) await peer.close();
  }
});

test("connections that never speak are closed after expiredTimeout, and do not block real peers", async (context) => {
  const options = fastOptions(beaconPort());
  await using node = new Zyre({ ...options, context });
  const rec = new Recorder(node);
  await node.start();
  const port = Number(node.endpoint.split(":").at(-1));
  const silent: TcpSocket[] = [];
  const closed: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    socket.resume(); // reads (and drops) the greeting, so that the close is seen
    closed.push(
      new Promise((resolve) => socket.once("close", () => resolve())),
    );
    silent.push(socket);
  }
  try {
    const good = await enterWith(node, rec, context);
    await good.close();
    // libzmq drops them once the handshake interval (expiredTimeout) passed.
    await within(
      options.expiredTimeout + 3_000,
      Promise.all(closed),
      "silent connections closed",
    );
  } finally {
    for (const socket of silent) socket.destroy();
  }
});

test("a SHOUT flood from one peer does not hold up another peer's WHISPER", async (context) => {
  await using node = new Zyre({ ...fastOptions(beaconPort()), context });
  const rec = new Recorder(node);
  await node.start();
  node.join("G");
  const flooder = new FakePeer(context);
  await flooder.start();
  flooder.connect(node.endpoint);
  await flooder.hello({ groups: ["G"] });
  await rec.wait("ENTER", (e) => e.peerId === flooder.id);
  const good = await enterWith(node, rec, context);
  let shouts = 0;
  node.addEventListener("shout", () => shouts++);
  try {
    const frame = encoder.encode("x".repeat(100));
    const flood = (async () => {
      for (let i = 0; i < 20_000; i++) {
        await flooder.send({ command: "SHOUT", group: "G", content: [frame] });
      }
    })();
    await sleep(50);
    const sentAt = performance.now();
    await good.send({
      command: "WHISPER",
      content: [encoder.encode("urgent")],
    });
    await rec.wait("WHISPER", (e) => e.peerId === good.id, 5_000);
    const latency = performance.now() - sentAt;
    await flood;
    // Fair queueing across peers: the WHISPER does not wait behind the flood.
    assert.ok(latency < 1_000, `WHISPER took ${latency} ms during the flood`);
    assert.ok(shouts > 0, "no SHOUT arrived");
  } finally {
    await flooder.close();
    await good.close();
  }
});
