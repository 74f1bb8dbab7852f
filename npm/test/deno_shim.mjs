// The part of the Deno namespace the shared test suite (tests/*_test.ts) uses,
// for running it under Node against the built package (npm/test/node_runner.mjs
// runs the tests registered here; node:test is not used: its async context
// tracking makes promise-heavy loops ~9x slower, which timing tests notice).
//
// npm/test/run_tests.mjs bundles each test file with esbuild, replacing the
// identifier `Deno` in TEST code with `__testDeno` (exported here and injected).
// `globalThis.Deno` stays undefined, so the library under test sees plain Node.

import { spawn } from "node:child_process";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Readable, Writable } from "node:stream";

/** Tests that cannot run on Node, by name (regex) and why. */
const DENO_ONLY = [
  [
    /^Socket\.fromHandle adopts a socket made by other FFI code/,
    "uses Deno.dlopen",
  ],
  [
    /^an adopted socket applies the timeouts its creator set/,
    "uses Deno.dlopen",
  ],
  [
    /^echo_stream: plain TCP clients/,
    "uses Deno.connect as the plain TCP client",
  ],
  [
    /^worker_pool: Workers sharing one context/,
    "runs Deno Workers (Node has worker_threads)",
  ],
  [
    /^a socket dropped without close\(\) is closed by the GC safety net/,
    "spawns Deno with --v8-flags=--expose-gc",
  ],
  [
    /^contexts dropped without close\(\) are collected/,
    "spawns Deno with --v8-flags=--expose-gc",
  ],
  [/^raw tcp: /, "uses Deno.connect as the raw TCP client"],
  [
    /^load: /,
    "spawns Deno fixtures with --v8-flags and Deno.dlopen(libc) fd counting",
  ],
];

/** Per-test time limit (Deno has none; a hang here should fail, not stall CI). */
const TEST_TIMEOUT_MS = 120_000;

/** Where the bundled fixtures are: a `deno run x.ts` becomes `node x.mjs`. */
function fixtureFor(path) {
  return path.replace(/\.ts$/, ".mjs");
}

/** The built package's entry (set by run_tests.mjs), for `deno eval` code. */
const BUILT_MODULE = process.env.DENO_ZMQ_BUILT_MODULE;

