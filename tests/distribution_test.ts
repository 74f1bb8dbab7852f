/**
 * The library as users get it: a clean tree (a `git archive` of HEAD) served
 * over HTTP on loopback and imported by URL into a fresh DENO_DIR, with and
 * without FFI; and `deno publish --dry-run` on that same clean tree.
 */

import assert from "node:assert/strict";
import { serveDirectory } from "./static_server.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const WASM_LOADER = "/wasm/dist/libzmq_wasm.js";

/** HEAD as a clean tree in a temporary directory (what a clone has). */
async function cleanTree(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deno-zmq-clean-" });
  const archive = await new Deno.Command("sh", {
    args: ["-c", `git -C "${ROOT}" archive HEAD | tar -x -C "${dir}"`],
  }).output();
  assert.ok(archive.success, new TextDecoder().decode(archive.stderr));
  return dir;
}

const consumer = (base: string) => `
import { Context, Pull, Push } from "${base}/mod.ts";
const start = performance.now();
await using context = new Context();
using pull = new Pull({ context }), push = new Push({ context });
const endpoint = context.backend === "ffi" ? "tcp://127.0.0.1:*" : "inproc://url";
await pull.bind(endpoint);
push.connect(pull.lastEndpoint);
await push.send("hello");
const [frame] = await pull.receive();
console.log(JSON.stringify({
  backend: context.backend,
  message: new TextDecoder().decode(frame),
  ms: performance.now() - start,
}));
`;

async function importByUrl(flags: string[]) {
  const tree = await cleanTree();
  const { server, served, port } = serveDirectory(tree);
  const work = await Deno.makeTempDir({ prefix: "deno-zmq-url-" });
  try {
    const base = `http://127.0.0.1:${port}`;
    Deno.writeTextFileSync(`${work}/app.ts`, consumer(base));
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        `--allow-import=127.0.0.1:${port}`,
        ...flags,
        `${work}/app.ts`,
      ],
      cwd: work,
      env: { DENO_DIR: `${work}/deno_dir`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const wallMs = performance.now() - started;
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    let bytes = 0;
    for (const n of served.values()) bytes += n;
    return { ...result, wallMs, bytes, served };
  } finally {
    await server.shutdown();
    await Deno.remove(work, { recursive: true });
    await Deno.remove(tree, { recursive: true });
  }
}

Deno.test("a clean tree imported by URL with --allow-ffi runs tcp on FFI, never fetching the WASM module", async () => {
  const run = await importByUrl(["--allow-ffi"]);
  assert.equal(run.backend, "ffi");
  assert.equal(run.message, "hello");
  assert.ok(
    !run.served.has(WASM_LOADER),
    "the FFI program fetched the WASM module",
  );
  console.log(
    `URL import, cold DENO_DIR, FFI: first message ${
      run.wallMs.toFixed(0)
    } ms after start ` +
      `(${
        run.ms.toFixed(1)
      } ms in the program); ${run.served.size} files, ${run.bytes} bytes downloaded`,
  );
});

Deno.test("a clean tree imported by URL with no permission runs inproc on WASM", async () => {
  const run = await importByUrl([]);
  assert.equal(run.backend, "wasm");
  assert.equal(run.message, "hello");
  assert.ok(run.served.has(WASM_LOADER));
  console.log(
    `URL import, cold DENO_DIR, no permission: first message ${
      run.wallMs.toFixed(0)
    } ms after start; ` +
      `${run.served.size} files, ${run.bytes} bytes downloaded (WASM module ${
        run.served.get(WASM_LOADER)
      } bytes)`,
  );
});

Deno.test("deno publish --dry-run passes on a clean tree and publishes only the library", async () => {
  const tree = await cleanTree();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["publish", "--dry-run", "--allow-dirty"],
      cwd: tree,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    assert.ok(out.success, text);
    assert.ok(!/warning/i.test(text), text);
    const files = [...text.matchAll(/file:\/\/\S+/g)].map((m) =>
      m[0].slice(`file://${tree}`.length)
    );
    assert.ok(files.includes("/mod.ts") && files.includes(WASM_LOADER), text);
    const outside = files.filter((f) =>
      !/^\/(mod\.ts|deno\.json|README\.md|LICENSE|(src|ffi)\/.*\.ts|wasm\/(net\/)?\w+\.ts|wasm\/dist\/.*)$/
        .test(f) ||
      f.endsWith("_test.ts")
    );
    assert.deepEqual(outside, [], "published files outside the library");
    let bytes = 0;
    for (const f of files) bytes += (await Deno.stat(`${tree}${f}`)).size;
    console.log(
      `deno publish would upload ${files.length} files, ${bytes} bytes`,
    );
  } finally {
    await Deno.remove(tree, { recursive: true });
  }
});
