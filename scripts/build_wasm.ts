/**
 * Builds libzmq 4.3.4 to WebAssembly for the single-threaded WASM backend
 * (tcp:// and ipc:// through the host runtime), and generates a zero-permission ES module loader.
 *
 *   deno run -A scripts/build_wasm.ts [--force]
 *
 * Inputs (committed): wasm/libzmq-wasm.patch, the JS libraries
 * wasm/library_stubs.jslib and wasm/library_net.jslib, wasm/net_shim.c, this
 * script. Source: Debian's `zeromq3` source package (fetched with
 * `apt-get source`), or a directory / tarball named by env LIBZMQ_SRC.
 * Toolchain: Debian's `emscripten` package (installed with apt-get when
 * `emcc` is missing; needs root).
 *
 * Outputs (committed, so that importing the library needs no build) in
 * wasm/dist/: libzmq_wasm.js (ES module embedding the .wasm as base64; its
 * first line is the hash of the inputs it was built from), libzmq_wasm.d.ts,
 * LICENSE.libzmq. Work files and the tools' log live in wasm/.build/.
 *
 * A run with unchanged inputs only compares hashes and exits. --force
 * rebuilds (after changing a LIBZMQ_SRC directory in place); --check builds
 * afresh and fails when the committed outputs differ from that build (CI).
 * The build is reproducible: prefix maps keep directories out of the .wasm.
 */

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { ERRNO_NAMES } from "../src/errors.ts";
import {
  type CFunction,
  type CKind,
  functionsOf,
  LIBZMQ_FUNCTIONS,
  parameterNames,
} from "../src/libzmq.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const WASM_DIR = `${ROOT}/wasm`;
const BUILD_DIR = `${WASM_DIR}/.build`;
const DIST_DIR = `${WASM_DIR}/dist`;
const PATCH_FILE = `${WASM_DIR}/libzmq-wasm.patch`;
/** Emscripten JS libraries: file-syscall stubs, and the socket syscalls. */
const JS_LIBRARIES = [
  `${WASM_DIR}/library_stubs.jslib`,
  `${WASM_DIR}/library_net.jslib`,
];
/** C linked beside libzmq (libc functions served differently). */
const C_SHIM = `${WASM_DIR}/net_shim.c`;
const SCRIPT_FILE = new URL(import.meta.url).pathname;
/** The modules the generated files derive from (inputs of the build). */
const DECLARATION_FILES = ["src/libzmq.ts", "src/errors.ts"].map((f) =>
  `${ROOT}/${f}`
);

const DEB_SRC_PACKAGE = "zeromq3";
const MAX_WASM_BYTES = 480 * 1024;

/** Emscripten's Debian package runs /usr/bin/node, which does not search here
 * (acorn is missing otherwise: -O2+ links and every CMake check fail). */
const NODE_PATH = "/usr/share/nodejs";

const CMAKE_ARGS = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED=OFF",
  "-DBUILD_STATIC=ON",
  "-DBUILD_TESTS=OFF",
  "-DWITH_PERF_TOOL=OFF",
  "-DWITH_DOCS=OFF",
  "-DENABLE_PRECOMPILED=OFF",
  "-DENABLE_CPACK=OFF",
  "-DWITH_LIBSODIUM=OFF",
  // CURVE with libzmq's bundled tweetnacl (randomness: wasm/libzmq-wasm.patch).
  "-DENABLE_CURVE=ON",
  "-DWITH_LIBBSD=OFF",
  "-DWITH_TLS=OFF",
  "-DENABLE_WS=OFF",
  "-DENABLE_DRAFTS=ON",
  "-DPOLLER=poll",
  "-DAPI_POLLER=poll",
  "-DZMQ_HAVE_EVENTFD=OFF",
  "-DHAVE_FORK=OFF",
];

/**
 * Compiler flags. The prefix maps keep the builder's directories out of the
 * .wasm (libzmq's asserts embed __FILE__): two builds from different
 * directories must give the same bytes, since the output is committed.
 */
function compilerFlags(src: string, cmakeDir: string): string[] {
  const flags = [
    "-DZMQ_WASM_SINGLE_THREAD",
    `-ffile-prefix-map=${src}=libzmq`,
    `-ffile-prefix-map=${cmakeDir}=build`,
  ].join(" ");
  return [`-DCMAKE_C_FLAGS=${flags}`, `-DCMAKE_CXX_FLAGS=${flags}`];
}