/** `deno run|eval ...` as the matching `node ...` command line. */
function nodeArgs(args) {
  const [sub, ...rest] = args;
  const first = rest.findIndex((arg) => !arg.startsWith("-"));
  if (sub === "run") {
    return [fixtureFor(rest[first]), ...rest.slice(first + 1)];
  }
  if (sub === "eval") {
    // Imports of the sources' mod.ts become imports of the built package.
    const code = rest[first].replace(
      /file:\/\/[^"'`]*\/mod\.ts/g,
      pathToFileURL(BUILT_MODULE).href,
    );
    return ["--input-type=module", "-e", code, ...rest.slice(first + 1)];
  }
  throw new Error(`The Deno shim cannot run "deno ${sub}" under Node`);
}

class NotFound extends Error {
  name = "NotFound";
}
class AlreadyExists extends Error {
  name = "AlreadyExists";
}
class PermissionDenied extends Error {
  name = "PermissionDenied";
}
class NotCapable extends Error {
  name = "NotCapable";
}

function mapFsError(err) {
  const Class = err?.code === "ENOENT"
    ? NotFound
    : err?.code === "EEXIST"
    ? AlreadyExists
    : err?.code === "EACCES" || err?.code === "EPERM"
    ? PermissionDenied
    : null;
  if (!Class) return err;
  const mapped = new Class(err.message);
  mapped.cause = err;
  mapped.code = err.code;
  return mapped;
}

function normalizeTest(a, b, c) {
  if (typeof a === "string") {
    return typeof b === "function"
      ? { name: a, fn: b }
      : { ...b, name: a, fn: c };
  }
  if (typeof a === "function") return { name: a.name, fn: a };
  return typeof b === "function" ? { ...a, fn: b } : { ...a };
}

/** Registered tests, shared by every bundle loaded in this process (see node_runner.mjs). */
const registry = globalThis[Symbol.for("deno-zmq.node-tests")] ??= [];

function testContext(name) {
  return {
    name,
    origin: "",
    async step(stepName, fn) {
      const def = typeof stepName === "object"
        ? stepName
        : typeof stepName === "function"
        ? { name: stepName.name, fn: stepName }
        : { name: stepName, fn };
      await def.fn(testContext(def.name));
      return true;
    },
  };
}

function test(a, b, c) {
  const def = normalizeTest(a, b, c);
  const denoOnly = DENO_ONLY.find(([pattern]) => pattern.test(def.name));
  const skip = def.ignore
    ? "ignored"
    : def.permissions !== undefined
    ? "needs Deno's per-test permissions"
    : denoOnly
    ? denoOnly[1]
    : false;
  registry.push({
    name: def.name,
    skip,
    only: def.only ?? false,
    timeout: TEST_TIMEOUT_MS,
    fn: () => def.fn(testContext(def.name)),
  });
}
test.ignore = (a, b, c) => test({ ...normalizeTest(a, b, c), ignore: true });
test.only = (a, b, c) => test({ ...normalizeTest(a, b, c), only: true });

/** `new Deno.Command(...)`: child processes with web streams, as in Deno. */
class Command {
  #cmd;
  #options;
  constructor(cmd, options = {}) {
    this.#cmd = String(cmd);
    this.#options = options;
  }

  spawn() {
    const cmd = this.#cmd;
    let args = this.#options.args ?? [];
    // Deno.execPath() is node here: `deno run x.ts` runs the bundled script,
    // also behind a wrapper command (`unshare -n -- deno run x.ts`).
    if (cmd === process.execPath) args = nodeArgs(args);
    const wrapped = args.indexOf(process.execPath);
    if (wrapped >= 0 && cmd !== process.execPath) {
      args = [
        ...args.slice(0, wrapped + 1),
        ...nodeArgs(args.slice(wrapped + 1)),
      ];
    }
    const stdio = ["stdin", "stdout", "stderr"].map((name) => {
      const mode = this.#options[name] ?? "inherit";
      return mode === "piped" ? "pipe" : mode === "null" ? "ignore" : mode;
    });
    const env = this.#options.clearEnv
      ? { ...this.#options.env }
      : { ...process.env, ...this.#options.env };
    const child = spawn(cmd, args, {
      cwd: this.#options.cwd,
      env,
      stdio,
    });
    return new ChildProcess(child);
  }

  async output() {
    const child = new Command(this.#cmd, {
      stdout: "piped",
      stderr: "piped",
      ...this.#options,
    }).spawn();
    return await child.output();
  }
}

async function readAll(stream) {
  if (!stream) return new Uint8Array(0);
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

class ChildProcess {
  #child;
  #status;
  #stdin;
  #stdout;
  #stderr;
  constructor(child) {
    this.#child = child;
    this.pid = child.pid;
    this.#status = new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) =>
        resolve({
          success: code === 0,
          code: code ?? 128 + (signal ? 9 : 0),
          signal: signal ?? null,
        }));
    });
  }
  get stdin() {
    if (!this.#child.stdin) throw new TypeError("stdin is not piped");
    return this.#stdin ??= Writable.toWeb(this.#child.stdin);
  }
  get stdout() {
    if (!this.#child.stdout) throw new TypeError("stdout is not piped");
    return this.#stdout ??= Readable.toWeb(this.#child.stdout);
  }
  get stderr() {
    if (!this.#child.stderr) throw new TypeError("stderr is not piped");
    return this.#stderr ??= Readable.toWeb(this.#child.stderr);
  }
  get status() {
    return this.#status;
  }
  async output() {
    const [stdout, stderr, status] = await Promise.all([
      this.#child.stdout ? readAll(this.#child.stdout) : null,
      this.#child.stderr ? readAll(this.#child.stderr) : null,
      this.#status,
    ]);
    return { ...status, stdout, stderr };
  }
  kill(signal = "SIGTERM") {
    this.#child.kill(signal);
  }
  ref() {
    this.#child.ref();
  }
  unref() {
    this.#child.unref();
  }
  async [Symbol.asyncDispose]() {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill();
    }
    await this.#status;
  }
}

export const __testDeno = {
  test,
  Command,
  pid: process.pid,
  memoryUsage: () => process.memoryUsage(),
  args: process.argv.slice(2),
  execPath: () => process.execPath,
  build: {
    os: process.platform === "win32" ? "windows" : process.platform,
    arch: process.arch === "x64" ? "x86_64" : process.arch,
  },
  env: {
    get: (name) => process.env[name],
    set: (name, value) => void (process.env[name] = value),
    delete: (name) => void delete process.env[name],
    has: (name) => name in process.env,
    toObject: () => ({ ...process.env }),
  },
  errors: { NotFound, AlreadyExists, PermissionDenied, NotCapable },
  async remove(path, options = {}) {
    try {
      await rm(path, { recursive: options.recursive ?? false });
    } catch (err) {
      throw mapFsError(err);
    }
  },
  exit: (code) => process.exit(code),
  async makeTempDir(options = {}) {
    return await mkdtemp(join(options.dir ?? tmpdir(), options.prefix ?? ""));
  },
  get stdin() {
    return { readable: Readable.toWeb(process.stdin) };
  },
  addSignalListener: (signal, handler) => void process.on(signal, handler),
  removeSignalListener: (signal, handler) => void process.off(signal, handler),
  async mkdir(path, options = {}) {
    try {
      await mkdir(path, { recursive: options.recursive ?? false });
    } catch (err) {
      throw mapFsError(err);
    }
  },
  async rename(from, to) {
    try {
      await rename(from, to);
    } catch (err) {
      throw mapFsError(err);
    }
  },
  async *readDir(path) {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (err) {
      throw mapFsError(err);
    }
    for (const entry of entries) {
      yield {
        name: entry.name,
        isFile: entry.isFile(),
        isDirectory: entry.isDirectory(),
        isSymlink: entry.isSymbolicLink(),
      };
    }
  },
  async writeTextFile(path, text) {
    await writeFile(path, text);
  },
  async readTextFile(path) {
    try {
      return await readFile(path, "utf8");
    } catch (err) {
      throw mapFsError(err);
    }
  },
};
