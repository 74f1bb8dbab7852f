// Long soaks of the reliability suite, run by hand (not part of `deno test`):
//
//   deno run -A tests/soak.ts [messages=10000000] [rounds=100]
//
// Pushes MESSAGES small messages through tcp and inproc (FFI) and inproc
// (WASM) in subprocesses, reporting RSS and fd counts; opens and closes 1,000
// sockets ROUNDS times; then runs the fault, load and fuzz tests with
// DENO_ZMQ_SOAK=1 (20 kill/restart rounds, 1,000 Lazy Pirate requests,
// 10,000,000 messages, 5,000 random API sequences per backend).
const [messages = "10000000", rounds = "100"] = Deno.args;
const here = (path: string) => new URL(path, import.meta.url).pathname;

async function fixture(name: string, ...args: string[]): Promise<unknown> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--v8-flags=--expose-gc",
      here(`fixtures/${name}`),
      ...args,
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) {
    throw new Error(`${name} ${args.join(" ")} failed (${out.code})`);
  }
  return JSON.parse(
    new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
  );
}

const MB = 2 ** 20;
for (
  const [backend, transport] of [["ffi", "tcp"], ["ffi", "inproc"], [
    "wasm",
    "inproc",
  ]]
) {
  const r = await fixture(
    "rel_load.ts",
    backend,
    transport,
    messages,
  ) as Record<string, number>;
  console.log(
    `load [${backend} ${transport}]: ${r.messages} messages in ${r.seconds} s (${r.rate}/s); ` +
      `RSS ${(r.rssBefore / MB).toFixed(1)} -> ${
        (r.rssAfter / MB).toFixed(1)
      } MB ` +
      `(+${(r.rssGrowth / MB).toFixed(2)} MB; JS heap ${
        (r.heapBefore / MB).toFixed(1)
      } -> ` +
      `${
        (r.heapAfter / MB).toFixed(1)
      } MB); fds ${r.fdsBefore} -> ${r.fdsOpen} -> ${r.fdsAfter}`,
  );
  const s = await fixture(
    "rel_sockets.ts",
    backend,
    transport,
    rounds,
  ) as Record<string, unknown>;
  console.log(`sockets [${backend} ${transport}]: ${JSON.stringify(s)}`);
}

const test = await new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "--allow-ffi",
    "--allow-run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-net",
    here("faults_test.ts"),
    here("fuzz_test.ts"),
  ],
  env: { DENO_ZMQ_SOAK: "1" },
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(test.code);
