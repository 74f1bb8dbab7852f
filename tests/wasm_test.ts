// The WASM backend specifically: clear errors for transports it lacks,
// closing, and living next to the FFI backend in one process. Its tcp://
// interop is in wasm_net_test.ts; the shared suite runs its tcp cases.
import assert from "node:assert/strict";
import process from "node:process";
import {
  Context,
  Pair,
  Pull,
  Push,
  Subscriber,
  XPublisher,
  ZmqError,
} from "../mod.ts";
import { isWriteWaiting } from "../src/fairness.ts";
import { endpoint, sleep, text, within } from "./helpers.ts";

const WASM_EPROTONOSUPPORT = 66; // WASI numbering

function isUnsupportedTransportError(address: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ZmqError, `expected a ZmqError, got ${err}`);
    assert.equal(err.code, "EPROTONOSUPPORT");
    assert.equal(err.errno, WASM_EPROTONOSUPPORT);
    assert.equal(err.endpoint, address);
    assert.match(
      err.message,
      /The WASM backend supports inproc:\/\/, tcp:\/\/ and ipc:\/\/ only/,
    );
    assert.ok(err.message.includes(`"${address}"`), err.message);
    assert.match(err.message, /apt-get install libzmq5/);
    assert.match(err.message, /--allow-ffi/);
    return true;
  };
}

Deno.test("[wasm] the context reports its backend", async () => {
  await using context = new Context({ backend: "wasm" });
  assert.equal(context.backend, "wasm");
});

Deno.test("[wasm] udp://, ws:// and pgm:// fail with a clear error", async () => {
  await using context = new Context({ backend: "wasm" });
  using pull = new Pull({ context });
  for (
    const address of [
      "udp://127.0.0.1:5555",
      "ws://127.0.0.1:5555",
      "pgm://eth0;239.192.1.1:5555",
    ]
  ) {
    const clear = isUnsupportedTransportError(address);
    await assert.rejects(pull.bind(address), clear);
    assert.throws(() => pull.connect(address), clear);
    await assert.rejects(pull.unbind(address), clear);
    assert.throws(() => pull.disconnect(address), clear);
  }
  // The socket still works afterwards.
  using push = new Push({ context });
  const address = endpoint("inproc");
  await pull.bind(address);
  push.connect(address);
  await push.send("still fine");
  assert.deepEqual(text(await pull.receive()), ["still fine"]);
});

Deno.test("[wasm] closing the context with sockets open", async () => {
  const context = new Context({ backend: "wasm" });
  const pull = new Pull({ context }), push = new Push({ context });
  const address = endpoint("inproc");
  await pull.bind(address);
  push.connect(address);
  await push.send("unread"); // left in the queue
  const extra = new Pull({ context });
  const pending = assert.rejects(extra.receive(), { code: "ENOTSOCK" });
  await within(2000, context.close(), "context close");
  await pending;
  assert.ok(pull.closed && push.closed && extra.closed);
  assert.equal(context.closed, true);
});

Deno.test("[wasm] using sockets and contexts after close", async () => {
  const context = new Context({ backend: "wasm" });
  const pair = new Pair({ context });
  pair.close();
  await assert.rejects(pair.send("x"), { code: "ENOTSOCK" });
  await assert.rejects(pair.receive(), { code: "ENOTSOCK" });
  await assert.rejects(pair.bind(endpoint("inproc")), { code: "ENOTSOCK" });
  assert.throws(() => pair.linger, { code: "ENOTSOCK" });
  const other = new Pair({ context });
  await context.close();
  assert.ok(other.closed);
  await assert.rejects(other.send("x"), { code: "ENOTSOCK" });
  assert.throws(() => new Pair({ context }), { code: "ETERM" });
  await context.close(); // twice is fine
});

Deno.test("[wasm] an FFI context and a WASM context in one process", async () => {
  await using wasm = new Context({ backend: "wasm" });
  await using ffi = new Context({ backend: "ffi" });
  assert.equal(wasm.backend, "wasm");
  assert.equal(ffi.backend, "ffi");
  // The same inproc name in each: separate libzmq instances, separate namespaces.
  const address = endpoint("inproc");
  const exchange = async (context: Context, label: string) => {
    using pull = new Pull({ context }), push = new Push({ context });
    await pull.bind(address);
    push.connect(address);
    const received = pull.receive();
    await push.send([label, "payload"]);
    return text(await within(2000, received, `${label} receive`));
  };
  const [a, b] = await Promise.all([
    exchange(wasm, "wasm"),
    exchange(ffi, "ffi"),
  ]);
  assert.deepEqual(a, ["wasm", "payload"]);
  assert.deepEqual(b, ["ffi", "payload"]);
});

Deno.test("[wasm] a send waiting for a peer proceeds once one connects", async () => {
  await using context = new Context({ backend: "wasm" });
  using push = new Push({ context }), pull = new Pull({ context });
  const sent = push.send("late peer"); // no peer yet: waits
  await sleep(5);
  const address = endpoint("inproc");
  await pull.bind(address);
  push.connect(address);
  await within(2000, sent, "send");
  assert.deepEqual(text(await within(2000, pull.receive())), ["late peer"]);
});

Deno.test("[wasm] an XPUB waiting to receive sees a new subscription", async () => {
  await using context = new Context({ backend: "wasm" });
  using xpub = new XPublisher({ context }), sub = new Subscriber({ context });
  const address = endpoint("inproc");
  await xpub.bind(address);
  sub.connect(address);
  const subscription = xpub.receive();
  await sleep(5); // parked by now
  sub.subscribe("topic");
  const [frame] = await within(2000, subscription, "subscription");
  assert.equal(frame[0], 1);
  assert.equal(new TextDecoder().decode(frame.subarray(1)), "topic");
});

