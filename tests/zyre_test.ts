// Zyre nodes: in one process and in separate processes, on loopback only.
import assert from "node:assert/strict";
import { Context, Dealer, Router } from "../mod.ts";
import { decodeMessage, encodeMessage, Zyre } from "../src/zyre/mod.ts";
import { beaconPort, fastOptions, Recorder, strings } from "./zyre_helpers.ts";

Deno.test("three nodes in one process: discovery, headers, groups, whisper, shout, multipart, stop", async () => {
  const context = new Context();
  const port = beaconPort();
  const nodes = ["alpha", "beta", "gamma"].map((name) =>
    new Zyre({
      ...fastOptions(port),
      name,
      headers: { "X-NAME": name, "X-HELLO": "world" },
      context,
    })
  );
  const [a, b, c] = nodes;
  const [ra, rb, rc] = nodes.map((n) => new Recorder(n));
  try {
    a.join("GLOBAL");
    for (const node of nodes) await node.start();
    b.join("GLOBAL");
    c.join("OTHER");
    // Discovery: each sees the two others, with their names and headers.
    for (const [node, rec] of [[a, ra], [b, rb], [c, rc]] as const) {
      for (const other of nodes) {
        if (other === node) continue;
        const enter = await rec.wait("ENTER", (e) => e.peerId === other.uuid);
        assert.equal(enter.peerName, other.name);
        assert.equal(enter.headers?.["X-NAME"], other.name);
        assert.match(enter.peerAddress!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      }
      assert.deepEqual(
        node.peers().sort(),
        nodes.filter((n) => n !== node).map((n) => n.uuid).sort(),
      );
    }
    assert.equal(a.peerHeader(b.uuid, "X-HELLO"), "world");
    assert.equal(a.peerHeader(b.uuid, "X-NONE"), undefined);
    assert.match(a.peerAddress(b.uuid)!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(a.uuid.length, 32);
    assert.match(a.uuid, /^[0-9A-F]{32}$/);

    // Groups: JOIN from HELLO (a joined before start) and from JOIN.
    await rc.wait("JOIN", (e) => e.peerId === a.uuid && e.group === "GLOBAL");
    await rc.wait("JOIN", (e) => e.peerId === b.uuid && e.group === "GLOBAL");
    await ra.wait("JOIN", (e) => e.peerId === c.uuid && e.group === "OTHER");
    assert.deepEqual(c.peersByGroup("GLOBAL").sort(), [a.uuid, b.uuid].sort());
    assert.deepEqual(a.ownGroups(), ["GLOBAL"]);
    assert.deepEqual(c.peerGroups().sort(), ["GLOBAL"]);
    assert.deepEqual(a.peerGroups().sort(), ["GLOBAL", "OTHER"]);

    // Whisper, multipart, binary and empty frames.
    const binary = new Uint8Array([0, 1, 2, 255]);
    assert.equal(a.whisper(b.uuid, ["hello", binary, new Uint8Array(0)]), true);
    const whisper = await rb.wait("WHISPER");
    assert.equal(whisper.peerId, a.uuid);
    assert.equal(whisper.peerName, "alpha");
    assert.equal(whisper.message!.length, 3);
    assert.equal(strings(whisper.message)[0], "hello");
    assert.deepEqual(whisper.message![1], binary);
    assert.equal(whisper.message![2].length, 0);
    assert.equal(a.whisper("00".repeat(16), "nobody"), false);

    // Shout reaches the group's members only.
    assert.equal(c.shout("GLOBAL", ["to", "global"]), 2);
    for (const rec of [ra, rb]) {
      const shout = await rec.wait("SHOUT");
      assert.equal(shout.group, "GLOBAL");
      assert.equal(shout.peerId, c.uuid);
      assert.deepEqual(strings(shout.message), ["to", "global"]);
    }
    // A zero-frame shout is a valid ZRE message too.
    assert.equal(a.shout("OTHER", []), 1);
    const empty = await rc.wait("SHOUT", (e) => e.group === "OTHER");
    assert.equal(empty.message!.length, 0);

    // Leave.
    b.leave("GLOBAL");
    await ra.wait("LEAVE", (e) => e.peerId === b.uuid && e.group === "GLOBAL");
    await rc.wait("LEAVE", (e) => e.peerId === b.uuid);
    assert.deepEqual(a.peersByGroup("GLOBAL"), []);
    assert.equal(a.shout("GLOBAL", "nobody"), 0);
    assert.equal(c.shout("GLOBAL", "only a"), 1);
    await ra.wait("SHOUT", (e) => strings(e.message)[0] === "only a");
    assert.equal(rb.of("SHOUT").length, 1);

    // Stopping announces leaving: the others see EXIT well before expiry.
    const started = performance.now();
    await c.stop();
    await ra.wait("EXIT", (e) => e.peerId === c.uuid, 1000);
    await rb.wait("EXIT", (e) => e.peerId === c.uuid, 1000);
    assert.ok(performance.now() - started < 1000);
    assert.equal(rc.of("STOP").length, 1);
    assert.deepEqual(a.peers(), [b.uuid]);
    assert.equal(rb.of("EVASIVE").length, 0);
  } finally {
    for (const node of nodes) await node.stop();
    await context.close();
  }
});

Deno.test("events as an async iterator, ending with STOP; await using stops the node", async () => {
  const context = new Context();
  const port = beaconPort();
  const kinds: string[] = [];
  {
    await using a = new Zyre({ ...fastOptions(port), name: "a", context });
    await using b = new Zyre({ ...fastOptions(port), name: "b", context });
    const iterator = b.events();
    await a.start();
    await b.start();
    a.addEventListener("enter", (e) => a.whisper(e.peerId, ["ping", "2"]));
    for await (const event of iterator) {
      kinds.push(event.kind);
      if (event.kind === "WHISPER") {
        assert.deepEqual(strings(event.message), ["ping", "2"]);
        break;
      }
    }
    // A second iterator, over `for await (... of node)`, sees STOP and ends.
    const rest = (async () => {
      const seen: string[] = [];
      for await (const event of b) seen.push(event.kind);
      return seen;
    })();
    await b.stop();
    assert.deepEqual((await rest).at(-1), "STOP");
  }
  assert.deepEqual(kinds, ["ENTER", "WHISPER"]);
  await context.close();
});

Deno.test("a node that is stopped before starting, or twice, is fine", async () => {
  const node = new Zyre({ ...fastOptions(beaconPort()) });
  const rec = new Recorder(node);
  await node.stop();
  await node.stop();
  assert.equal(rec.of("STOP").length, 1);
  await assert.rejects(() => node.start());
  const done = [];
  for await (const event of node) done.push(event);
  assert.equal(done.length, 0);
});

// ---- nodes in separate processes ---------------------------------------------

const fixture = new URL("./fixtures/zyre_node.ts", import.meta.url).pathname;

interface Child {
  process: Deno.ChildProcess;
  lines: AsyncIterator<string>;
  uuid: string;
}

async function spawnNode(
  port: number,
  name: string,
  ...args: string[]
): Promise<Child> {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-ffi",
      "--allow-read",
      "--allow-env",
      fixture,
      "--port",
      String(port),
      "--name",
      name,
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = process.stdout
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(splitLines())[Symbol.asyncIterator]();
  const first = await lines.next();
  const match = /^READY ([0-9A-F]{32})$/.exec(first.value ?? "");
  if (!match) {
    process.kill("SIGKILL");
    await process.status;
    throw new Error(`child did not start: ${first.value}`);
  }
  return { process, lines, uuid: match[1] };
}

function splitLines(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

/** Reads the child's lines until one matches, within `ms`. */
async function expectLine(
  child: Child,
  pattern: RegExp,
  ms = 5000,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no line ${pattern} within ${ms} ms`)),
      ms,
    );
  });
  try {
    for (;;) {
      const next = await Promise.race([child.lines.next(), deadline]);
      if (next.done) throw new Error(`child ended before ${pattern}`);
      if (pattern.test(next.value)) return next.value;
    }
  } finally {
    clearTimeout(timer);
  }
}

async function command(child: Child, line: string): Promise<void> {
  const writer = child.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode(line + "\n"));
  writer.releaseLock();
}

async function finish(child: Child): Promise<void> {
  try {
    await child.process.stdin.close();
  } catch { /* already closed */ }
  try {
    child.process.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.process.status;
  // Drain stdout so its resource is closed.
  for (;;) {
    const next = await child.lines.next().catch(() => ({ done: true }));
    if (next.done) break;
  }
}

Deno.test("nodes in separate processes: whisper and shout both ways, EXIT on stop", async () => {
  const context = new Context();
  const port = beaconPort();
  const local = new Zyre({ ...fastOptions(port), name: "local", context });
  const rec = new Recorder(local);
  const child = await spawnNode(port, "remote", "--join", "CHAT");
  try {
    local.join("CHAT");
    await local.start();
    const enter = await rec.wait("ENTER", (e) => e.peerId === child.uuid);
    assert.equal(enter.peerName, "remote");
    assert.equal(enter.headers?.["X-PID"], String(child.process.pid));
    await expectLine(child, new RegExp(`^ENTER ${local.uuid} local$`));
    await rec.wait(
      "JOIN",
      (e) => e.peerId === child.uuid && e.group === "CHAT",
    );
    await expectLine(child, new RegExp(`^JOIN ${local.uuid} CHAT$`));

    local.whisper(child.uuid, ["one", "two", "three"]);
    await expectLine(
      child,
      new RegExp(`^WHISPER ${local.uuid} one\\|two\\|three$`),
    );
    local.shout("CHAT", ["x", "y"]);
    await expectLine(child, new RegExp(`^SHOUT ${local.uuid} CHAT x\\|y$`));

    await command(child, `whisper ${local.uuid} a b`);
    const whisper = await rec.wait("WHISPER", (e) => e.peerId === child.uuid);
    assert.deepEqual(strings(whisper.message), ["a", "b"]);
    await command(child, "shout CHAT c d e");
    const shout = await rec.wait("SHOUT", (e) => e.peerId === child.uuid);
    assert.deepEqual(strings(shout.message), ["c", "d", "e"]);

    await command(child, "stop");
    await rec.wait("EXIT", (e) => e.peerId === child.uuid, 1000);
    assert.equal(rec.of("EVASIVE").length, 0);
    assert.equal((await child.process.status).code, 0);
  } finally {
    await finish(child);
    await local.stop();
    await context.close();
  }
});

Deno.test("a killed node process: EVASIVE, then EXIT within the configured timeouts", async () => {
  const context = new Context();
  const port = beaconPort();
  const local = new Zyre({ ...fastOptions(port), name: "local", context });
  const rec = new Recorder(local);
  const child = await spawnNode(port, "victim");
  try {
    await local.start();
    await rec.wait("ENTER", (e) => e.peerId === child.uuid);
    await expectLine(child, /^ENTER /);
    child.process.kill("SIGKILL");
    const killed = performance.now();
    const evasive = await rec.wait(
      "EVASIVE",
      (e) => e.peerId === child.uuid,
      3000,
    );
    const evasiveAfter = performance.now() - killed;
    assert.equal(evasive.peerName, "victim");
    await rec.wait("EXIT", (e) => e.peerId === child.uuid, 3000);
    const exitAfter = performance.now() - killed;
    // evasive 500 ms and expired 1500 ms after the last beacon (100 ms apart),
    // checked every 500 ms.
    assert.ok(
      evasiveAfter >= 300 && evasiveAfter < 1200,
      `EVASIVE after ${evasiveAfter} ms`,
    );
    assert.ok(
      exitAfter >= 1300 && exitAfter < 2300,
      `EXIT after ${exitAfter} ms`,
    );
    const kinds = rec.events.filter((e) => e.peerId === child.uuid).map((e) =>
      e.kind
    );
    assert.ok(kinds.indexOf("EVASIVE") < kinds.indexOf("EXIT"));
    assert.deepEqual(local.peers(), []);
  } finally {
    await finish(child);
    await local.stop();
    await context.close();
  }
});

Deno.test("malformed input and sequence gaps drop the peer, never the node", async () => {
  const context = new Context();
  const node = new Zyre({
    ...fastOptions(beaconPort()),
    name: "target",
    context,
  });
  const rec = new Recorder(node);
  // A fake peer: our own DEALER into the node's inbox, and a ROUTER for its replies.
  const mailbox = new Router({ context, linger: 0 });
  const fakes: Dealer[] = [];
  const fake = (uuid: Uint8Array) => {
    const routingId = new Uint8Array(17);
    routingId[0] = 1;
    routingId.set(uuid, 1);
    const dealer = new Dealer({ context, routingId, linger: 0 });
    dealer.connect(node.endpoint);
    fakes.push(dealer);
    return dealer;
  };
  const hello = (sequence = 1) =>
    encodeMessage({
      command: "HELLO",
      sequence,
      endpoint: mailbox.lastEndpoint,
      groups: ["G"],
      status: 1,
      name: "fake",
      headers: {},
    });
  const hexOf = (uuid: Uint8Array) =>
    [...uuid].map((b) => b.toString(16).padStart(2, "0")).join("")
      .toUpperCase();
  try {
    await node.start();
    await mailbox.bind("tcp://127.0.0.1:*");

    // Commands before HELLO are ignored; then HELLO makes the peer enter.
    const u1 = crypto.getRandomValues(new Uint8Array(16));
    const d1 = fake(u1);
    await d1.send(encodeMessage({ command: "PING", sequence: 1 }));
    await d1.send(hello());
    const enter = await rec.wait("ENTER", (e) => e.peerId === hexOf(u1));
    assert.equal(enter.peerName, "fake");
    // The node answers on our mailbox with its own HELLO (sequence 1).
    const [, ...reply] = await mailbox.receive();
    const theirs = decodeMessage(reply);
    assert.equal(theirs.command, "HELLO");
    assert.equal(theirs.sequence, 1);
    // Non-ZRE frames (bad signature) are dropped silently: the peer stays.
    await d1.send(["garbage", "more"]);
    await d1.send(new Uint8Array([0xaa, 0xa0, 6, 2, 0, 2]));
    await d1.send(
      encodeMessage({
        command: "WHISPER",
        sequence: 2,
        content: [new TextEncoder().encode("ok")],
      }),
    );
    await rec.wait("WHISPER", (e) => e.peerId === hexOf(u1));
    // A gap in the sequence (3 expected) drops the peer.
    await d1.send(encodeMessage({ command: "PING", sequence: 5 }));
    await rec.wait("EXIT", (e) => e.peerId === hexOf(u1));

    // A malformed command from a known peer drops it too.
    const u2 = crypto.getRandomValues(new Uint8Array(16));
    const d2 = fake(u2);
    await d2.send(hello());
    await rec.wait("ENTER", (e) => e.peerId === hexOf(u2));
    await d2.send(new Uint8Array([0xaa, 0xa1, 4, 2, 0, 2, 9, 65]));
    await rec.wait("EXIT", (e) => e.peerId === hexOf(u2));

    // Fuzz: random frames from an unknown and from a known peer.
    const u3 = crypto.getRandomValues(new Uint8Array(16));
    const d3 = fake(u3);
    for (let i = 0; i < 300; i++) {
      const frames = Array.from({ length: 1 + (i % 3) }, () => {
        const frame = crypto.getRandomValues(new Uint8Array(i % 40));
        if (i % 2 && frame.length >= 4) frame.set([0xaa, 0xa1, 1 + (i % 7), 2]);
        return frame;
      });
      await d3.send(frames);
    }
    await d3.send(hello());
    await rec.wait("ENTER", (e) => e.peerId === hexOf(u3));
    for (let i = 0; i < 300; i++) {
      const frame = crypto.getRandomValues(new Uint8Array(6 + (i % 30)));
      frame.set([0xaa, 0xa1, 1 + (i % 7), 2]);
      await d3.send(frame);
    }
    await rec.wait("EXIT", (e) => e.peerId === hexOf(u3));
    // The node still works: a new peer enters and whispers.
    const u4 = crypto.getRandomValues(new Uint8Array(16));
    const d4 = fake(u4);
    await d4.send(hello());
    await d4.send(
      encodeMessage({ command: "WHISPER", sequence: 2, content: [] }),
    );
    await rec.wait("WHISPER", (e) => e.peerId === hexOf(u4));
  } finally {
    for (const dealer of fakes) dealer.close();
    mailbox.close();
    await node.stop();
    await context.close();
  }
});
