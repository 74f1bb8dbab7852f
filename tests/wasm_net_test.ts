// The WASM backend on the network: a Deno program with only --allow-net for
// its peers' ports (no FFI) runs every pattern with CURVE against pyzmq and
// native libzmq (the FFI backend in another process), binding and
// connecting, and so does Node; a program with --allow-net=127.0.0.1:PORT is
// refused other ports; CURVE both ways against native libzmq; hostnames,
// IPv6, heartbeats. The shared suite (patterns, interop with pyzmq,
// security, faults: peers killed and restarted, Lazy Pirate, HWM) runs its
// tcp cases on WASM as well; this file holds what only the WASM backend
// has. Needs /usr/bin/python3 with pyzmq.
import assert from "node:assert/strict";
import { Context, curveKeyPair, Pull, Push, Reply, Request } from "../mod.ts";
import { run, runInNode } from "./child_process.ts";
import { backends, text, within } from "./helpers.ts";

const PYTHON = "/usr/bin/python3";
const REP_PEER = new URL("./peers/pyzmq_curve_rep.py", import.meta.url)
  .pathname;
const PATTERN_PEER = new URL("./peers/pyzmq_curve_patterns.py", import.meta.url)
  .pathname;
const fixtures = new URL("./fixtures/", import.meta.url);
const hasBoth = backends().includes("wasm") && backends().includes("ffi");

/** A running peer process; `await using` kills it. */
interface PeerProcess<Info> extends AsyncDisposable {
  /** The JSON line it printed first (where it listens, its key). */
  info: Info;
  kill(): Promise<void>;
  signal(signal: Deno.Signal): void;
}

/** Starts a peer that prints one JSON line once it listens. */
async function startPeer<Info>(
  command: string,
  args: string[],
): Promise<PeerProcess<Info>> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await within(10_000, reader.read(), "peer start");
    if (done) throw new Error(`${args[0]} exited before printing its line`);
    line += value;
  }
  reader.releaseLock();
  let alive = true;
  const kill = async () => {
    if (!alive) return;
    alive = false;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await child.stdin.close().catch(() => {});
    await child.stdout.cancel().catch(() => {});
  };
  const signal = (signal: Deno.Signal) => {
    if (alive) child.kill(signal);
  };
  return {
    info: JSON.parse(line),
    kill,
    signal,
    [Symbol.asyncDispose]: kill,
  };
}

/** Starts tests/peers/pyzmq_curve_rep.py with `args`. */
function startRep(args: string[] = []) {
  return startPeer<{ endpoint: string; publicKey: string }>(PYTHON, [
    REP_PEER,
    ...args,
  ]);
}

Deno.test("Deno with only --allow-net=127.0.0.1:PORT: CURVE with pyzmq, other ports refused", async () => {
  await using rep = await startRep();
  const port = rep.info.endpoint.slice(rep.info.endpoint.lastIndexOf(":") + 1);
  const result = await run(Deno.execPath(), [
    "run",
    "--no-prompt",
    `--allow-net=127.0.0.1:${port}`,
    new URL("net_permission.ts", fixtures).pathname,
    rep.info.endpoint,
    rep.info.publicKey,
  ]);
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(
    result.stdout.trim(),
    "net ok: backend=wasm curve=3 refused=connect:true,bind:true",
  );
});

/**
 * A free tcp port below Linux's ephemeral range (32768-60999), for a bind
 * the permission must name beforehand: a port from that range could be taken
 * meanwhile as the source port of any connection (the peers reconnecting to
 * it included), which made the later bind fail with EADDRINUSE.
 */
function freePortBelowEphemeral(): number {
  for (let tries = 0; tries < 100; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch { /* taken: try another */ }
  }
  throw new Error("no free port in 20000-31999");
}

/** What a pattern peer prints: its CURVE key, where each socket listens. */
interface PatternPeer {
  publicKey: string;
  endpoints: Record<string, string>;
}

/**
 * tests/fixtures/net_patterns.ts's spec: a pyzmq and a native libzmq peer of
 * every pattern (CURVE servers), which also connect to `bind` where the
 * WASM side binds; and the ports a permission must name.
 */
async function patternPeers(stack: AsyncDisposableStack) {
  const keys = curveKeyPair();
  const port = freePortBelowEphemeral();
  const bind = `tcp://127.0.0.1:${port}`;
  const peers = [
    stack.use(
      await startPeer<PatternPeer>(PYTHON, [
        PATTERN_PEER,
        bind,
        keys.publicKey,
      ]),
    ),
    stack.use(
      await startPeer<PatternPeer>(Deno.execPath(), [
        "run",
        "-A",
        new URL("curve_patterns_native.ts", fixtures).pathname,
        bind,
        keys.publicKey,
      ]),
    ),
  ].map((peer) => peer.info);
  const ports = [port];
  for (const peer of peers) {
    for (const e of Object.values(peer.endpoints)) {
      ports.push(Number(e.slice(e.lastIndexOf(":") + 1)));
    }
  }
  return { spec: JSON.stringify({ peers, bind, keys }), ports };
}

