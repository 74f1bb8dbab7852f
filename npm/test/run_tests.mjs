// Runs the shared test suite (tests/*_test.ts, written for `deno test`) under
// Node against the BUILT package (npm/dist/esm/mod.js), one node process per
// test file (npm/test/node_runner.mjs), like `deno test`.
//
//   node npm/test/run_tests.mjs [file filter...] [--filter=<test name>] [--runtime=bun]
//   (after scripts/build_npm.ts)
//
// Each test file (and each fixture under tests/fixtures/) is bundled with
// esbuild into npm/.test/: imports of ../mod.ts become imports of the built
// package (kept external, so the tests load the real files), and `Deno` in the
// test code becomes the shim of npm/test/deno_shim.mjs. Filters select test
// files by substring. DENO_ZMQ_BACKENDS=ffi|wasm narrows backends as in Deno.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const npmDir = resolve(here, "..");
const root = resolve(npmDir, "..");
const testsDir = join(root, "tests");
const outDir = join(npmDir, ".test");
const builtDir = join(npmDir, "dist", "esm");
const builtModule = join(builtDir, "mod.js");

/** Test files that need Deno itself, with the reason; everything else runs. */
const DENO_ONLY_FILES = new Map([
  ["distribution_test.ts", "imports the library by URL and runs deno publish"],
  [
    "readme_test.ts",
    "runs the README's blocks with `deno run`, as a Deno user would",
  ],
  [
    "zero_permission_test.ts",
    "runs Deno with no permission (auto must pick WASM) and bundles for Node itself",
  ],
  [
    "wasm_net_test.ts",
    "runs Deno with only --allow-net and bundles its Node scenario itself",
  ],
]);

if (!existsSync(builtModule)) {
  console.error(
    `${builtModule} is missing: run deno run -A scripts/build_npm.ts`,
  );
  process.exit(1);
}

const esbuild = createRequire(import.meta.url)("esbuild");
// Arguments: file filters (substrings), and --filter=<test name substring>.
const args = process.argv.slice(2);
const nameFilter = args.find((a) => a.startsWith("--filter="))?.slice(9);
// --runtime=bun runs the same bundles under Bun (the binary npm/package.json
// installs from @oven/bun-linux-x64), else under this Node.
const runtimeName = args.find((a) => a.startsWith("--runtime="))?.slice(10) ??
  "node";
const runtimes = {
  node: { label: "Node", bin: process.execPath },
  bun: {
    label: "Bun",
    bin: join(npmDir, "node_modules", "@oven", "bun-linux-x64", "bin", "bun"),
  },
};
const runtime = runtimes[runtimeName];
if (!runtime || !existsSync(runtime.bin)) {
  console.error(
    `unknown or missing runtime "${runtimeName}" (${runtime?.bin})`,
  );
  process.exit(1);
}
const filters = args.filter((a) => !a.startsWith("--"));

const testFiles = readdirSync(testsDir)
  .filter((name) => name.endsWith("_test.ts"))
  .filter((name) =>
    filters.length === 0 || filters.some((f) => name.includes(f))
  )
  .filter((name) => {
    const reason = DENO_ONLY_FILES.get(name);
    if (reason) console.log(`skipping ${name} on ${runtime.label}: ${reason}`);
    return !reason;
  });
const fixtures = existsSync(join(testsDir, "fixtures"))
  ? readdirSync(join(testsDir, "fixtures"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join("fixtures", name))
  : [];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const dir of ["peers"]) {
  if (existsSync(join(testsDir, dir))) {
    cpSync(join(testsDir, dir), join(outDir, "tests", dir), {
      recursive: true,
    });
  }
}
// Examples some tests run as processes (`deno run examples/x.ts`).
const examplesDir = join(root, "examples");
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((name) => name.endsWith(".ts"))
  : [];

/**
 * Imports of the library's sources (mod.ts, src/, ffi/, wasm/) become imports
 * of the matching built module, kept external: the tests run the package.
 */
const builtPackage = {
  name: "built-package",
  setup(build) {
    build.onResolve({ filter: /\.ts$/ }, (args) => {
      const source = resolve(args.resolveDir, args.path);
      const relative = source.slice(root.length + 1);
      const library = relative === "mod.ts" ||
        /^(src|ffi|wasm)\//.test(relative);
      if (args.kind === "entry-point" || !library) return;
      const built = join(builtDir, relative.replace(/\.ts$/, ".js"));
      if (!existsSync(built)) {
        return {
          errors: [{
            text: `${relative} is not in the built package (${built})`,
          }],
        };
      }
      return { path: built, external: true };
    });
  },
};

/** Bundles for node: mirrors root/ under npm/.test/ (tests/x_test.ts -> tests/x_test.mjs). */
const bundleOptions = {
  outbase: root,
  outdir: outDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  define: { Deno: "__testDeno" },
  inject: [join(here, "deno_shim.mjs")],
  // Test-only npm dependencies (fast-check) come from npm/node_modules, where
  // npm/package.json installs them (Deno maps them in deno.json "imports").
  nodePaths: [join(here, "..", "node_modules")],
  plugins: [builtPackage],
  logLevel: "warning",
};
await esbuild.build({
  ...bundleOptions,
  entryPoints: [...testFiles, ...fixtures].map((f) => join(testsDir, f)),
});
for (const example of examples) {
  // Examples are optional here: only tests that run them need them.
  await esbuild.build({
    ...bundleOptions,
    entryPoints: [join(examplesDir, example)],
    logLevel: "silent",
  }).catch((err) =>
    console.log(
      `(examples/${example} not bundled: ${
        err.errors?.[0]?.text ?? err.message
      })`,
    )
  );
}

/** Per-file limit: a hung file fails instead of stalling CI. */
const FILE_TIMEOUT_MS = 10 * 60_000;
const failedFiles = [];
for (const file of testFiles) {
  const bundled = join(outDir, "tests", file.replace(/\.ts$/, ".mjs"));
  const result = spawnSync(runtime.bin, [
    join(here, "node_runner.mjs"),
    bundled,
    ...(nameFilter ? [nameFilter] : []),
  ], {
    stdio: "inherit",
    cwd: outDir,
    timeout: FILE_TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, DENO_ZMQ_BUILT_MODULE: builtModule },
  });
  if (result.status !== 0) {
    if (result.error) console.log(`${file}: ${result.error.message}`);
    failedFiles.push(file);
  }
}
console.log(
  failedFiles.length
    ? `\n${runtime.label}: FAILED in ${failedFiles.join(", ")}`
    : `\n${runtime.label}: every test file passed (${testFiles.length} files)`,
);
process.exit(failedFiles.length ? 1 : 0);