Deno.test("[wasm] more than 64 waiting sockets are all woken", async () => {
  await using context = new Context({ backend: "wasm" });
  const count = 100;
  const pairs = Array.from({ length: count }, () => ({
    pull: new Pull({ context }),
    push: new Push({ context }),
  }));
  for (const { pull, push } of pairs) {
    const address = endpoint("inproc");
    await pull.bind(address);
    push.connect(address);
  }
  const receives = pairs.map(({ pull }) => pull.receive());
  for (const [i, { push }] of pairs.entries()) await push.send(`${i}`);
  const got = await within(2000, Promise.all(receives), "receives");
  assert.deepEqual(
    got.map((m) => text(m)[0]),
    pairs.map((_, i) => `${i}`),
  );
  for (const { pull, push } of pairs) pull.close(), push.close();
});

Deno.test("[wasm] big and multipart frames", async () => {
  await using context = new Context({ backend: "wasm" });
  using a = new Pair({ context }), b = new Pair({ context });
  const address = endpoint("inproc");
  await a.bind(address);
  b.connect(address);
  const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => i * 7);
  const sizes = [0, 1, 31, 32, 33, 8191, 8192, 8193, 65536, 65537];
  const frames = sizes.map((n) => big.subarray(0, n));
  for (let round = 0; round < 3; round++) {
    await b.send([...frames, big]);
    const got = await a.receive();
    assert.equal(got.length, frames.length + 1);
    got.forEach((frame, i) => {
      const expected = i < frames.length ? frames[i] : big;
      assert.equal(frame.byteLength, expected.byteLength);
      assert.ok(
        frame.every((byte, j) => byte === expected[j]),
        `frame ${i} differs`,
      );
    });
  }
});

Deno.test("[wasm] a host write that waits for the event loop is known to the fairness module until it finishes", async () => {
  await using context = new Context({ backend: "wasm" });
  using pull = new Pull({ context, receiveHighWaterMark: 2 });
  await pull.bind("tcp://127.0.0.1:*");
  using push = new Push({ context, sendHighWaterMark: 2 });
  push.connect(pull.lastEndpoint);
  const frame = new Uint8Array(1024 * 1024);
  assert.equal(isWriteWaiting(), false);
  // Nothing receives: libzmq's pipes, the inbound buffer and then the
  // kernel's fill up, and a host write has to wait.
  let sent = 0;
  await within(
    10_000,
    (async () => {
      while (!isWriteWaiting()) {
        if (push.trySend(frame)) sent++;
        await sleep(1);
      }
    })(),
    "filling up to a waiting write",
  );
  // Receiving lets it finish: every frame arrives, and nothing waits.
  for (let i = 0; i < sent; i++) {
    const [got] = await within(5_000, pull.receive(), `frame ${i}`);
    assert.equal(got.byteLength, frame.byteLength);
  }
  await within(
    2_000,
    (async () => {
      while (isWriteWaiting()) await sleep(1);
    })(),
    "the write to finish",
  );
});

Deno.test("[wasm] a script leaving sockets and messages behind exits by itself", async () => {
  const mod = new URL("../mod.ts", import.meta.url).href;
  const code = `
    import { Context, Pull, Push } from "${mod}";
    const context = new Context({ backend: "wasm" });
    const pull = new Pull({ context }), push = new Push({ context, linger: 1000 });
    await pull.bind("inproc://left-open");
    push.connect("inproc://left-open");
    await push.send("unread");
    console.log("done");
  `;
  const { code: exitCode, stdout, stderr } = await new Deno.Command(
    Deno.execPath(),
    { args: ["eval", code], stdout: "piped", stderr: "piped" },
  ).output();
  const decoder = new TextDecoder();
  assert.equal(exitCode, 0, decoder.decode(stderr));
  assert.equal(decoder.decode(stdout).trim(), "done");
});

/** The runtime running this file (the Node/Bun test runner shims Deno.test). */
const runtime = process.versions.bun
  ? "bun"
  : process.versions.deno
  ? "deno"
  : "node";

Deno.test(`[wasm] bindSync listens at once where ${runtime} can: ipc everywhere, tcp in Deno and Bun`, async () => {
  await using context = new Context({ backend: "wasm" });
  for (const address of [endpoint("ipc"), "tcp://127.0.0.1:*"]) {
    using pull = new Pull({ context, receiveTimeout: 3000 });
    if (address.startsWith("tcp://") && runtime === "node") {
      assert.throws(() => pull.bindSync(address), (err: unknown) => {
        assert.ok(err instanceof ZmqError, String(err));
        assert.equal(err.code, "ENOTSUP");
        assert.match(err.message, /resolves a tcp host asynchronously/);
        assert.match(err.message, /use await bind\(\)/);
        return true;
      });
      continue;
    }
    pull.bindSync(address);
    using push = new Push({ context });
    push.connect(pull.lastEndpoint);
    await push.send("bound synchronously");
    assert.deepEqual(text(await pull.receive()), ["bound synchronously"]);
    if (address.startsWith("tcp://")) {
      // The port is taken: Deno names the error at once, Bun only later.
      using second = new Pull({ context });
      assert.throws(
        () => second.bindSync(pull.lastEndpoint),
        (err: unknown) => {
          assert.ok(err instanceof ZmqError, String(err));
          if (runtime === "deno") assert.equal(err.code, "EADDRINUSE");
          return true;
        },
      );
    }
  }
});