const PATTERNS_OK =
  "patterns ok: backend=wasm peers=pyzmq,native exchanges=10 bound=native:3,pyzmq:3";

Deno.test("Deno with only --allow-net for its peers: every pattern with CURVE against pyzmq and native libzmq, both binding", async () => {
  await using stack = new AsyncDisposableStack();
  const { spec, ports } = await patternPeers(stack);
  const result = await run(Deno.execPath(), [
    "run",
    "--no-prompt",
    `--allow-net=${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
    new URL("net_patterns.ts", fixtures).pathname,
    spec,
  ]);
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(result.stdout.trim(), PATTERNS_OK);
});

Deno.test("Node on the WASM backend: every pattern with CURVE against pyzmq and native libzmq", async () => {
  await using stack = new AsyncDisposableStack();
  const { spec } = await patternPeers(stack);
  const result = await runInNode(new URL("net_patterns.ts", fixtures), [spec]);
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(result.stdout.trim(), PATTERNS_OK);
});

Deno.test("Node on the WASM backend: CURVE with pyzmq (bundled with esbuild)", async () => {
  await using rep = await startRep();
  const result = await runInNode(
    new URL("net_permission_node.ts", fixtures),
    [rep.info.endpoint, rep.info.publicKey],
  );
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(
    result.stdout.trim(),
    "net ok: backend=wasm curve=3 refused=none",
  );
});

Deno.test({
  name: "CURVE both ways between the WASM backend and native libzmq",
  ignore: !hasBoth,
  async fn() {
    await using wasm = new Context({ backend: "wasm" });
    await using ffi = new Context({ backend: "ffi" });
    for (const [server, client] of [[wasm, ffi], [ffi, wasm]]) {
      const serverKeys = curveKeyPair(server);
      const clientKeys = curveKeyPair(client);
      using pull = new Pull({
        context: server,
        curveServer: true,
        curveSecretKey: serverKeys.secretKey,
        receiveTimeout: 3000,
      });
      await pull.bind("tcp://127.0.0.1:*");
      using push = new Push({
        context: client,
        curveServerKey: serverKeys.publicKey,
        curvePublicKey: clientKeys.publicKey,
        curveSecretKey: clientKeys.secretKey,
      });
      push.connect(pull.lastEndpoint);
      const big = new Uint8Array(100_000).map((_, i) => i * 7);
      await push.send(["secret", new Uint8Array(0), big]);
      const [word, empty, bytes] = await pull.receive();
      assert.equal(new TextDecoder().decode(word), "secret");
      assert.equal(empty.byteLength, 0);
      assert.deepEqual(bytes, big);
    }
  },
});

Deno.test({
  name: "a REP on the WASM backend serves a native libzmq REQ",
  ignore: !hasBoth,
}, async () => {
  // Both ends of the wire are different libzmq builds.
  await using wasm = new Context({ backend: "wasm" });
  await using ffi = new Context({ backend: "ffi" });
  using rep = new Reply({ context: wasm });
  await rep.bind("tcp://127.0.0.1:*");
  using req = new Request({ context: ffi, receiveTimeout: 3000 });
  req.connect(rep.lastEndpoint);
  for (let i = 0; i < 100; i++) {
    await req.send(["ping", String(i)]);
    const request = await rep.receive();
    await rep.send([...request, "pong"]);
    assert.deepEqual(text(await req.receive()), ["ping", String(i), "pong"]);
  }
});

Deno.test({
  name: "hostnames, IPv6 and wildcard binds between WASM and native libzmq",
  ignore: !hasBoth,
}, async () => {
  await using wasm = new Context({ backend: "wasm" });
  await using ffi = new Context({ backend: "ffi" });
  const cases: [
    Context,
    Context,
    string,
    (bound: string) => string,
    boolean,
  ][] = [
    // A hostname is resolved by the host runtime, asynchronously.
    [
      ffi,
      wasm,
      "tcp://127.0.0.1:*",
      (e) => e.replace("127.0.0.1", "localhost"),
      false,
    ],
    [
      wasm,
      wasm,
      "tcp://127.0.0.1:*",
      (e) => e.replace("127.0.0.1", "localhost"),
      false,
    ],
    [wasm, ffi, "tcp://[::1]:*", (e) => e, true],
    [ffi, wasm, "tcp://[::1]:*", (e) => e, true],
    [wasm, ffi, "tcp://*:*", (e) => e.replace("0.0.0.0", "127.0.0.1"), false],
  ];
  for (const [server, client, bindTo, connectTo, ipv6] of cases) {
    using pull = new Pull({ context: server, ipv6, receiveTimeout: 3000 });
    await pull.bind(bindTo);
    using push = new Push({ context: client, ipv6 });
    push.connect(connectTo(pull.lastEndpoint));
    await push.send(bindTo);
    assert.deepEqual(text(await pull.receive()), [bindTo]);
  }
});

Deno.test("binding a hostname fails as in libzmq (interfaces and addresses only)", async () => {
  await using context = new Context({ backend: "wasm" });
  using pull = new Pull({ context });
  await assert.rejects(pull.bind("tcp://localhost:*"), { code: "ENODEV" });
  // The host listener opened for it was released: the port is free again.
  await pull.bind("tcp://127.0.0.1:*");
});

/**
 * 1,000,000 small messages WASM -> native over tcp, with RSS and open file
 * descriptors before and after (after a first million, which grows the wasm
 * heap to what a stream needs). Seconds, but a soak: only with
 * DENO_ZMQ_SOAK=1; prints its figures.
 */
Deno.test({
  name:
    "soak: 1,000,000 messages WASM -> native over tcp, RSS flat, fds returned",
  ignore: !hasBoth || Deno.env.get("DENO_ZMQ_SOAK") !== "1",
}, async () => {
  const fds = () => [...Deno.readDirSync("/proc/self/fd")].length;
  const rss = () => Deno.memoryUsage().rss / 2 ** 20;
  const run = async (count: number) => {
    await using wasm = new Context({ backend: "wasm" });
    await using ffi = new Context({ backend: "ffi" });
    using pull = new Pull({ context: ffi, receiveTimeout: 5000 });
    await pull.bind("tcp://127.0.0.1:*");
    using push = new Push({ context: wasm });
    push.connect(pull.lastEndpoint);
    const frame = new Uint8Array(16);
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send(frame);
    })();
    for (let i = 0; i < count; i++) await pull.receive();
    await sending;
  };
  // Warm-up: the wasm heap grows to what a stream needs and never shrinks.
  await run(1_000_000);
  const before = { rss: rss(), fds: fds() };
  const start = performance.now();
  await run(1_000_000);
  const seconds = (performance.now() - start) / 1000;
  const after = { rss: rss(), fds: fds() };
  console.log(
    `1M x 16 B in ${seconds.toFixed(1)} s; RSS ${before.rss.toFixed(1)} -> ` +
      `${after.rss.toFixed(1)} MB; fds ${before.fds} -> ${after.fds}`,
  );
  assert.ok(after.rss - before.rss < 20, "RSS grew by 20 MB or more");
  assert.ok(after.fds <= before.fds, "file descriptors leaked");
});

Deno.test("ZMTP heartbeats (libzmq's timers) drop a peer that stopped answering", async () => {
  await using context = new Context({ backend: "wasm" });
  await using rep = await startRep(["--plain"]);
  using req = new Request({
    context,
    heartbeatInterval: 100,
    heartbeatTimeout: 300,
  });
  const seen: string[] = [];
  const disconnected = new Promise<void>((resolve) => {
    for (const type of ["connect", "handshake", "disconnect"]) {
      req.events.addEventListener(type, () => {
        seen.push(type);
        if (type === "disconnect") resolve();
      });
    }
  });
  req.connect(rep.info.endpoint);
  await req.send("ping");
  assert.deepEqual(text(await req.receive()), ["gnip", "pyzmq"]);
  // Frozen, the peer's kernel still holds the connection open: only the
  // heartbeat timeout (a libzmq timer, run from the host timer) can notice.
  rep.signal("SIGSTOP");
  const start = performance.now();
  try {
    await within(3000, disconnected, "heartbeat disconnect");
  } finally {
    rep.signal("SIGCONT");
  }
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 250, `disconnected after ${elapsed.toFixed(0)} ms`);
  assert.deepEqual(seen.slice(0, 2), ["connect", "handshake"]);
});

Deno.test("bindSync on the WASM backend listens at once in Deno (Deno.listen is synchronous)", async () => {
  await using context = new Context({ backend: "wasm" });
  using pull = new Pull({ context, receiveTimeout: 3000 });
  pull.bindSync("tcp://127.0.0.1:*");
  using push = new Push({ context });
  push.connect(pull.lastEndpoint);
  await push.send("bound synchronously");
  assert.deepEqual(text(await pull.receive()), ["bound synchronously"]);
  using second = new Pull({ context });
  assert.throws(() => second.bindSync(pull.lastEndpoint), {
    code: "EADDRINUSE",
  });
});
