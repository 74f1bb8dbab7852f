// The Zyre examples, run as processes on loopback with a short duration.
import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { Zyre } from "../src/zyre/mod.ts";
import { beaconPort, fastOptions, Recorder } from "./zyre_helpers.ts";

const example = (name: string) =>
  new URL(`../examples/${name}`, import.meta.url).pathname;

function run(name: string, ...args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-ffi",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      example(name),
      "--address",
      "127.255.255.255",
      "--interval",
      "100",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finished(child: Deno.ChildProcess, ms = 15000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const output = await Promise.race([
      child.output(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`example still running after ${ms} ms`));
        }, ms);
      }),
    ]);
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr: new TextDecoder().decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("zpinger: two of them greet each other, shout on whispers and see EXIT", async () => {
  const port = String(beaconPort());
  const short = run(
    "zpinger.ts",
    "--port",
    port,
    "--name",
    "p1",
    "--duration",
    "1500",
  );
  const long = run(
    "zpinger.ts",
    "--port",
    port,
    "--name",
    "p2",
    "--duration",
    "3000",
  );
  const [one, two] = await Promise.all([finished(short), finished(long)]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  for (const [out, other] of [[one.stdout, "p2"], [two.stdout, "p1"]]) {
    assert.match(
      out,
      new RegExp(`ENTER ${other} [0-9A-F]{32} tcp://127\\.0\\.0\\.1:\\d+`),
    );
    assert.match(out, new RegExp(`WHISPER from ${other}: Hello`));
    assert.match(out, new RegExp(`SHOUT from ${other} to GLOBAL: Hello`));
    assert.match(out, /stopped/);
  }
  // p1 stops first: p2 logs its EXIT (from the leaving beacon).
  assert.match(two.stdout, /EXIT p1 [0-9A-F]{32}/);
});

Deno.test("zyredir: one JSON file per online node, written on ENTER, deleted on EXIT", async () => {
  const context = new Context();
  const port = beaconPort();
  const dir = await Deno.makeTempDir({ prefix: "zyredir-" });
  const child = run(
    "zyredir.ts",
    "--port",
    String(port),
    "--dir",
    dir,
    "--duration",
    "12000",
    // Beacon on loopback, as often as the test's own nodes do.
    "--address",
    "127.255.255.255",
    "--interval",
    "100",
  );
  const a = new Zyre({
    ...fastOptions(port),
    name: "node-a",
    headers: { "X-K": "v" },
    context,
  });
  const b = new Zyre({ ...fastOptions(port), name: "node-b", context });
  const rb = new Recorder(b);
  const files = async () => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".json")) names.push(entry.name);
    }
    return names.sort();
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    // Generous: a loaded CI machine runs this under Node too.
    const deadline = performance.now() + 10_000;
    while (!(await check())) {
      if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let collected = false;
  try {
    a.join("CHAT");
    await a.start();
    await b.start();
    const dirPeer = await rb.wait("ENTER", (e) => e.peerName === "zyredir");
    await until(
      "files of a, b and zyredir",
      async () => (await files()).length === 3,
    );
    assert.deepEqual(
      await files(),
      [a.uuid, b.uuid, dirPeer.peerId].map((id) => `${id}.json`).sort(),
    );
    await until("a's groups in its file", async () => {
      const entry = JSON.parse(
        await Deno.readTextFile(`${dir}/${a.uuid}.json`),
      );
      return entry.groups.includes("CHAT");
    });
    const entry = JSON.parse(await Deno.readTextFile(`${dir}/${a.uuid}.json`));
    assert.equal(entry.name, "node-a");
    assert.equal(entry.headers["X-K"], "v");
    assert.match(entry.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    await b.stop();
    await until(
      "b's file deleted",
      async () => !(await files()).includes(`${b.uuid}.json`),
    );
    assert.ok((await files()).includes(`${a.uuid}.json`));
    const result = await finished(child);
    collected = true;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ENTER node-a/);
    assert.match(result.stdout, /EXIT node-b/);
    assert.deepEqual(await files(), []);
  } finally {
    if (!collected) {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      const { stdout, stderr } = await child.output();
      // What the example saw, for a failure on a loaded machine.
      console.log(new TextDecoder().decode(stdout));
      console.log(new TextDecoder().decode(stderr));
    }
    await a.stop();
    await b.stop();
    await context.close();
    await Deno.remove(dir, { recursive: true });
  }
});
