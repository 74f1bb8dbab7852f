/**
 * deno-zmq/zeromq and deno-zmq/zeromq/v5-compat as a zeromq.js program uses
 * them, in every runtime the suite runs in (Deno, and Node and Bun against
 * the built package). zeromq.js's own unit suite runs outside CI: deno task
 * test:zeromq-compat.
 */

import assert from "node:assert/strict";
import * as zmq from "../src/zeromq/mod.ts";
import * as v5 from "../src/zeromq/v5_compat.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
// zeromq.js gives Buffers; where the runtime has no Buffer (Deno), Uint8Arrays.
const FrameClass =
  (globalThis as unknown as { Buffer?: typeof Uint8Array }).Buffer ??
    Uint8Array;

Deno.test("zeromq.js v6 API: a push/pull program, its frames, events and errors", async () => {
  assert.match(zmq.version, /^\d+\.\d+\.\d+$/);
  const pull = new zmq.Pull();
  const push = new zmq.Push({ linger: 0 });
  try {
    const bound = new Promise<string | undefined>((resolve) =>
      pull.events.on("bind", (event) => resolve(event.address))
    );
    await pull.bind("tcp://127.0.0.1:*");
    const address = pull.lastEndpoint!;
    assert.equal(await bound, address);
    push.connect(address);
    await push.send(["hello", 42, true]); // numbers and booleans go as text
    const frames = await pull.receive();
    assert.ok(frames.every((f) => f instanceof FrameClass));
    assert.deepEqual(frames.map(text), ["hello", "42", "true"]);

    // zeromq.js's error shape: code, errno, address.
    const bad = new zmq.Pull();
    const err = await bad.bind("tcp://999.0.0.1:5555").catch((e) => e);
    bad.close();
    assert.equal(typeof err.code, "string");
    assert.equal(typeof err.errno, "number");
    assert.equal(err.address, "tcp://999.0.0.1:5555");
  } finally {
    push.close();
    pull.close();
  }
  // A closed socket says EBADF, as zeromq.js does.
  const closed = await pull.receive().catch((e) => e);
  assert.equal(closed.code, "EBADF");
});

Deno.test("zeromq.js v5-compat API: callbacks, message events, socket options", async () => {
  const pull = v5.socket("pull");
  const push = v5.socket("push");
  try {
    pull.bindSync("tcp://127.0.0.1:*");
    const address = pull.getsockopt(v5.ZMQ_LAST_ENDPOINT) as string;
    assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const got = new Promise<string[]>((resolve) =>
      pull.on(
        "message",
        (...frames: Uint8Array[]) => resolve(frames.map(text)),
      )
    );
    push.connect(address);
    const sent = new Promise<void>((resolve, reject) =>
      push.send(["job", "7"], 0, (err?: Error) => err ? reject(err) : resolve())
    );
    await sent;
    assert.deepEqual(await got, ["job", "7"]);
  } finally {
    push.close();
    pull.close();
  }
});
