/**
 * Every TypeScript block of README.md, run as a user would run it: written to
 * files and run with `deno run` within a time limit, the package's names
 * ("@deno-zmq/zmq", "@deno-zmq/zmq/zyre", ...) mapped to this tree served over
 * HTTP on loopback, as JSR would serve it.
 *
 * A block that needs something says so in an HTML comment on the line before
 * it (invisible on the rendered page; blank lines between are fine), for example
 * `<!-- test: flags="--allow-ffi --allow-net" peer="router tcp://127.0.0.1:5555" server -->`:
 * - `flags`: the permission flags (default `--allow-ffi`);
 * - `peer`: what the test supplies while the block runs (see {@link peers});
 * - `server`: the block serves forever; it passes once its peer is served,
 *   and is then stopped.
 * Lines `// file: NAME.ts` split a block into files (the first one is run).
 */

import assert from "node:assert/strict";
import { Context, Router } from "../mod.ts";
import { Zyre } from "../src/zyre/mod.ts";
import { serveDirectory } from "./static_server.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const TIME_LIMIT_MS = 20_000;

/** This tree over HTTP, and an import map naming the package's entries there. */
function servePackage() {
  const { server, base, port } = serveDirectory(ROOT);
  const { name, exports } = JSON.parse(
    Deno.readTextFileSync(`${ROOT}deno.json`),
  );
  const imports: Record<string, string> = {};
  for (const [subpath, file] of Object.entries<string>(exports)) {
    imports[`${name}${subpath.slice(1)}`] = `${base}/${file.slice(2)}`;
  }
  return { server, host: `127.0.0.1:${port}`, imports };
}

interface Block {
  line: number;
  code: string;
  flags: string[];
  peer?: string;
  server: boolean;
}

function readmeBlocks(): Block[] {
  const lines = Deno.readTextFileSync(`${ROOT}README.md`).split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    let before = i - 1;
    while (before > 0 && lines[before].trim() === "") before--;
    const marker = lines[before].match(/^<!-- test:(.*)-->$/)?.[1] ?? "";
    const attr = (name: string) =>
      marker.match(new RegExp(`${name}="([^"]*)"`))?.[1];
    const end = lines.indexOf("```", i + 1);
    blocks.push({
      line: i + 1,
      code: lines.slice(i + 1, end).join("\n"),
      flags: (attr("flags") ?? "--allow-ffi").split(/\s+/).filter(Boolean),
      peer: attr("peer"),
      server: /\bserver\b/.test(marker.replace(/"[^"]*"/g, "")),
    });
    i = end;
  }
  return blocks;
}

/** Splits a block at `// file: NAME` lines; the first file is the one run. */
function filesOf(code: string): [name: string, code: string][] {
  const parts = code.split(/^\/\/ file: (\S+)\n/m);
  if (parts.length === 1) return [["main.ts", code]];
  const files: [string, string][] = [];
  for (let i = 1; i < parts.length; i += 2) {
    files.push([parts[i], parts[i + 1]]);
  }
  return files;
}

/**
 * The peers a block can ask for; each resolves once it got what it came for
 * and is stopped through the signal.
 */
const peers: Record<
  string,
  (address: string, signal: AbortSignal) => Promise<void>
> = {
  /** A ROUTER bound at the address, for blocks that connect and wait for a handshake. */
  async router(address, signal) {
    await using context = new Context({ backend: "ffi" });
    using router = new Router({ context });
    await router.bind(address);
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
  },
  /** A plain TCP client of a STREAM echo server: sends a line, expects it back. */
  async "tcp-echo-client"(address, signal) {
    const [host, port] = address.replace("tcp://", "").split(":");
    for (;;) {
      signal.throwIfAborted();
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname: host, port: Number(port) });
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      try {
        await conn.write(new TextEncoder().encode("hello\n"));
        const buffer = new Uint8Array(64);
        const n = await conn.read(buffer);
        assert.equal(
          new TextDecoder().decode(buffer.subarray(0, n!)),
          "hello\n",
        );
        return;
      } finally {
        conn.close();
      }
    }
  },
  /** A Zyre node on loopback that joins a group and shouts into it. */
  async "zyre-shouter"(group, signal) {
    await using node = new Zyre({
      name: "readme-peer",
      beaconAddress: "127.255.255.255",
      interval: 100,
    });
    node.join(group);
    await node.start();
    while (!signal.aborted) {
      node.shout(group, ["hello", "from the test"]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
};

async function runBlock(block: Block): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "deno-zmq-readme-" });
  const served = servePackage();
  try {
    Deno.writeTextFileSync(
      `${dir}/import_map.json`,
      JSON.stringify({ imports: served.imports }),
    );
    const files = filesOf(block.code);
    for (const [name, code] of files) {
      Deno.writeTextFileSync(`${dir}/${name}`, code);
    }
    const stop = new AbortController();
    let peer: Promise<void> | undefined;
    if (block.peer) {
      const [kind, address] = block.peer.split(" ");
      assert.ok(peers[kind], `unknown peer "${kind}" (line ${block.line})`);
      peer = peers[kind](address, stop.signal);
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        `--import-map=${dir}/import_map.json`,
        `--allow-import=${served.host}`,
        ...block.flags,
        `${dir}/${files[0][0]}`,
      ],
      env: { DENO_DIR: `${dir}/deno_dir` },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), TIME_LIMIT_MS);
    if (block.server) {
      // A server passes once its client was served; then it is stopped.
      await peer;
      child.kill("SIGTERM");
    }
    const { code, stderr } = await child.output();
    clearTimeout(timer);
    stop.abort();
    await peer?.catch(() => {});
    const err = new TextDecoder().decode(stderr);
    if (block.server) {
      assert.ok(!/error/i.test(err), `README line ${block.line}: ${err}`);
    } else {
      assert.equal(code, 0, `README line ${block.line} (exit ${code}): ${err}`);
    }
  } finally {
    await served.server.shutdown();
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("README: the Performance table is a table, with a row for every bench case", async () => {
  const { cases } = await import("../bench/cases.ts");
  const lines = Deno.readTextFileSync(`${ROOT}README.md`).split("\n");
  const header = lines.findIndex((l) => l.startsWith("| case "));
  assert.ok(header >= 0, "no table starting with | case");
  const cells = (line: string) => line.split("|").length;
  assert.match(lines[header + 1], /^\|( -+ \|)+$/, "no separator row");
  const rows: string[] = [];
  for (let i = header + 2; lines[i]?.startsWith("|"); i++) {
    assert.equal(cells(lines[i]), cells(lines[header]), `line ${i + 1}`);
    rows.push(lines[i].split("|")[1].trim());
  }
  assert.deepEqual(rows, cases.map((c) => c.label));
});

for (const block of readmeBlocks()) {
  const first = block.code.split("\n").find((l) => l.trim() !== "") ?? "";
  Deno.test(`README line ${block.line}: ${first.slice(0, 60)}`, () =>
    runBlock(block));
}
