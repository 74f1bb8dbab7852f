// The examples, each run as its own process (loopback only, short runs) and
// checked by its output. Inproc ones also run on the WASM backend, with no
// permission at all.
import assert from "node:assert/strict";

const example = (name: string) =>
  new URL(`../examples/${name}`, import.meta.url).pathname;

/** A running example: its stdout as it comes, and how it ended. */
class Run {
  readonly #child: Deno.ChildProcess;
  #stdout = "";
  readonly #reading: Promise<void>;
  readonly #stderr: Promise<string>;

  constructor(name: string, args: string[], flags = ["--allow-ffi"]) {
    const child = this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, example(name), ...args],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = (async () => {
      const text = child.stdout.pipeThrough(new TextDecoderStream());
      for await (const chunk of text) this.#stdout += chunk;
    })();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /** Waits (up to `ms`) for the output to match `pattern`. */
  async waitFor(pattern: RegExp, ms = 10000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const match = this.#stdout.match(pattern);
      if (match) return match;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.#child.kill("SIGKILL");
    await this.end();
    throw new Error(`no ${pattern} in output:\n${this.#stdout}`);
  }

  /** Waits (up to `ms`) for the process to exit by itself; kills it otherwise. */
  async end(ms = 15000): Promise<{ stdout: string; lines: string[] }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let killed = false;
    const status = await Promise.race([
      this.#child.status,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          killed = true;
          this.#child.kill("SIGKILL");
          reject(new Error(`still running after ${ms} ms`));
        }, ms);
      }),
    ]).finally(async () => {
      clearTimeout(timer);
      if (killed) await this.#child.status;
      await this.#reading;
    });
    const stderr = await this.#stderr;
    assert.equal(status.code, 0, `exit code ${status.code}: ${stderr}`);
    return { stdout: this.#stdout, lines: this.#stdout.trim().split("\n") };
  }
}

Deno.test("publisher and subscriber: random integers on a topic", async () => {
  const publisher = new Run("publisher.ts", [
    "--endpoint",
    "tcp://127.0.0.1:0",
    "--interval",
    "50",
    "--count",
    "30",
  ]);
  const [, endpoint] = await publisher.waitFor(/publishing on (\S+)/);
  assert.match(endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  const subscriber = new Run("subscriber.ts", [
    "--endpoint",
    endpoint,
    "--count",
    "5",
  ]);
  const sub = await subscriber.end();
  const pub = await publisher.end();
  const sent = pub.lines.filter((l) => l.startsWith("sent ")).map((l) =>
    l.slice(5)
  );
  assert.equal(sent.length, 30);
  const received = sub.lines.filter((l) => l.startsWith("received "))
    .map((l) => l.slice(9));
  assert.equal(received.length, 5);
  for (const value of received) assert.match(value, /^\d+$/);
  // What the subscriber got is a run of consecutive messages the publisher sent.
  assert.ok(
    sent.join(",").includes(received.join(",")),
    `${received} not in ${sent}`,
  );
  assert.equal(sub.lines.at(-1), "subscriber done");
  assert.equal(pub.lines.at(-1), "publisher done");
});

for (const backend of ["ffi", "wasm"]) {
  // On WASM: no --allow-ffi, no permission at all.
  const flags = backend === "ffi" ? ["--allow-ffi"] : [];

  Deno.test(`ping_pong: round trips over Web Streams [${backend}]`, async () => {
    const { lines } = await new Run("ping_pong.ts", [
      "--rounds",
      "20",
      "--backend",
      backend,
    ], flags).end();
    for (let i = 1; i <= 20; i++) {
      assert.equal(lines[i - 1], `ping ${i} -> pong ${i}`);
    }
    assert.match(
      lines[20],
      new RegExp(`^20 round trips in [\\d.]+ ms on the ${backend} backend$`),
    );
  });

  Deno.test(`multiplexer: one Poller, five sockets [${backend}]`, async () => {
    const { lines } = await new Run("multiplexer.ts", [
      "--sockets",
      "5",
      "--messages",
      "3",
      "--backend",
      backend,
    ], flags).end();
    for (let i = 0; i < 5; i++) {
      const mine = lines.filter((l) => l.startsWith(`socket ${i} got: `));
      // Each socket got its own feeder's messages, in order.
      assert.deepEqual(
        mine,
        [1, 2, 3].map((m) => `socket ${i} got: message ${m} from feeder ${i}`),
      );
    }
    assert.equal(lines.at(-1), "received 15 messages on 5 sockets");
  });
}

Deno.test("echo_stream: plain TCP clients get their bytes back", async () => {
  const server = new Run("echo_stream.ts", [
    "--endpoint",
    "tcp://127.0.0.1:0",
    "--connections",
    "2",
  ]);
  const [, port] = await server.waitFor(
    /listening on tcp:\/\/127\.0\.0\.1:(\d+)/,
  );
  const encoder = new TextEncoder();
  for (
    const payload of [
      encoder.encode("hello"),
      crypto.getRandomValues(new Uint8Array(64 * 1024)), // several TCP segments
    ]
  ) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: +port });
    const writing = (async () => {
      for (let n = 0; n < payload.length;) {
        n += await conn.write(payload.subarray(n));
      }
    })();
    const echoed = new Uint8Array(payload.length);
    let got = 0;
    const deadline = Date.now() + 5000;
    while (got < payload.length && Date.now() < deadline) {
      const n = await conn.read(echoed.subarray(got));
      if (n === null) break;
      got += n;
    }
    await writing;
    assert.equal(got, payload.length);
    assert.deepEqual(echoed, payload);
    conn.close();
  }
  const { lines } = await server.end();
  assert.equal(lines.filter((l) => l.startsWith("connected ")).length, 2);
  assert.equal(lines.filter((l) => l.startsWith("disconnected ")).length, 2);
  assert.ok(lines.some((l) => /^echoed 5 bytes to [0-9a-f]+$/.test(l)));
  const bytes = lines.filter((l) => l.startsWith("echoed "))
    .map((l) => Number(l.split(" ")[1]))
    .reduce((a, b) => a + b, 0);
  assert.equal(bytes, 5 + 64 * 1024);
  // Connect and disconnect notifications name the same connection.
  const [first] = lines.filter((l) => l.startsWith("connected "));
  assert.ok(lines.includes(first.replace("connected", "disconnected")));
  assert.equal(lines.at(-1), "echo server done");
});

Deno.test("worker_pool: Workers sharing one context over inproc", async () => {
  const { lines } = await new Run("worker_pool/main.ts", [
    "--workers",
    "3",
    "--tasks",
    "30",
  ], ["--allow-ffi", "--allow-read"]).end();
  const done = lines.filter((l) => /^worker \d did \d+ tasks$/.test(l));
  assert.equal(done.length, 3, lines.join("\n"));
  assert.equal(
    done.map((l) => Number(l.split(" ")[3])).reduce((a, b) => a + b),
    30,
  );
  const [, total, wanted] = lines.find((l) => l.startsWith("total "))!
    .match(/^total (\d+) \(expected (\d+)\)$/)!;
  assert.equal(total, wanted);
  let sum = 0;
  for (let n = 1; n <= 30; n++) sum += (n * (n + 1) * (2 * n + 1)) / 6;
  assert.equal(Number(total), sum);
  assert.equal(lines.at(-1), "all workers stopped, context closed");
});
