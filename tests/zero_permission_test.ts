// With no permission at all the default backend is WASM, and every pattern
// works over inproc: in Deno (`--no-prompt`, no flag) and in Node.
import assert from "node:assert/strict";
import { run, runInNode } from "./child_process.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const root = new URL("../", import.meta.url);
const SUMMARY = "zero-permission ok: backend=wasm pair=2 multipart=4 " +
  "pushpull=1000 big=1048576 pubsub=3/5 reqrep=3 dealerrouter=2 closed";

Deno.test("with no permission, auto picks WASM and every pattern works", async () => {
  const fixture = new URL("zero_permission.ts", fixtures);
  const result = await run(Deno.execPath(), [
    "run",
    "--no-prompt",
    fixture.pathname,
  ]);
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(result.stdout.trim(), SUMMARY);
});

Deno.test("the same scenario runs in Node (bundled with esbuild)", async () => {
  const result = await runInNode(new URL("zero_permission_node.ts", fixtures));
  assert.equal(result.code, 0, `exit code ${result.code}:\n${result.stderr}`);
  assert.equal(result.stdout.trim(), SUMMARY);
});

Deno.test("from a local checkout with no permission, the main entry says how to get the WASM backend", async () => {
  const code = `
    import { Context } from "${new URL("mod.ts", root).href}";
    try {
      new Context();
    } catch (err) {
      console.log(err.code, err.message);
    }`;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, code);
    const sandboxed = await run(Deno.execPath(), [
      "run",
      "--no-prompt",
      `${dir}/main.ts`,
    ]);
    assert.equal(sandboxed.code, 0, sandboxed.stderr);
    assert.match(
      sandboxed.stdout,
      /^EACCES .*--allow-read=.*@deno-zmq\/zmq\/wasm/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
