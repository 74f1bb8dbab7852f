/**
 * Getting a machine ready for the benchmark: installs what is missing (as
 * root, with apt-get and npm), builds the native reference programs, and
 * finds out which implementations can run here (with the reason when not).
 *
 * @module
 */

import type { ImplId } from "./cases.ts";
import { paths } from "./paths.ts";
import { capture } from "./process.ts";

const log = (message: string) => console.error(`[setup] ${message}`);

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function mtime(path: string): Promise<number> {
  return await Deno.stat(path).then((s) => s.mtime?.getTime() ?? 0, () => 0);
}

let aptUpdated = false;

/** Installs Debian packages when running as root with apt-get; false when that is not possible. */
async function aptInstall(...packages: string[]): Promise<boolean> {
  if (
    Deno.uid() !== 0 ||
    (await capture(["sh", "-c", "command -v apt-get"])).code !== 0
  ) {
    return false;
  }
  log(`installing ${packages.join(" ")} with apt-get...`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    await capture(["apt-get", "update", "-qq"], { env });
    aptUpdated = true;
  }
  const { code, stderr } = await capture([
    "apt-get",
    "install",
    "-y",
    "-qq",
    ...packages,
  ], { env });
  if (code !== 0) log(`apt-get failed: ${stderr.split("\n").at(-1)}`);
  return code === 0;
}

/** Makes sure gcc and libzmq's headers are there; throws saying what to install otherwise. */
async function ensureCompiler(): Promise<void> {
  const ready = async () =>
    (await capture(["sh", "-c", "command -v gcc"])).code === 0 &&
    await exists("/usr/include/zmq.h");
  if (await ready()) return;
  if (await aptInstall("gcc", "libc6-dev", "libzmq3-dev") && await ready()) {
    return;
  }
  throw new Error(
    "The native reference programs need gcc and libzmq's headers: sudo apt-get install gcc libzmq3-dev",
  );
}

/** Builds every bench/native/*.c into bench/.build/ (only what changed). */
export async function buildNative(): Promise<void> {
  await ensureCompiler();
  await Deno.mkdir(paths.build, { recursive: true });
  const header = await mtime(`${paths.nativeSources}/common.h`);
  for await (const entry of Deno.readDir(paths.nativeSources)) {
    if (!entry.name.endsWith(".c")) continue;
    const source = `${paths.nativeSources}/${entry.name}`;
    const binary = `${paths.build}/${entry.name.slice(0, -2)}`;
    if (await mtime(binary) > Math.max(await mtime(source), header)) continue;
    log(`gcc ${entry.name}`);
    const { code, stderr } = await capture([
      "gcc",
      "-O2",
      "-Wall",
      "-Wextra",
      "-o",
      binary,
      source,
      "-lzmq",
      "-lpthread",
    ]);
    if (code !== 0) throw new Error(`gcc ${entry.name} failed:\n${stderr}`);
  }
}

/** Builds the WASM backend when its output is missing; the reason when it cannot. */
async function ensureWasm(): Promise<string | undefined> {
  if (await exists(paths.wasmLoader)) return undefined;
  log(
    "wasm/dist is missing: deno task build:wasm (takes a few minutes the first time)...",
  );
  const { code, stderr } = await capture([
    Deno.execPath(),
    "task",
    "build:wasm",
  ], {
    cwd: paths.root,
    timeoutMs: 30 * 60_000,
  });
  if (code === 0 && await exists(paths.wasmLoader)) return undefined;
  return `WASM build failed: ${stderr.split("\n").at(-1)}`;
}

/** pyzmq under /usr/bin/python3 (Debian's python3-zmq); the reason when unavailable. */
async function ensurePyzmq(): Promise<string | undefined> {
  const check = () => capture([paths.python, "-c", "import zmq"]);
  if ((await check()).code === 0) return undefined;
  if (await aptInstall("python3-zmq") && (await check()).code === 0) {
    return undefined;
  }
  return "pyzmq missing (sudo apt-get install python3-zmq)";
}

/** zeromq.js 6 installed with npm in a temp directory outside the repo; the reason when unavailable. */
async function ensureZeromqJs(): Promise<string | undefined> {
  const dir = paths.zeromqJs;
  const load = () => capture(["node", "-e", "require('zeromq')"], { cwd: dir });
  if (await exists(`${dir}/node_modules/zeromq`) && (await load()).code === 0) {
    return undefined;
  }
  if (
    (await capture(["sh", "-c", "command -v node && command -v npm"])).code !==
      0
  ) {
    return "node/npm not installed";
  }
  log(`npm install zeromq@6 in ${dir}...`);
  await Deno.mkdir(dir, { recursive: true });
  const install = await capture(
    ["npm", "install", "--no-audit", "--no-fund", "--no-save", "zeromq@6"],
    { cwd: dir, timeoutMs: 5 * 60_000 },
  );
  if (install.code !== 0) {
    return `npm install zeromq@6 failed: ${install.stderr.split("\n").at(-1)}`;
  }
  const loaded = await load();
  return loaded.code === 0
    ? undefined
    : `zeromq.js does not load: ${loaded.stderr.split("\n").at(-1)}`;
}

/** deno-zmq's npm build; the reason when it is missing. */
async function checkNpmBuild(): Promise<string | undefined> {
  // Hook for the Node build of deno-zmq: it runs as soon as npm/dist exists.
  if (await exists(`${paths.npmDist}/package.json`)) return undefined;
  return "npm build missing (deno task build:npm)";
}

/**
 * Builds and installs what the benchmark needs; returns, per implementation,
 * why it cannot run here (absent when it can). Throws when the native
 * reference cannot be built (nothing can be compared then).
 */
export async function prepare(): Promise<Partial<Record<ImplId, string>>> {
  await buildNative();
  const wasm = await ensureWasm();
  if (wasm) log(`${wasm}: the WASM case will report n/a`);
  const [pyzmq, zeromqjs, nodeOurs] = await Promise.all([
    ensurePyzmq(),
    ensureZeromqJs(),
    checkNpmBuild(),
  ]);
  const unavailable: Partial<Record<ImplId, string>> = {};
  if (pyzmq) unavailable.pyzmq = pyzmq;
  if (zeromqjs) unavailable.zeromqjs = zeromqjs;
  if (nodeOurs) unavailable["node-ours"] = nodeOurs;
  for (const [impl, reason] of Object.entries(unavailable)) {
    log(`${impl}: n/a (${reason})`);
  }
  return unavailable;
}
