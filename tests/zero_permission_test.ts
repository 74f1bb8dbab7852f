// With no permission at all the default backend is WASM, and every pattern
// works over inproc: in Deno (`--no-prompt`, no flag) and in Node.
import assert from "node:assert/strict";

const fixtures = new URL("./fixtures/", import.meta.url);
const root = new URL("../", import.meta.url);
const SUMMARY = "zero-permission ok: backend=wasm pair=2 multipart=4 " +
  "pushpull=1000 big=1048576 pubsub=3/5 reqrep=3 dealerrouter=2 closed";

async function run(
  command: string,
  args: string[],
  cwd = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

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

Deno.test({
  name: "the same scenario runs in Node (bundled with esbuild)",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "deno-zmq-node-" });
    try {
      const bundle = `${dir}/zero_permission.mjs`;
      const built = await run("npx", [
        "--yes",
        "esbuild@0.24",
        new URL("zero_permission_node.ts", fixtures).pathname,
        "--bundle",
        "--format=esm",
        "--platform=node",
        "--log-level=warning",
        `--outfile=${bundle}`,
      ]);
      assert.equal(built.code, 0, `esbuild failed:\n${built.stderr}`);
      const result = await run("node", [bundle]);
      assert.equal(
        result.code,
        0,
        `exit code ${result.code}:\n${result.stderr}`,
      );
      assert.equal(result.stdout.trim(), SUMMARY);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
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
