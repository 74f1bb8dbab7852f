// Faults: peers SIGKILLed mid-stream and restarted, a Lazy Pirate client,
// stalled receivers, and contexts or processes ending with operations pending.
// Nothing may hang, crash or lose what the documented behaviour keeps.
//
// Long versions (more kills, more messages): DENO_ZMQ_SOAK=1.
import assert from "node:assert/strict";
import { Context, Pull, Push, Request, ZmqError } from "../mod.ts";
import {
  backends,
  endpoint,
  nextEvent,
  sleep,
  testEach,
  text,
  unusedTcpPort,
  within,
} from "./helpers.ts";

const SOAK = (() => {
  try {
    return Deno.env.get("DENO_ZMQ_SOAK") === "1";
  } catch {
    return false;
  }
})();
const fixture = (name: string) =>
  new URL(`./fixtures/${name}`, import.meta.url).pathname;
const decoder = new TextDecoder();

/** Faults injected by this file (SIGKILLs of peers), reported at the end. */
let faultsInjected = 0;

/**
 * A peer process (tests/fixtures/rel_peer.ts) serving one socket on a tcp
 * endpoint; its stdout is read line by line.
 */
class Peer {
  #endpoint = "";
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters: (() => void)[] = [];
  #stderr = "";
  #ended = false;
  readonly #done: Promise<void>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#done = Promise.all([this.#readLines(), this.#readStderr()]).then(
      () => {},
    );
  }

  /** Starts `rel_peer.ts <role> <endpoint> ...args` and waits for its bound endpoint. */
  static async start(
    role: "push" | "pull" | "rep",
    bindTo: string,
    ...args: string[]
  ): Promise<Peer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        fixture("rel_peer.ts"),
        role,
        bindTo,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const peer = new Peer(child);
    try {
      peer.#endpoint = await within(
        10_000,
        peer.nextLine(),
        `${role} peer start`,
      );
    } catch (err) {
      await peer.kill(true);
      throw new Error(`${(err as Error).message}; stderr: ${peer.#stderr}`);
    }
    return peer;
  }

  /** The endpoint the peer bound. */
  get endpoint(): string {
    return this.#endpoint;
  }

  async #readLines(): Promise<void> {
    let buffer = "";
    for await (
      const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        this.#lines.push(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    }
    this.#ended = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #readStderr(): Promise<void> {
    for await (
      const chunk of this.#child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      this.#stderr += chunk;
    }
  }

  /** The next line the peer printed. */
  async nextLine(): Promise<string> {
    while (this.#lines.length === 0) {
      if (this.#ended) {
        throw new Error(`peer output ended; stderr: ${this.#stderr}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.#lines.shift()!;
  }

  /** SIGKILLs the peer (a fault, unless `cleanup`) and waits for it to be gone. */
  async kill(cleanup = false): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
      if (!cleanup) faultsInjected++;
    } catch { /* already exited */ }
    await within(10_000, this.#child.status, "peer exit");
    await this.#done;
  }
}

/** The number a "<n>" frame carries. */
const num = (frames: Uint8Array[]) => Number(decoder.decode(frames[0]));

/** Whether `promise` is still pending after `ms`. */
async function stillPending(promise: Promise<unknown>, ms: number) {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await sleep(ms);
  return !settled;
}

function isCode(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ZmqError, `expected a ZmqError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

testEach(
  "faults: a PUSH peer SIGKILLed mid-stream; the PULL waits, times out with EAGAIN, and resumes when the peer restarts on the same port",
  async (context) => {
    let peer = await Peer.start("push", "tcp://127.0.0.1:*", "0");
    try {
      using pull = new Pull({ context, receiveHighWaterMark: 100 });
      pull.connect(peer.endpoint);
      const rounds = SOAK ? 20 : 2;
      let expected = 0;
      for (let round = 0; round < rounds; round++) {
        // A steady stream, in order.
        const end = expected + 2000;
        for (; expected < end; expected++) {
          assert.equal(num(await within(5000, pull.receive())), expected);
        }
        await peer.kill();
        // What was in flight may still arrive, in order; then nothing: EAGAIN.
        pull.receiveTimeout = 200;
        for (;;) {
          try {
            assert.equal(num(await within(5000, pull.receive())), expected++);
          } catch (err) {
            expected--;
            isCode("EAGAIN")(err);
            break;
          }
        }
        // A receive without a timeout stays pending while the peer is gone...
        pull.receiveTimeout = -1;
        const pending = pull.receive();
        assert.ok(
          await stillPending(pending, 300),
          "receive settled without a peer",
        );
        // ...and is served once the peer is back on the same port (reconnect).
        expected = (round + 1) * 1_000_000;
        peer = await Peer.start("push", peer.endpoint, `${expected}`);
        assert.equal(
          num(await within(5000, pending, "receive after restart")),
          expected++,
        );
      }
      for (let i = 0; i < 100; i++, expected++) {
        assert.equal(num(await within(5000, pull.receive())), expected);
      }
    } finally {
      await peer.kill(true);
    }
  },
);

testEach(
  "faults: a PULL peer SIGKILLed; sends queue up to the HWM, then wait (or time out with EAGAIN), and are delivered when it restarts",
  async (context) => {
    let peer = await Peer.start("pull", "tcp://127.0.0.1:*");
    try {
      using push = new Push({ context, sendHighWaterMark: 20 });
      // Start the monitor before connecting, so that no event is missed.
      const disconnected = nextEvent(push, "disconnect");
      push.connect(peer.endpoint);
      for (let i = 0; i < 100; i++) await within(5000, push.send(`a${i}`));
      for (let i = 0; i < 100; i++) {
        assert.equal(await within(5000, peer.nextLine()), `a${i}`);
      }
      await peer.kill();
      await within(5000, disconnected, "disconnect event");
      // No peer: libzmq keeps the pipe (ZMQ_IMMEDIATE off) and queues up to the HWM.
      push.sendTimeout = 200;
      let queued = 0;
      for (;; queued++) {
        try {
          await within(5000, push.send(`b${queued}`));
        } catch (err) {
          isCode("EAGAIN")(err);
          break;
        }
      }
      assert.ok(
        queued >= 1 && queued <= 40,
        `${queued} messages queued for a dead peer`,
      );
      // Without a timeout, a send waits...
      push.sendTimeout = -1;
      const pending = push.send("last");
      assert.ok(
        await stillPending(pending, 300),
        "send settled without a peer",
      );
      // ...until the peer is back on the same port: then everything queued is delivered, in order.
      peer = await Peer.start("pull", peer.endpoint);
      await within(5000, pending, "send after restart");
      for (let i = 0; i < queued; i++) {
        assert.equal(await within(5000, peer.nextLine()), `b${i}`);
      }
      assert.equal(await within(5000, peer.nextLine()), "last");
    } finally {
      await peer.kill(true);
    }
  },
);

testEach(
  "faults: a Lazy Pirate REQ client gets every reply from a server that is SIGKILLed and restarted",
  async (context) => {
    let server = await Peer.start("rep", "tcp://127.0.0.1:*");
    const address = server.endpoint;
    const total = SOAK ? 1000 : 60;
    const killEvery = 20;
    const timeout = 250;
    const maxRetries = 20;
    let requests = 0, replies = 0, retries = 0, kills = 0;
    const pids = new Set<string>();
    const newClient = () => {
      const req = new Request({ context, receiveTimeout: timeout, linger: 0 });
      req.connect(address);
      return req;
    };
    let client = newClient();
    let restarting: Promise<void> = Promise.resolve();
    try {
      for (let seq = 0; seq < total; seq++) {
        if (seq > 0 && seq % killEvery === 0) {
          // Kill the server; bring it back on the same port after more than a timeout.
          await restarting;
          await server.kill();
          kills++;
          restarting = sleep(timeout + 150).then(async () => {
            server = await Peer.start("rep", address);
          });
        }
        for (let attempt = 0;; attempt++) {
          assert.ok(
            attempt < maxRetries,
            `request ${seq}: no reply after ${attempt} tries`,
          );
          await within(5000, client.send(`${seq}`));
          requests++;
          try {
            const [reply] = text(await within(5000, client.receive()));
            const [got, pid] = reply.split(":");
            assert.equal(got, `${seq}`, "a reply to another request");
            pids.add(pid);
            replies++;
            break;
          } catch (err) {
            isCode("EAGAIN")(err);
            // Lazy Pirate: a REQ that timed out is unusable; close, reopen, resend.
            retries++;
            client.close();
            client = newClient();
          }
        }
      }
    } finally {
      client.close();
      await restarting.catch(() => {});
      await server.kill(true);
    }
    assert.equal(replies, total, "every request got its reply");
    assert.equal(requests, total + retries);
    assert.ok(retries >= 1, "the kills never made a request time out");
    assert.equal(
      pids.size,
      kills + 1,
      "replies came from every server instance",
    );
    console.log(
      `lazy pirate: ${total} requests answered, ${requests} sent (${retries} retries), ${kills} server kills`,
    );
  },
);

for (const backend of backends()) {
  for (
    const transport of ["inproc", "tcp"] as const
  ) {
    Deno.test(`faults: a stalled receiver: sends wait at the HWM, memory stays bounded, sendTimeout gives EAGAIN [${backend} ${transport}]`, async () => {
      await using context = new Context({ backend });
      using pull = new Pull({ context, receiveHighWaterMark: 10 });
      using push = new Push({ context, sendHighWaterMark: 10 });
      await pull.bind(endpoint(transport));
      push.connect(pull.lastEndpoint);
      const frame = new Uint8Array(64 * 1024).fill(7);
      // Warm up the path (and the wasm heap) with a few messages.
      for (let i = 0; i < 20; i++) await push.send(frame);
      for (let i = 0; i < 20; i++) await pull.receive();
      const total = SOAK ? 20_000 : 2000; // 128 MB (1.3 GB) if it were all buffered
      const rssBefore = Deno.memoryUsage().rss;
      let accepted = 0;
      const sends = Array.from(
        { length: total },
        () => push.send(frame).then(() => void accepted++),
      );
      await sleep(300);
      const rssStalled = Deno.memoryUsage().rss;
      const acceptedStalled = accepted;
      // inproc holds sndhwm + rcvhwm; tcp adds the kernel's socket buffers.
      const limit = transport === "inproc" ? 25 : 600;
      assert.ok(
        accepted >= 10 && accepted <= limit,
        `${accepted} of ${total} sends accepted by a stalled receiver`,
      );
      const growth = rssStalled - rssBefore;
      assert.ok(
        growth < 48 * 2 ** 20,
        `RSS grew ${
          (growth / 2 ** 20).toFixed(1)
        } MB with ${total} x 64 KiB sends pending`,
      );
      // With a sendTimeout, a send behind the stall fails with EAGAIN.
      push.sendTimeout = 100;
      const start = performance.now();
      await assert.rejects(within(5000, push.send(frame)), isCode("EAGAIN"));
      assert.ok(performance.now() - start < 2000);
      push.sendTimeout = -1;
      // The receiver resumes: every pending send completes, in order.
      for (let i = 0; i < total; i++) await within(5000, pull.receive());
      await within(5000, Promise.all(sends), "pending sends");
      assert.equal(accepted, total);
      console.log(
        `stall [${backend} ${transport}]: ${total} x 64 KiB sends, ${acceptedStalled} accepted while stalled ` +
          `(limit ${limit}), RSS ${mb(rssBefore)} -> ${mb(rssStalled)} MB`,
      );
    });
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

for (const backend of backends()) {
  for (const linger of [0, 300]) {
    Deno.test(`faults: context close with sends and receives pending, linger ${linger}: rejects them and completes [${backend}]`, async () => {
      const context = new Context({ backend });
      const pull = new Pull({ context, linger });
      await pull.bind(endpoint("inproc"));
      const receives = Array.from({ length: 10 }, () => pull.receive());
      // A PUSH whose peer never comes: one message queued in libzmq, more pending here.
      const push = new Push({ context, linger, sendHighWaterMark: 1 });
      push.connect(
        backend === "ffi"
          ? `tcp://127.0.0.1:${await unusedTcpPort()}`
          : "inproc://nobody-binds-this",
      );
      const sends = Array.from({ length: 10 }, (_, i) => push.send(`${i}`));
      // Handle the rejections as they happen (close() rejects synchronously).
      const outcomes = [...receives, ...sends].map((op) =>
        op.then(() => "resolved", (err: unknown) => err)
      );
      await sleep(20);
      const start = performance.now();
      await within(5000, context.close(), "context close");
      const elapsed = performance.now() - start;
      const results = await Promise.all(outcomes);
      // libzmq took the first message (or two) into the pipe of the pending
      // connection; everything still waiting here is rejected.
      const accepted = sends.length -
        results.slice(receives.length).filter((r) => r !== "resolved").length;
      assert.ok(accepted <= 2, `${accepted} sends resolved`);
      for (const outcome of results.slice(0, receives.length + accepted)) {
        if (outcome !== "resolved") isCode("ENOTSOCK")(outcome);
      }
      for (const outcome of results.slice(receives.length + accepted)) {
        isCode("ENOTSOCK")(outcome);
      }
      // Unsent messages are kept for the linger period (tcp), then dropped.
      if (backend === "ffi" && linger > 0) {
        assert.ok(elapsed >= linger - 50, `closed after ${elapsed} ms`);
      }
      assert.ok(elapsed < linger + 2000, `closed after ${elapsed} ms`);
    });
  }
}

Deno.test("faults: context close with linger > 0 flushes queued messages to a live peer, then completes", async () => {
  await using receiving = new Context({ backend: "ffi" });
  using pull = new Pull({ context: receiving, receiveHighWaterMark: 0 });
  await pull.bind("tcp://127.0.0.1:*");
  const sending = new Context({ backend: "ffi" });
  const push = new Push({
    context: sending,
    linger: 10_000,
    sendHighWaterMark: 0,
  });
  push.connect(pull.lastEndpoint);
  const count = SOAK ? 1_000_000 : 20_000;
  for (let i = 0; i < count; i++) await push.send(`${i}`);
  const start = performance.now();
  await within(15_000, sending.close(), "context close with linger");
  const elapsed = performance.now() - start;
  assert.ok(
    elapsed < 10_000,
    `close waited for the whole linger (${elapsed} ms)`,
  );
  pull.receiveTimeout = 5000;
  for (let i = 0; i < count; i++) assert.equal(num(await pull.receive()), i);
  pull.receiveTimeout = 100;
  await assert.rejects(pull.receive(), isCode("EAGAIN"));
});

/** Runs tests/fixtures/rel_exit.ts and returns its exit code, stdout and stderr. */
async function runExit(mode: string, ...args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", fixture("rel_exit.ts"), mode, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const start = performance.now();
  try {
    const out = await within(15_000, child.output(), `rel_exit.ts ${mode}`);
    return {
      code: out.code,
      ms: performance.now() - start,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    throw err;
  }
}

for (const backend of backends()) {
  Deno.test(`faults: Deno.exit() with receives and sends pending and linger 0 exits at once [${backend}]`, async () => {
    const { code, ms, stderr } = await runExit("pending", backend, "0");
    assert.equal(code, 3, stderr);
    assert.ok(ms < 10_000, `exit took ${ms} ms`);
  });
}

Deno.test("faults: Deno.exit() with linger > 0 and an unreachable peer waits the linger, not forever", async () => {
  const { code, ms, stdout, stderr } = await runExit(
    "pending",
    "ffi",
    "1000",
    `${await unusedTcpPort()}`,
  );
  assert.equal(code, 3, stderr);
  const waited = ms - Number(stdout.match(/ready after (\d+)/)?.[1] ?? 0);
  assert.ok(
    waited >= 900,
    `exited ${waited} ms after Deno.exit(), before the linger`,
  );
  assert.ok(ms < 10_000, `exit took ${ms} ms`);
});

for (const how of ["exit", "close"]) {
  Deno.test(`faults: ${how === "exit" ? "Deno.exit()" : "context close, then exiting by itself,"} with linger > 0 and a receive pending delivers every queued message [ffi]`, async () => {
    using pull = new Pull({ receiveHighWaterMark: 0, receiveTimeout: 5000 });
    await pull.bind("tcp://127.0.0.1:*");
    const count = 20_000;
    const { code, stderr } = await runExit(
      `flush-${how}`,
      pull.lastEndpoint,
      `${count}`,
    );
    assert.equal(code, how === "exit" ? 4 : 0, stderr);
    for (let i = 0; i < count; i++) assert.equal(num(await pull.receive()), i);
  });
}

Deno.test("faults: figures", () => {
  console.log(`faults injected (SIGKILLed peer processes): ${faultsInjected}`);
});
