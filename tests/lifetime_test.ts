// Process lifetime: scripts exit by themselves unless something is pending.
import assert from "node:assert/strict";
import { Pull, Push } from "../mod.ts";
import {
  type BackendName,
  backends,
  testEach,
  unusedTcpPort,
  within,
} from "./helpers.ts";

const fixture = (name: string) =>
  new URL(`./fixtures/${name}`, import.meta.url).pathname;

/**
 * The permissions a child gets, which make "auto" pick a backend: FFI with
 * --allow-ffi; WASM (tcp over Deno's sockets) with --allow-net, and
 * --allow-read for its on-demand import from this checkout.
 */
const PERMISSION: Record<BackendName, string[]> = {
  ffi: ["--allow-ffi"],
  wasm: ["--allow-net", "--allow-read"],
};

/** Registers a lifetime test once per backend. */
function testEachBackend(
  name: string,
  body: (
    run: (file: string, args: string[]) => Deno.ChildProcess,
  ) => Promise<void>,
): void {
  for (const backend of backends()) {
    Deno.test(`${name} [${backend}]`, () =>
      body((file, args) => runWith(file, args, PERMISSION[backend])));
  }
}

function run(name: string, ...args: string[]) {
  return runWith(name, args, PERMISSION.ffi);
}

function runWith(name: string, args: string[], permissions: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, fixture(name), ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function outputOf(child: Deno.ChildProcess, ms: number) {
  const output = await within(ms, child.output(), "child process exit");
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("a script that closes its sockets exits by itself", async () => {
  const start = performance.now();
  const { code, stdout, stderr } = await outputOf(
    run("exchange_and_exit.ts"),
    10_000,
  );
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "hello world");
  assert.ok(performance.now() - start < 10_000);
});

testEachBackend(
  "an idle socket with nothing pending does not keep the process alive",
  async (run) => {
    const { code, stdout, stderr } = await outputOf(
      run("idle_socket.ts", []),
      10_000,
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^bound tcp:\/\/127\.0\.0\.1:\d+/);
  },
);

testEachBackend(
  "a pending receive keeps the process alive until its message arrives",
  async (run) => {
    const child = run("pending_receive.ts", []);
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let firstLine = "";
    while (!firstLine.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      firstLine += value;
    }
    const address = firstLine.trim();
    assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    // The child must still be alive after a while with only the receive pending.
    const exitedEarly = await Promise.race([
      child.status.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
    ]);
    assert.equal(exitedEarly, false, "the child exited with a receive pending");
    using push = new Push();
    push.connect(address);
    await push.send("wake up");
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
    }
    const status = await within(10_000, child.status, "child exit");
    await child.stderr.cancel();
    assert.equal(status.code, 0);
    assert.equal(rest.trim(), "received wake up");
  },
);

testEachBackend(
  "messages still queued at exit are delivered within the linger period",
  async (run) => {
    using pull = new Pull({ receiveTimeout: 5000 });
    await pull.bind("tcp://127.0.0.1:*");
    const count = 20_000;
    const { code, stderr } = await outputOf(
      run("linger_flush.ts", [pull.lastEndpoint, `${count}`]),
      20_000,
    );
    assert.equal(code, 0, stderr);
    for (let i = 0; i < count; i++) {
      const [frame] = await pull.receive();
      assert.equal(new TextDecoder().decode(frame), `${i}`);
    }
  },
);

Deno.test("a process that exits while a Proxy runs exits at once", async () => {
  const start = performance.now();
  const { code, stdout, stderr } = await outputOf(run("proxy_exit.ts"), 10_000);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "exiting");
  assert.ok(performance.now() - start < 10_000);
});

Deno.test("a socket dropped without close() is closed by the GC safety net, with a warning", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--v8-flags=--expose-gc",
      fixture("leaked_socket.ts"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { code, stdout, stderr } = await outputOf(child, 20_000);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /port released after \d+ collections/);
  assert.match(
    stderr,
    /a PULL socket \(bind tcp:\/\/127\.0\.0\.1:\d+\) was garbage-collected without close\(\)/,
  );
});

Deno.test("contexts dropped without close() are collected; referenced ones are still terminated at exit", async () => {
  using pull = new Pull({ receiveTimeout: 15_000 });
  await pull.bind("tcp://127.0.0.1:*");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--v8-flags=--expose-gc",
      fixture("collected_context.ts"),
      pull.lastEndpoint,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [message] = await pull.receive();
  assert.equal(new TextDecoder().decode(message), "delivered at exit");
  const { code, stdout, stderr } = await outputOf(child, 20_000);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /collected 5 of 5 after \d+ collections/);
});

Deno.test("exit does not wait for a Worker parked on a receive", async () => {
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--allow-read",
      "--allow-env",
      fixture("worker_parked.ts"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const { code, stdout, stderr } = await outputOf(child, 10_000);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /exiting/);
    assert.ok(performance.now() - start < 5_000);
  } finally {
    try {
      child.kill("SIGKILL"); // a hung child must not outlive the test
    } catch { /* exited */ }
  }
});

testEach(
  "closing the context waits out a socket's linger on messages for a peer that is gone, then resolves",
  async (context) => {
    // Nothing listens there: the message stays queued for the whole linger.
    // (A port freed by a libzmq socket would not do: its I/O thread closes
    // the listener a moment later, and a connect in between delivered the
    // message, 1 in 20 runs under Node.)
    const gone = `tcp://127.0.0.1:${await unusedTcpPort()}`;
    const push = new Push({ context, linger: 300 });
    push.connect(gone);
    await push.send("never delivered");
    push.close();
    const start = performance.now();
    await within(3_000, context.close(), "context close");
    const waited = performance.now() - start;
    // libzmq drops the message after the linger; close must not fail sooner.
    assert.ok(waited >= 250, `close resolved after ${waited.toFixed(0)} ms`);
  },
);