/** emscripten's allocator, for the binding's scratch memory in the heap. */
const RUNTIME_FUNCTIONS = ["malloc", "free"];

const EXPORTED_FUNCTIONS = [...functionsOf("wasm"), ...RUNTIME_FUNCTIONS];

const LINK_ARGS = [
  "-O3",
  "-sMODULARIZE=1",
  "-sEXPORT_ES6=1",
  "-sEXPORT_NAME=createLibzmqModule",
  "-sENVIRONMENT=web",
  "-sALLOW_MEMORY_GROWTH=1",
  "-sFILESYSTEM=0",
  "-sWASM_ASYNC_COMPILATION=0",
  `-sEXPORTED_FUNCTIONS=${
    JSON.stringify(EXPORTED_FUNCTIONS.map((f) => `_${f}`))
  }`,
  ...JS_LIBRARIES.flatMap((file) => ["--js-library", file]),
];

// ---------------------------------------------------------------------------

function log(msg: string): void {
  console.error(`[build:wasm] ${msg}`);
}

function fail(msg: string): never {
  console.error(`[build:wasm] error: ${msg}`);
  Deno.exit(1);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function toolEnv(): Record<string, string> {
  const prev = Deno.env.get("NODE_PATH");
  return { NODE_PATH: prev ? `${NODE_PATH}:${prev}` : NODE_PATH };
}

/** Where the tools' own output goes; its tail is shown only when a step fails. */
const LOG_FILE = `${BUILD_DIR}/build.log`;

/** Runs a command with its output in the log file; exits on failure. */
function run(cmd: string[], cwd?: string): void {
  Deno.mkdirSync(BUILD_DIR, { recursive: true });
  const line = `$ ${cmd.join(" ")}${cwd ? `   (in ${cwd})` : ""}\n`;
  Deno.writeTextFileSync(LOG_FILE, line, { append: true });
  const out = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: toolEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  Deno.writeFileSync(LOG_FILE, out.stdout, { append: true });
  Deno.writeFileSync(LOG_FILE, out.stderr, { append: true });
  if (!out.success) {
    const tail = Deno.readTextFileSync(LOG_FILE).split("\n").slice(-40);
    console.error(tail.join("\n"));
    fail(
      `command failed (exit ${out.code}): ${cmd.join(" ")} (log: ${LOG_FILE})`,
    );
  }
}

/** Runs a command and returns its stdout, or null when it cannot run. */
function capture(cmd: string[]): string | null {
  try {
    const out = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      env: toolEnv(),
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

function hasCommand(name: string): boolean {
  return capture(["sh", "-c", `command -v ${name}`]) !== null;
}

function isRoot(): boolean {
  return capture(["id", "-u"])?.trim() === "0";
}

let aptUpdated = false;
function aptInstall(packages: string[]): void {
  if (!isRoot()) {
    fail(
      `missing build tools; run as root or install: apt-get install -y ${
        packages.join(" ")
      }`,
    );
  }
  log(`installing ${packages.join(" ")} with apt-get`);
  if (!aptUpdated) {
    run(["apt-get", "update"]);
    aptUpdated = true;
  }
  run(["apt-get", "install", "-y", "--no-install-recommends", ...packages]);
}

function ensureToolchain(): void {
  const missing: string[] = [];
  if (!hasCommand("emcc")) missing.push("emscripten");
  if (!hasCommand("cmake")) missing.push("cmake");
  if (!hasCommand("make")) missing.push("make");
  if (!hasCommand("patch")) missing.push("patch");
  if (missing.length > 0) aptInstall(missing);
}

// --------------------------------------------------------------- source ----

/** Adds `Types: deb-src` stanzas mirroring the `Types: deb` ones. */
function ensureDebSrc(): void {
  const dir = "/etc/apt/sources.list.d";
  const texts: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.name.endsWith(".sources") || e.name.endsWith(".list")) {
        texts.push(Deno.readTextFileSync(`${dir}/${e.name}`));
      }
    }
  } catch { /* no directory */ }
  try {
    texts.push(Deno.readTextFileSync("/etc/apt/sources.list"));
  } catch { /* no file */ }
  const all = texts.join("\n");
  if (/^\s*Types:.*\bdeb-src\b/m.test(all) || /^\s*deb-src\s/m.test(all)) {
    return;
  }
  const stanzas: string[] = [];
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      if (/^Types:\s*deb\s*$/m.test(stanza)) {
        stanzas.push(
          stanza.trim().replace(/^Types:\s*deb\s*$/m, "Types: deb-src"),
        );
      }
    }
    for (const line of text.split("\n")) {
      if (/^\s*deb\s/.test(line)) stanzas.push(line.replace(/deb/, "deb-src"));
    }
  }
  if (stanzas.length === 0) fail("no Debian apt source to mirror as deb-src");
  if (!isRoot()) {
    fail("deb-src sources needed: run as root (or set LIBZMQ_SRC)");
  }
  const oneLine = stanzas.every((s) => s.startsWith("deb-src"));
  const target = `${dir}/deno-zmq-deb-src.${oneLine ? "list" : "sources"}`;
  log(`adding deb-src sources: ${target}`);
  Deno.writeTextFileSync(target, stanzas.join(oneLine ? "\n" : "\n\n") + "\n");
  run(["apt-get", "update"]);
  aptUpdated = true;
}

