// Load: millions of small messages (RSS and file descriptors measured in a
// subprocess), a thousand sockets opened and closed repeatedly, and ten
// thousand receives pending at once.
//
// CI sizes by default; DENO_ZMQ_SOAK=1 runs 10,000,000 messages per transport
// and more rounds (or run tests/soak.ts).
import assert from "node:assert/strict";
import { Context, Pull, Push } from "../mod.ts";
import {
  type BackendName,
  backends,
  endpoint,
  sleep,
  type Transport,
  within,
} from "./helpers.ts";

const SOAK = (() => {
  try {
    return Deno.env.get("DENO_ZMQ_SOAK") === "1";
  } catch {
    return false;
  }
})();
const MESSAGES = SOAK ? 10_000_000 : 1_000_000;
const MB = 2 ** 20;
const fixture = (name: string) =>
  new URL(`./fixtures/${name}`, import.meta.url).pathname;

interface LoadReport {
  backend: BackendName;
  transport: Transport;
  messages: number;
  seconds: number;
  rate: number;
  rssBefore: number;
  rssAfter: number;
  rssGrowth: number;
  fdsBefore: number;
  fdsOpen: number;
  fdsAfter: number;
}

/** Runs a fixture with --expose-gc and returns the JSON line it prints. */
async function runFixture<T>(
  name: string,
  args: string[],
  ms: number,
): Promise<T> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--v8-flags=--expose-gc",
      fixture(name),
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = await within(ms, child.output(), name).catch(async (err) => {
    child.kill("SIGKILL");
    await child.status;
    throw err;
  });
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stdout + stderr);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Runs tests/fixtures/rel_load.ts and returns its report. */
export function runLoad(
  backend: BackendName,
  transport: Transport,
  messages: number,
): Promise<LoadReport> {
  return runFixture<LoadReport>(
    "rel_load.ts",
    [backend, transport, `${messages}`],
    60_000 + messages / 50,
  );
}

for (const backend of backends()) {
  for (
    const transport of backend === "ffi"
      ? ["tcp", "inproc"] as const
      : ["inproc"] as const
  ) {
    Deno.test(`load: ${MESSAGES.toLocaleString("en")} small messages: RSS grows < 10 MB, fds back to the start [${backend} ${transport}]`, async () => {
      const r = await runLoad(backend, transport, MESSAGES);
      console.log(
        `${r.messages} messages in ${r.seconds} s (${r.rate} msg/s); ` +
          `RSS ${(r.rssBefore / MB).toFixed(1)} -> ${
            (r.rssAfter / MB).toFixed(1)
          } MB (${(r.rssGrowth / MB).toFixed(2)} MB); ` +
          `fds ${r.fdsBefore} -> ${r.fdsOpen} open -> ${r.fdsAfter}`,
      );
      assert.equal(r.messages, MESSAGES);
      assert.ok(
        r.rssGrowth < 10 * MB,
        `RSS grew ${(r.rssGrowth / MB).toFixed(1)} MB`,
      );
      assert.equal(r.fdsAfter, r.fdsBefore, "file descriptors leaked");
      if (backend === "ffi") assert.ok(r.fdsOpen > r.fdsBefore);
    });
  }
}

for (const backend of backends()) {
  for (
    const transport of backend === "ffi"
      ? ["inproc", "tcp"] as const
      : ["inproc"] as const
  ) {
    Deno.test(`load: 1,000 sockets in one context, opened and closed repeatedly; fds back to the start [${backend} ${transport}]`, async () => {
      const rounds = SOAK ? 100 : 5;
      const r = await runFixture<{
        sockets: number;
        seconds: number;
        fdsBefore: number;
        afterRounds: number[];
        fdsAfter: number;
      }>(
        "rel_sockets.ts",
        [backend, transport, `${rounds}`],
        60_000 + rounds * 2000,
      );
      console.log(
        `${rounds} rounds x ${r.sockets} sockets in ${r.seconds} s: fds ${r.fdsBefore} before the context, ` +
          `${
            r.afterRounds.join(", ")
          } after each round, ${r.fdsAfter} after context close`,
      );
      assert.equal(r.afterRounds.length, rounds);
      // libzmq's reaper closes fds asynchronously, so a round may end one fd
      // apart from another; a leak would grow with every round instead.
      const spread = Math.max(...r.afterRounds) - Math.min(...r.afterRounds);
      assert.ok(
        spread <= 2,
        `fd counts drift across rounds: ${r.afterRounds.join(", ")}`,
      );
      assert.equal(r.fdsAfter, r.fdsBefore, "file descriptors leaked");
    });
  }
}

for (const backend of backends()) {
  for (
    const transport of backend === "ffi"
      ? ["inproc", "tcp"] as const
      : ["inproc"] as const
  ) {
    Deno.test(`load: 10,000 receives pending across 100 sockets are all served [${backend} ${transport}]`, async () => {
      await using context = new Context({ backend });
      const sockets = 100, perSocket = SOAK ? 1000 : 100;
      const pulls: Pull[] = [], pushes: Push[] = [];
      try {
        for (let i = 0; i < sockets; i++) {
          const pull = new Pull({ context });
          await pull.bind(endpoint(transport));
          const push = new Push({ context });
          push.connect(pull.lastEndpoint);
          pulls.push(pull);
          pushes.push(push);
        }
        const receives = pulls.map((pull) =>
          Array.from({ length: perSocket }, () => pull.receive())
        );
        await sleep(50);
        const start = performance.now();
        await within(
          20_000,
          Promise.all(pushes.map(async (push, s) => {
            for (let i = 0; i < perSocket; i++) await push.send(`${s}:${i}`);
          })),
          "sends",
        );
        const got = await within(
          20_000,
          Promise.all(receives.map((r) => Promise.all(r))),
          `${sockets * perSocket} receives`,
        );
        const ms = performance.now() - start;
        // Each receive got exactly one message, in call order per socket.
        got.forEach((messages, s) =>
          messages.forEach(([frame], i) =>
            assert.equal(new TextDecoder().decode(frame), `${s}:${i}`)
          )
        );
        console.log(
          `${sockets * perSocket} pending receives served in ${
            ms.toFixed(0)
          } ms`,
        );
      } finally {
        for (const socket of [...pulls, ...pushes]) socket.close();
      }
    });
  }
}

// A regression test of a library bug this suite found (fixed).
for (const backend of backends()) {
  Deno.test({
    name:
      `running out of sockets (maxSockets) says so, not "Too many open files" [${backend}]`,
    fn: async () => {
      await using context = new Context({ backend, maxSockets: 4 });
      const sockets: Pull[] = [];
      try {
        assert.throws(() => {
          for (let i = 0; i < 10; i++) sockets.push(new Pull({ context }));
        }, (err: unknown) => {
          assert.ok(err instanceof Error && "code" in err);
          assert.equal((err as { code: string }).code, "EMFILE");
          // libzmq's strerror: "Too many open files" (FFI), "No file
          // descriptors available" (WASM), though no fd limit was reached.
          assert.match(err.message, /maxSockets/);
          return true;
        });
        assert.equal(sockets.length, 4);
      } finally {
        for (const socket of sockets) socket.close();
      }
    },
  });
}
