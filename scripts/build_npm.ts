/**
 * Builds the npm package of deno-zmq from the same TypeScript sources:
 *
 *   deno run -A scripts/build_npm.ts [--pack]
 *
 * Output (git-ignored) in npm/dist/, ready for `npm publish`:
 * - esm/: ES modules (one per source file) with .d.ts types, emitted by
 *   TypeScript's compiler (npm `typescript`; dnt lives on JSR, unreachable).
 * - cjs/mod.cjs: one CommonJS bundle made by esbuild from esm/, so that
 *   `require("deno-zmq")` works, with .d.cts types.
 * - the WASM backend's loader (wasm/dist/libzmq_wasm.js, built first by
 *   scripts/build_wasm.ts when missing) and libzmq's license beside it.
 * - package.json (from npm/package.template.json, version from deno.json),
 *   README.md (npm/README.md), LICENSE, LICENSE.libzmq.
 *
 * The build tools (esbuild, typescript, plus koffi and @types/node for the
 * tests) are pinned in npm/package.json + npm/package-lock.json and installed
 * into npm/node_modules (git-ignored) with `npm ci` when missing or stale.
 *
 * With --pack, also runs `npm pack` and leaves npm/deno-zmq-<version>.tgz.
 */

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NPM_DIR = `${ROOT}/npm`;
const OUT = `${NPM_DIR}/dist`;
const WASM_DIST = `${ROOT}/wasm/dist`;
const TOOLS = `${NPM_DIR}/node_modules`;

const WASM_LOADER_CJS = "libzmq_wasm.cjs";
/** esbuild flags for CommonJS output on Node 20 (import.meta.url made from __filename). */
const CJS_FLAGS = [
  "--format=cjs",
  "--platform=node",
  "--target=node20",
  "--define:import.meta.url=__deno_zmq_import_meta_url",
  "--banner:js=const __deno_zmq_import_meta_url = " +
  'require("node:url").pathToFileURL(__filename).href;',
  "--log-level=warning",
  // Class names are API (zeromq.js code checks them): no "_Context" or "Proxy2".
  "--keep-names",
];

