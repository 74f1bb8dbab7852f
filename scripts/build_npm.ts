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
  // Bundling renames clashing classes (Context -> _Context): keep `.name`.
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

/** Relative module specifiers in emitted code: `.ts` -> `.js` (or `.cjs`). */
function rewriteSpecifiers(code: string, ext: ".js" | ".cjs"): string {
  return code.replace(
    /((?:from|import)\s*\(?\s*["'])(\.\.?\/[^"']*?)\.(?:ts|js)(["'])/g,
    (_, head, path, tail) => `${head}${path}${ext}${tail}`,
  );
}

/** Doc examples import "./mod.ts"; npm users import "deno-zmq". */
function rewriteExamples(code: string): string {
  return code.replace(/from "\.\/mod\.ts"/g, 'from "deno-zmq"');
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

async function build(): Promise<{ version: string }> {
  const denoJson = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const version: string = denoJson.version;
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
  // The entry points besides mod.ts: deno.json's other exports.
  const entries = Object.entries(
    denoJson.exports as Record<string, string>,
  ).filter(([name]) => name !== ".").map(([name, path]) => ({
    name: name.slice(2), // "./zeromq/draft" -> "zeromq/draft"
    js: path.replace(/^\.\//, "").replace(/\.ts$/, ".js"),
  }));
  // Declarations outside the public graph (the FFI bindings, which refer to
  // Deno's types, and the WASM backend) are internal: drop them.
  const publicTypes = reachableDeclarations(`${esm}/mod.d.ts`);
  for (const entry of entries) {
    for (
      const file of reachableDeclarations(
        `${esm}/${entry.js.replace(/\.js$/, ".d.ts")}`,
      )
    ) publicTypes.add(file);
  }
  for (const file of [...walk(esm)]) {
    if (file.endsWith(".d.ts") && !publicTypes.has(file)) {
      Deno.removeSync(file);
    }
  }

  // 2. CommonJS: one bundle of the ES modules above (koffi stays external).
  const cjs = `${OUT}/cjs`;
  await run(`${TOOLS}/.bin/esbuild`, [
    `${esm}/mod.js`,
    "--bundle",
    ...CJS_FLAGS,
    "--external:koffi",
    `--external:./${WASM_LOADER_CJS}`,
    `--outfile=${cjs}/mod.cjs`,
  ]);
  // Each other entry is a bundle of its own, beside mod.cjs.
  for (const entry of entries) {
    await run(`${TOOLS}/.bin/esbuild`, [
      `${esm}/${entry.js}`,
      "--bundle",
      ...CJS_FLAGS,
      "--external:koffi",
      `--external:./${WASM_LOADER_CJS}`,
      `--outfile=${cjs}/${entry.name}.cjs`,
    ]);
  }
  for (const name of ["mod", ...entries.map((e) => e.name)]) {
    const bundle = Deno.readTextFileSync(`${cjs}/${name}.cjs`);
    const loaderRequire = `require("./${WASM_LOADER_CJS}")`;
    if (!bundle.includes(loaderRequire)) {
      throw new Error(`${loaderRequire} not found in cjs/${name}.cjs`);
    }
    const up = "../".repeat(name.split("/").length);
    Deno.writeTextFileSync(
      `${cjs}/${name}.cjs`,
      bundle.replace(
        loaderRequire,
        `require("${up}esm/wasm/dist/${WASM_LOADER_CJS}")`,
      ),
    );
  }
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
  for (const entry of entries) {
    const types = entry.js.replace(/\.js$/, ".d.ts");
    pkg.exports[`./${entry.name}`] = {
      import: { types: `./esm/${types}`, default: `./esm/${entry.js}` },
      require: {
        types: `./cjs/${types.replace(/\.d\.ts$/, ".d.cts")}`,
        default: `./cjs/${entry.name}.cjs`,
      },
    };
  }
  Deno.writeTextFileSync(
    `${OUT}/package.json`,
    JSON.stringify(pkg, null, 2) + "\n",
  );
  Deno.copyFileSync(`${NPM_DIR}/README.md`, `${OUT}/README.md`);
  Deno.copyFileSync(`${ROOT}/LICENSE`, `${OUT}/LICENSE`);
  Deno.copyFileSync(`${WASM_DIST}/LICENSE.libzmq`, `${OUT}/LICENSE.libzmq`);

  // 4. Smoke test: both entry points load and run inproc on the WASM backend.
  const smoke = (entry: string) =>
    `const z = ${entry};` +
    `const c = new z.Context({ backend: "wasm" });` +
    `if (!/^\\d+\\.\\d+\\.\\d+$/.test(z.version(c))) throw new Error("bad version");` +
    `for (const k of ["Context", "Proxy", "Socket"]) if (z[k].name !== k) throw new Error(k + " is named " + z[k].name);` +
    `await c.close();`;
  await run("node", [
    "--input-type=module",
    "-e",
    smoke(`await import(${JSON.stringify(`${esm}/mod.js`)})`),
  ]);
  await run("node", [
    "--input-type=module",
    "-e",
    `import { createRequire } from "node:module";` +
    smoke(
      `createRequire(import.meta.url)(${JSON.stringify(`${cjs}/mod.cjs`)})`,
    ),
  ]);
  return { version };
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