function findSourceRoot(dir: string): string | null {
  if (exists(`${dir}/src/zmq.cpp`)) return dir;
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory && exists(`${dir}/${e.name}/src/zmq.cpp`)) {
      return `${dir}/${e.name}`;
    }
  }
  return null;
}

/** Returns a pristine libzmq source tree (never modified by the build). */
function pristineSource(): string {
  const env = Deno.env.get("LIBZMQ_SRC");
  if (env) {
    if (isDir(env)) {
      const root = findSourceRoot(env);
      if (!root) fail(`LIBZMQ_SRC=${env}: no src/zmq.cpp found`);
      return root;
    }
    if (!exists(env)) fail(`LIBZMQ_SRC=${env} does not exist`);
    const dir = `${BUILD_DIR}/tarball`;
    const stampFile = `${dir}/.from`;
    const key = `${env}:${Deno.statSync(env).mtime?.getTime()}`;
    if (!exists(stampFile) || Deno.readTextFileSync(stampFile) !== key) {
      removeIfExists(dir);
      Deno.mkdirSync(dir, { recursive: true });
      run(["tar", "-xf", env, "-C", dir]);
      Deno.writeTextFileSync(stampFile, key);
    }
    const root = findSourceRoot(dir);
    if (!root) fail(`LIBZMQ_SRC=${env}: no src/zmq.cpp in the tarball`);
    return root;
  }
  const dir = `${BUILD_DIR}/debian-src`;
  Deno.mkdirSync(dir, { recursive: true });
  let root = findSourceRoot(dir);
  if (root) return root;
  if (!hasCommand("dpkg-source")) aptInstall(["dpkg-dev"]);
  ensureDebSrc();
  run(["apt-get", "source", DEB_SRC_PACKAGE], dir);
  root = findSourceRoot(dir);
  if (!root) fail(`apt-get source ${DEB_SRC_PACKAGE} gave no source tree`);
  return root;
}

function removeIfExists(path: string): void {
  if (exists(path)) Deno.removeSync(path, { recursive: true });
}

/** Copies the pristine tree into the build dir and applies the patch. */
function preparePatchedSource(pristine: string, key: string): string {
  const dir = `${BUILD_DIR}/src`;
  const stampFile = `${BUILD_DIR}/src.stamp`;
  if (
    exists(stampFile) && Deno.readTextFileSync(stampFile) === key &&
    exists(`${dir}/src/zmq.cpp`)
  ) {
    return dir;
  }
  removeIfExists(dir);
  removeIfExists(stampFile);
  Deno.mkdirSync(dir, { recursive: true });
  run(["cp", "-a", `${pristine}/.`, dir]);
  run(["patch", "-p1", "--forward", "-i", PATCH_FILE], dir);
  Deno.writeTextFileSync(stampFile, key);
  return dir;
}

// ------------------------------------------------------------- generate ----