const decoder = new TextDecoder();

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; quiet?: boolean } = {},
): Promise<string> {
  const output = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? ROOT,
    stdout: "piped",
    stderr: options.quiet ? "piped" : "inherit",
  }).output();
  const stdout = decoder.decode(output.stdout);
  if (!output.success) {
    if (options.quiet) console.error(decoder.decode(output.stderr));
    console.error(stdout);
    throw new Error(`${cmd} ${args.join(" ")} failed (code ${output.code})`);
  }
  return stdout;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function mtime(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

/** Installs the pinned build tools unless they are already up to date. */
async function ensureTools(): Promise<void> {
  const stamp = `${TOOLS}/.package-lock.json`;
  const lock = `${NPM_DIR}/package-lock.json`;
  if (exists(stamp) && mtime(stamp) >= mtime(lock)) return;
  console.log("Installing the build tools into npm/node_modules...");
  await run("npm", [
    exists(lock) ? "ci" : "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], { cwd: NPM_DIR });
}

/** Builds the WASM backend's loader when it is missing. */
async function ensureWasm(): Promise<void> {
  if (exists(`${WASM_DIST}/libzmq_wasm.js`)) return;
  console.log("wasm/dist is missing: building the WASM backend first...");
  await run(Deno.execPath(), ["run", "-A", "scripts/build_wasm.ts"]);
}

/**
 * Relative module specifiers in emitted code: `.ts` -> `.js` (or `.cjs`), in
 * imports, exports and requires (wasm/mod.ts requires its backend).
 */
function rewriteSpecifiers(code: string, ext: ".js" | ".cjs"): string {
  // Template-literal specifiers (wasm/mod.ts): `./${name}.ts`.
  code = code.replace(/(`\.\.?\/[^`]*?)\.ts`/g, `$1${ext}\``);
  return code.replace(
    /((?:from|import|require|\?\.|URL)\s*\(?\s*["'])(\.\.?\/[^"']*?)\.(?:ts|js)(["'])/g,
    (_, head, path, tail) => `${head}${path}${ext}${tail}`,
  );
}

/** Doc examples import the JSR name ("@deno-zmq/zmq/zyre"); npm users import "deno-zmq/zyre". */
function rewriteExamples(code: string): string {
  return code.replace(
    /from "@deno-zmq\/zmq(\/[\w/-]+)?"/g,
    'from "deno-zmq$1"',
  );
}

/** The .d.ts files reachable from esm/mod.d.ts (the others are internal). */
function reachableDeclarations(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = Deno.readTextFileSync(file);
    const dir = file.slice(0, file.lastIndexOf("/"));
    for (
      const [, spec] of code.matchAll(
        /(?:from|import)\s*\(?\s*["'](\.\.?\/[^"']+)\.js["']/g,
      )
    ) {
      const target = new URL(`${spec}.d.ts`, `file://${dir}/`).pathname;
      if (exists(target)) todo.push(target);
    }
  }
  return seen;
}

/** One entry point of the package: its subpath and where it is built. */
interface Entry {
  /** "." or "./zyre", as in deno.json "exports". */
  subpath: string;
  /** The ES module, relative to the package: "esm/src/zyre/mod.js". */
  esm: string;
  /** The CommonJS module: "cjs/src/zyre/mod.cjs". */
  cjs: string;
}

/** The entry points, from deno.json "exports": one list for JSR and npm. */
function entriesOf(exports: string | Record<string, string>): Entry[] {
  const map = typeof exports === "string" ? { ".": exports } : exports;
  return Object.entries(map).map(([subpath, source]) => {
    const path = source.replace(/^\.\//, "").replace(/\.ts$/, "");
    return { subpath, esm: `esm/${path}.js`, cjs: `cjs/${path}.cjs` };
  });
}

/** package.json "exports" for the entries. */
function packageExports(entries: Entry[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const { subpath, esm, cjs } of entries) {
    map[subpath] = {
      import: {
        types: `./${esm.replace(/\.js$/, ".d.ts")}`,
        default: `./${esm}`,
      },
      require: {
        types: `./${cjs.replace(/\.cjs$/, ".d.cts")}`,
        default: `./${cjs}`,
      },
    };
  }
  map["./package.json"] = "./package.json";
  return map;
}

/** The line of mod.ts that loads the WASM fallback at import (top-level await). */
const PRELOAD_LINE = "await preloadFallback();";

async function build(): Promise<{ version: string; entries: Entry[] }> {
  const denoJson = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const version: string = denoJson.version;
  const entries = entriesOf(denoJson.exports);
  await ensureWasm();
  await ensureTools();

  if (exists(OUT)) Deno.removeSync(OUT, { recursive: true });
  Deno.mkdirSync(OUT, { recursive: true });

  // 1. ES modules + declarations, one file per source file.
  await run("node", [
    `${TOOLS}/typescript/bin/tsc`,
    "-p",
    `${NPM_DIR}/tsconfig.build.json`,
  ]);
  const esm = `${OUT}/esm`;
  Deno.mkdirSync(`${esm}/wasm/dist`, { recursive: true });
  for (const name of ["libzmq_wasm.d.ts", "LICENSE.libzmq"]) {
    Deno.copyFileSync(`${WASM_DIST}/${name}`, `${esm}/wasm/dist/${name}`);
  }
  // The WASM loader (half a megabyte of base64) ships once, as CommonJS,
  // which both the ES modules (through a re-exporting module) and the
  // CommonJS bundle load.
  await run(`${TOOLS}/.bin/esbuild`, [
    `${WASM_DIST}/libzmq_wasm.js`,
    ...CJS_FLAGS,
    `--outfile=${esm}/wasm/dist/${WASM_LOADER_CJS}`,
  ]);
  const loaderExports = [
    ...Deno.readTextFileSync(`${WASM_DIST}/libzmq_wasm.js`).matchAll(
      /^export (?:const|let|function|class) (\w+)/gm,
    ),
  ].map((m) => m[1]);
  Deno.writeTextFileSync(
    `${esm}/wasm/dist/libzmq_wasm.js`,
    "// libzmq for WebAssembly (see LICENSE.libzmq): the loader is CommonJS so that\n" +
      "// the ES modules and the CommonJS bundle share one copy.\n" +
      `export { ${loaderExports.join(", ")} } from "./${WASM_LOADER_CJS}";\n`,
  );
  for (const file of walk(esm)) {
    if (file.endsWith("/libzmq_wasm.js")) continue;
    if (!file.endsWith(".js") && !file.endsWith(".d.ts")) continue;
    const code = Deno.readTextFileSync(file);
    Deno.writeTextFileSync(
      file,
      rewriteExamples(rewriteSpecifiers(code, ".js")),
    );
  }
  // Declarations outside the public graph (the FFI bindings, which refer to
  // Deno's types, and the WASM backend) are internal: drop them.
  const publicTypes = new Set<string>();
  for (const entry of entries) {
    const types = `${OUT}/${entry.esm.replace(/\.js$/, ".d.ts")}`;
    for (const file of reachableDeclarations(types)) publicTypes.add(file);
  }
  for (const file of [...walk(esm)]) {
    if (file.endsWith(".d.ts") && !publicTypes.has(file)) {
      Deno.removeSync(file);
    }
  }

  // 2. CommonJS: one bundle of every entry (so they share one copy of the
  // library's state: a Context from "deno-zmq" works with "deno-zmq/zyre"),
  // and a small module per entry taking its part. CommonJS cannot await at
  // the top level; it needs no preload either, since it requires the WASM
  // backend synchronously when first used (wasm/mod.ts).
  const cjs = `${OUT}/cjs`;
  const staging = `${OUT}/.cjs-staging`;
  await run("cp", ["-a", esm, staging]);
  const modJs = Deno.readTextFileSync(`${staging}/mod.js`);
  if (!modJs.includes(PRELOAD_LINE)) {
    throw new Error(`"${PRELOAD_LINE}" not found in esm/mod.js`);
  }
  Deno.writeTextFileSync(`${staging}/mod.js`, modJs.replace(PRELOAD_LINE, ""));
  Deno.writeTextFileSync(
    `${staging}/cjs_index.js`,
    entries.map((e, i) =>
      `export * as entry${i} from "./${e.esm.slice("esm/".length)}";\n`
    ).join(""),
  );
  await run(`${TOOLS}/.bin/esbuild`, [
    `${staging}/cjs_index.js`,
    "--bundle",
    ...CJS_FLAGS,
    "--external:koffi",
    `--external:./${WASM_LOADER_CJS}`,
    `--outfile=${cjs}/index.cjs`,
  ]);
  Deno.removeSync(staging, { recursive: true });
  const bundle = Deno.readTextFileSync(`${cjs}/index.cjs`);
  const loaderRequire = `require("./${WASM_LOADER_CJS}")`;
  if (!bundle.includes(loaderRequire)) {
    throw new Error(`${loaderRequire} not found in cjs/index.cjs`);
  }
  Deno.writeTextFileSync(
    `${cjs}/index.cjs`,
    bundle.replace(
      loaderRequire,
      `require("../esm/wasm/dist/${WASM_LOADER_CJS}")`,
    ),
  );
  entries.forEach((entry, i) => {
    const file = `${OUT}/${entry.cjs}`;
    const depth = entry.cjs.split("/").length - 2;
    const index = depth === 0
      ? "./index.cjs"
      : `${"../".repeat(depth)}index.cjs`;
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(
      file,
      `"use strict";\n// The "${entry.subpath}" entry: its part of the one CommonJS bundle.\n` +
        `const entry = require("${index}").entry${i};\n` +
        // Flagged as compiled ES module exports (as tsc and esbuild flag
        // theirs), or TypeScript's `import * as` adds a "default" key.
        `if (!entry.__esModule) Object.defineProperty(entry, "__esModule", { value: true });\n` +
        `module.exports = entry;\n`,
    );
  });
  for (const file of publicTypes) {
    const relative = file.slice(esm.length);
    const target = `${cjs}${relative.replace(/\.d\.ts$/, ".d.cts")}`;
    Deno.mkdirSync(target.slice(0, target.lastIndexOf("/")), {
      recursive: true,
    });
    Deno.writeTextFileSync(
      target,
      rewriteSpecifiers(Deno.readTextFileSync(file), ".cjs"),
    );
  }

  // 3. package.json, README, licenses.
  const template = Deno.readTextFileSync(`${NPM_DIR}/package.template.json`);
  const pkg = JSON.parse(template.replaceAll("{{version}}", version));
  for (const key of Object.keys(pkg)) if (key.startsWith("//")) delete pkg[key];
  pkg.exports = packageExports(entries);
  Deno.writeTextFileSync(
    `${OUT}/package.json`,
    JSON.stringify(pkg, null, 2) + "\n",
  );
  Deno.copyFileSync(`${NPM_DIR}/README.md`, `${OUT}/README.md`);
  Deno.copyFileSync(`${ROOT}/LICENSE`, `${OUT}/LICENSE`);
  Deno.copyFileSync(`${WASM_DIST}/LICENSE.libzmq`, `${OUT}/LICENSE.libzmq`);

  // 4. Smoke test: every entry loads in both module systems; the main one
  // runs inproc on the WASM backend.
  const smoke = (load: (path: string) => string) =>
    entries.map((e) =>
      `const e_${entries.indexOf(e)} = ${load(`${OUT}/${e.esm}`)};`
    )
      .join("") +
    `const z = e_0;` +
    `const c = new z.Context({ backend: "wasm" });` +
    `if (!/^\\d+\\.\\d+\\.\\d+$/.test(z.version(c))) throw new Error("bad version");` +
    `await c.close();`;
  await run("node", [
    "--input-type=module",
    "-e",
    smoke((path) => `await import(${JSON.stringify(path)})`),
  ]);
  await run("node", [
    "--input-type=module",
    "-e",
    `import { createRequire } from "node:module";` +
    `const require = createRequire(import.meta.url);` +
    smoke((path) =>
      `require(${
        JSON.stringify(
          path.replace(/\/esm\//, "/cjs/").replace(/\.js$/, ".cjs"),
        )
      })`
    ),
  ]);
  return { version, entries };
}

if (import.meta.main) {
  const start = performance.now();
  const { version } = await build();
  console.log(
    `Built npm/dist (deno-zmq ${version}) in ${
      ((performance.now() - start) / 1000).toFixed(1)
    } s`,
  );
  if (Deno.args.includes("--pack")) {
    const out = await run("npm", [
      "pack",
      "--json",
      "--pack-destination",
      NPM_DIR,
      "--loglevel=error",
    ], { cwd: OUT, quiet: true });
    const [info] = JSON.parse(out);
    console.log(
      `Packed npm/${info.filename}: ${info.size} bytes (${info.unpackedSize} unpacked, ${info.entryCount} files)`,
    );
  }
}