function hash(...parts: (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p), h.update("\0");
  return h.digest("hex");
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function loaderSource(
  inputs: string,
  glue: string,
  wasm: Uint8Array,
  version: string,
  errnos: Record<string, number>,
): string {
  const body = glue.replace(
    /export\s+default\s+createLibzmqModule\s*;?\s*$/,
    "",
  );
  if (body === glue) fail("unexpected emscripten glue (no default export)");
  return `// inputs: ${inputs}
// deno-lint-ignore-file
// deno-fmt-ignore-file
/* @ts-self-types="./libzmq_wasm.d.ts" */
/* eslint-disable */
// Generated by scripts/build_wasm.ts: libzmq ${version} for WebAssembly
// (single-threaded; sockets served by the host runtime). libzmq is licensed under the LGPL-3.0+ with
// a static linking exception: see LICENSE.libzmq. Do not edit.
${body}

const WASM_BASE64 = "${toBase64(wasm)}";

/** Version of the embedded libzmq. */
export const LIBZMQ_WASM_VERSION = ${JSON.stringify(version)};

/**
 * errno values of this build (emscripten uses WASI numbers, not Linux ones:
 * EAGAIN is 6, not 11). libzmq's own codes (ETERM, EMTHREAD, ...) included.
 */
export const LIBZMQ_WASM_ERRNO = Object.freeze(${JSON.stringify(errnos)});

let compiled = null;

/** The embedded .wasm bytes (decoded from base64 on each call). */
export function libzmqWasmBytes() {
  if (typeof Uint8Array.fromBase64 === "function") {
    return Uint8Array.fromBase64(WASM_BASE64);
  }
  const bin = atob(WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Instantiates libzmq synchronously, with no permissions needed. Each call
 * returns a new, independent instance (own heap); the compiled module is
 * cached, so later calls are cheap.
 */
export function loadLibzmqWasm() {
  if (compiled === null) compiled = new WebAssembly.Module(libzmqWasmBytes());
  const mod = compiled;
  const m = {
    instantiateWasm(imports, receive) {
      const instance = new WebAssembly.Instance(mod, imports);
      receive(instance, mod);
      return instance.exports;
    },
  };
  createLibzmqModule(m);
  if (m.ready && typeof m.ready.catch === "function") m.ready.catch(() => {});
  delete m.ready;
  if (typeof m._zmq_ctx_new !== "function") {
    throw new Error("libzmq wasm: synchronous instantiation failed");
  }
  return m;
}
`;
}

const DTS = () =>
  `// deno-fmt-ignore-file
// Generated by scripts/build_wasm.ts. Do not edit.
/** Pointer into the wasm heap (byte offset). */
export type Ptr = number;

/**
 * One libzmq WebAssembly instance (an emscripten module). Every call is
 * synchronous and never blocks: calls that would block fail with EAGAIN
 * (errno value 6 in this build, see LIBZMQ_WASM_ERRNO).
 *
 * HEAP* views are replaced when the memory grows: read \`m.HEAPU8\` again
 * after any call into libzmq (or compare its \`buffer\`).
 */
export interface LibzmqWasmModule {
  HEAP8: Int8Array;
  HEAPU8: Uint8Array;
  HEAP16: Int16Array;
  HEAPU16: Uint16Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  HEAPF32: Float32Array;
  HEAPF64: Float64Array;

  _malloc(size: number): Ptr;
  _free(ptr: Ptr): void;

${functionTypes()}
  /**
   * The socket syscalls of wasm/library_net.jslib call this object: set it
   * before the first tcp:// or ipc:// bind or connect.
   */
  zmqHost?: unknown;
}

/** Version of the embedded libzmq, e.g. "4.3.4". */
export declare const LIBZMQ_WASM_VERSION: string;

/**
 * errno values of this build (WASI numbering: EAGAIN is 6, not 11), plus
 * libzmq's own codes (EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD).
 */
export declare const LIBZMQ_WASM_ERRNO: Readonly<Record<ErrnoName, number>>;

export type ErrnoName =
${ERRNO_NAMES.map((n) => `  | "${n}"`).join("\n")};

/** The embedded .wasm bytes. */
export declare function libzmqWasmBytes(): Uint8Array;

/**
 * Instantiates libzmq synchronously with no permissions. Each call returns a
 * new independent instance; compilation is cached.
 */
export declare function loadLibzmqWasm(): LibzmqWasmModule;
`;

/** A WASM export's TypeScript type: every pointer is a heap offset. */
function wasmType(kind: CKind): string {
  return kind === "void"
    ? "void"
    : ["handle", "memory", "string", "address", "text"].includes(kind)
    ? "Ptr"
    : "number";
}

/** The members of LibzmqWasmModule for the exported libzmq functions. */
function functionTypes(): string {
  return functionsOf("wasm").map((name) => {
    const fn: CFunction = LIBZMQ_FUNCTIONS[name];
    const names = parameterNames(fn.c);
    const params = fn.args.map((kind, i) => `${names[i]}: ${wasmType(kind)}`);
    const doc = fn.wasm?.split("\n");
    const comment = doc === undefined
      ? ""
      : doc.length === 1
      ? `  /** ${doc[0]} */\n`
      : `  /**\n${doc.map((line) => `   * ${line}\n`).join("")}   */\n`;
    return `${comment}  _${name}(${params.join(", ")}): ${
      wasmType(fn.result)
    };`;
  }).join("\n");
}

/** Reads the errno values the build uses, with the emscripten preprocessor. */
function errnoValues(): Record<string, number> {
  const dir = `${BUILD_DIR}/errno`;
  Deno.mkdirSync(dir, { recursive: true });
  const file = `${dir}/errno.c`;
  Deno.writeTextFileSync(
    file,
    `#include <errno.h>\n#include "${BUILD_DIR}/src/include/zmq.h"\n` +
      ERRNO_NAMES.map((n) => `ERRNO_${n} ${n}\n`).join(""),
  );
  const out = capture(["emcc", "-E", "-P", file]);
  if (out === null) fail("emcc -E failed on the errno probe");
  const values: Record<string, number> = {};
  for (const n of ERRNO_NAMES) {
    const m = out.match(new RegExp(`^ERRNO_${n} (.*)$`, "m"));
    const expr = m?.[1].replace(/UINT16_C|[()\s]/g, "");
    const plus = expr?.match(/^(\d+)\+(\d+)$/);
    const v = plus ? Number(plus[1]) + Number(plus[2]) : Number(expr);
    if (!Number.isInteger(v)) fail(`cannot evaluate errno ${n}: ${m?.[1]}`);
    values[n] = v;
  }
  return values;
}

function licenseText(src: string): string {
  const parts: string[] = [
    "libzmq (ZeroMQ) 4.3.4, as compiled into libzmq_wasm.wasm / libzmq_wasm.js",
    "(patched by wasm/libzmq-wasm.patch of deno-zmq), is licensed under the",
    "GNU Lesser General Public License version 3 or later, with the special",
    "static linking exception granted by its copyright holders (below).",
    "Source: https://github.com/zeromq/libzmq (Debian source package zeromq3).",
    "",
  ];
  for (const name of ["COPYING.LESSER", "COPYING", "LICENSE"]) {
    const path = `${src}/${name}`;
    if (exists(path)) {
      parts.push("=".repeat(78), `${name}:`, "=".repeat(78), "");
      parts.push(Deno.readTextFileSync(path));
    }
  }
  return parts.join("\n");
}

// ----------------------------------------------------------------- main ----

/** The committed outputs, in wasm/dist/. */
const OUTPUTS = ["libzmq_wasm.js", "libzmq_wasm.d.ts", "LICENSE.libzmq"];

/** The inputs hash a loader was generated from (its first comment line). */
function builtFrom(loader: string): string | undefined {
  try {
    return Deno.readTextFileSync(loader).match(/^\/\/ inputs: ([0-9a-f]+)$/m)
      ?.[1];
  } catch {
    return undefined;
  }
}

function main(): void {
  const force = Deno.args.includes("--force");
  // --check: build afresh and fail when the committed outputs differ (CI).
  const check = Deno.args.includes("--check");
  const patch = Deno.readFileSync(PATCH_FILE);
  const jslibs = JS_LIBRARIES.map((file) => Deno.readFileSync(file));
  const shim = Deno.readFileSync(C_SHIM);
  const script = Deno.readFileSync(SCRIPT_FILE);
  const declarations = DECLARATION_FILES.map((f) => Deno.readFileSync(f));
  const inputs = hash(patch, ...jslibs, shim, script, ...declarations);
  if (
    !force && !check && builtFrom(`${DIST_DIR}/libzmq_wasm.js`) === inputs &&
    OUTPUTS.every((f) => exists(`${DIST_DIR}/${f}`))
  ) {
    log("wasm/dist is up to date (use --force to rebuild)");
    return;
  }

  const t0 = performance.now();
  Deno.mkdirSync(BUILD_DIR, { recursive: true });
  Deno.writeTextFileSync(`${BUILD_DIR}/.gitignore`, "*\n");
  Deno.writeTextFileSync(LOG_FILE, "");
  log(`building libzmq for WebAssembly (log: ${LOG_FILE})`);
  ensureToolchain();

  const pristine = pristineSource();
  const srcEnv = Deno.env.get("LIBZMQ_SRC") ?? "";
  const srcMtime = srcEnv && exists(srcEnv)
    ? String(Deno.statSync(srcEnv).mtime?.getTime())
    : "";
  const src = preparePatchedSource(
    pristine,
    hash(pristine, srcEnv, srcMtime, patch),
  );

  // Configure (again only when the flags or the source changed).
  const cmakeDir = `${BUILD_DIR}/cmake`;
  const cmakeArgs = [...CMAKE_ARGS, ...compilerFlags(src, cmakeDir)];
  const cfgKey = hash(src, JSON.stringify(cmakeArgs), patch);
  const cfgStamp = `${cmakeDir}/.configured`;
  if (!exists(cfgStamp) || Deno.readTextFileSync(cfgStamp) !== cfgKey) {
    removeIfExists(cmakeDir);
    Deno.mkdirSync(cmakeDir, { recursive: true });
    run(["emcmake", "cmake", src, ...cmakeArgs], cmakeDir);
    const platform = Deno.readTextFileSync(`${cmakeDir}/platform.hpp`);
    if (!platform.includes("ZMQ_POLL_BASED_ON_POLL")) {
      fail("configure produced an unexpected platform.hpp (NODE_PATH issue?)");
    }
    Deno.writeTextFileSync(cfgStamp, cfgKey);
  }
  const jobs = String(navigator.hardwareConcurrency || 2);
  run(["make", `-j${jobs}`, "libzmq-static"], cmakeDir);
  const lib = `${cmakeDir}/lib/libzmq.a`;
  if (!exists(lib)) fail(`${lib} not built`);

  // Link.
  const linkOut = `${BUILD_DIR}/link/libzmq_emscripten.mjs`;
  Deno.mkdirSync(`${BUILD_DIR}/link`, { recursive: true });
  run(["emcc", lib, C_SHIM, "-o", linkOut, ...LINK_ARGS]);
  const wasm = Deno.readFileSync(linkOut.replace(/\.mjs$/, ".wasm"));
  const glue = Deno.readTextFileSync(linkOut);
  if (wasm.length > MAX_WASM_BYTES) {
    fail(`.wasm is ${wasm.length} bytes, over the ${MAX_WASM_BYTES} budget`);
  }

  const version = (() => {
    const h = Deno.readTextFileSync(`${src}/include/zmq.h`);
    const v = (n: string) =>
      h.match(new RegExp(`#define ZMQ_VERSION_${n} (\\d+)`))?.[1] ?? "?";
    return `${v("MAJOR")}.${v("MINOR")}.${v("PATCH")}`;
  })();

  const files: Record<string, string> = {
    "libzmq_wasm.js": loaderSource(inputs, glue, wasm, version, errnoValues()),
    "libzmq_wasm.d.ts": DTS(),
    "LICENSE.libzmq": licenseText(pristine),
  };
  const gz = gzipSync(wasm, { level: 9 }).length;
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const summary =
    `libzmq ${version}, .wasm ${wasm.length} B (${gz} B gzipped), ` +
    `loader ${files["libzmq_wasm.js"].length} B, sha256 ${
      hash(wasm).slice(0, 16)
    }`;
  if (check) {
    const stale = OUTPUTS.filter((f) => {
      try {
        return Deno.readTextFileSync(`${DIST_DIR}/${f}`) !== files[f];
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      fail(
        `the committed wasm/dist differs from a fresh build (${
          stale.join(", ")
        }): ` +
          "run deno task build:wasm and commit wasm/dist",
      );
    }
    log(`wasm/dist matches a fresh build (${seconds} s): ${summary}`);
    return;
  }
  Deno.mkdirSync(DIST_DIR, { recursive: true });
  for (const f of OUTPUTS) Deno.writeTextFileSync(`${DIST_DIR}/${f}`, files[f]);
  log(`done in ${seconds} s: ${summary}`);
}

main();
