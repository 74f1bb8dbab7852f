/**
 * Runs zeromq.js's own unit suite (test/unit of zeromq.js v6.5.0, mocha +
 * chai) under Node against the built npm package's zeromq.js-compatible
 * entries (`deno-zmq/zeromq`, `deno-zmq/zeromq/draft`,
 * `deno-zmq/zeromq/v5-compat`):
 *
 *   deno task test:zeromq-compat [--reference] [file filter...]
 *
 * The suite is never committed: it is taken, at test time, from the `zeromq`
 * npm tarball when that carries test/unit (6.5.0 does not), else from a
 * zeromq.js checkout named by ZEROMQJS_SRC (a directory holding test/unit).
 * The suite imports `../../src`, `../../src/errors`, `../../src/draft` and
 * `../../../v5-compat`; small alias modules written next to it point those at
 * the package under test. With --reference they point at zeromq@6.5.0 itself
 * (its prebuilt addon), for the figures to compare against.
 *
 * Each test file runs in its own mocha process (one crash cannot hide the
 * rest), with the suite's own settings (timeout 6 s, --expose-gc) but no
 * retries (upstream retries 3 times; ZEROMQJS_RETRIES=3 restores that).
 * Prints passes / failures / pending per file and writes every failure to
 * npm/.zeromq-compat/<target>/failures.txt.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const ZEROMQ_VERSION = "6.5.0";
/** deno-zmq's dependency, as npm/package.template.json has it. */
const KOFFI_VERSION = JSON.parse(
  Deno.readTextFileSync(`${ROOT}/npm/package.template.json`),
).dependencies.koffi;
/** What the suite needs at test time, pinned to what zeromq.js 6.5.0 uses. */
const SUITE_TOOLS: Record<string, string> = {
  "mocha": "11.0.1",
  "chai": "4.5.0",
  "ts-node": "10.9.2",
  "typescript": "4.9.5",
  "semver": "7.6.3",
  "proper-lockfile": "4.1.2",
  "@types/node": "20.19.43",
  "@types/mocha": "10.0.10",
  "@types/chai": "4.3.20",
};

const decoder = new TextDecoder();
/** How long one test file may take (the longest, send-receive, ~20 s). */
const FILE_TIMEOUT_MS = 120_000;
const args = Deno.args.filter((a) => !a.startsWith("--"));
const reference = Deno.args.includes("--reference");
const target = reference ? "zeromq.js" : "deno-zmq";
const work = `${ROOT}/npm/.zeromq-compat/${target}`;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function run(
  cmd: string,
  cmdArgs: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 0,
): Promise<{ code: number; stdout: string; stderr: string; killed: boolean }> {
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A test file whose process does not exit is killed and reported as such.
  const timer = timeoutMs > 0
    ? setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    : undefined;
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    killed: out.signal === "SIGKILL",
  };
}

async function must(cmd: string, cmdArgs: string[], cwd: string) {
  const r = await run(cmd, cmdArgs, cwd);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(" ")} failed:\n${r.stderr}`);
  }
  return r.stdout;
}

/** The directory holding test/unit: from the npm tarball if it has one, else ZEROMQJS_SRC. */
async function suiteSource(): Promise<string> {
  const cache = `${ROOT}/npm/.zeromq-compat/suite`;
  if (exists(`${cache}/test/unit`)) return cache;
  Deno.mkdirSync(cache, { recursive: true });
  const packed = await run("npm", [
    "pack",
    `zeromq@${ZEROMQ_VERSION}`,
    "--json",
    "--loglevel=error",
  ], cache);
  if (packed.code === 0) {
    const [{ filename }] = JSON.parse(packed.stdout);
    const listing = await must("tar", ["-tzf", filename], cache);
    if (listing.includes("package/test/unit/")) {
      await must("tar", [
        "-xzf",
        filename,
        "--strip-components=1",
        "package/test",
      ], cache);
      return cache;
    }
  }
  const src = Deno.env.get("ZEROMQJS_SRC");
  if (!src || !exists(`${src}/test/unit`)) {
    throw new Error(
      `The zeromq@${ZEROMQ_VERSION} npm package carries no test/unit: set ZEROMQJS_SRC ` +
        `to a zeromq.js v${ZEROMQ_VERSION} checkout (git clone -b v${ZEROMQ_VERSION} ` +
        "https://github.com/zeromq/zeromq.js)",
    );
  }
  return src;
}

/** Module aliases: what the suite imports, pointed at the package under test. */
function aliases(): Record<string, string> {
  const pkg = reference ? "zeromq" : "deno-zmq/zeromq";
  const draft = reference ? "zeromq/draft" : "deno-zmq/zeromq/draft";
  const compat = reference ? "zeromq/v5-compat" : "deno-zmq/zeromq/v5-compat";
  return {
    "src/index.js": `module.exports = require("${pkg}");\n`,
    // zeromq.js's internal helper, as the suite uses it.
    "src/errors.js": "exports.isFullError = (err) => err instanceof Error;\n",
    // Loaded lazily: the draft entry throws without a draft-enabled libzmq.
    "src/draft.js": `module.exports = require("${draft}");\n`,
    "v5-compat.js": `module.exports = require("${compat}");\n`,
  };
}

async function prepare(suite: string): Promise<void> {
  Deno.mkdirSync(work, { recursive: true });
  let tarball: string | undefined;
  if (!reference) {
    const version = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`))
      .version;
    tarball = `${ROOT}/npm/deno-zmq-${version}.tgz`;
    console.log("Building the npm package...");
    await must(
      Deno.execPath(),
      ["run", "-A", "scripts/build_npm.ts", "--pack"],
      ROOT,
    );
  }
  const pkg = {
    name: `zeromq-suite-on-${target}`,
    private: true,
    main: "src/index.js",
    dependencies: {
      ...SUITE_TOOLS,
      // deno-zmq's own dependency; the package itself is unpacked below.
      ...(reference ? { zeromq: ZEROMQ_VERSION } : { koffi: KOFFI_VERSION }),
    },
  };
  Deno.writeTextFileSync(`${work}/package.json`, JSON.stringify(pkg, null, 2));
  console.log(`Installing the suite's tools and ${target}...`);
  await must("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], work);
  if (tarball) {
    // Unpacked rather than installed: npm would reuse a cached copy of a
    // tarball whose version did not change.
    const target = `${work}/node_modules/deno-zmq`;
    if (exists(target)) Deno.removeSync(target, { recursive: true });
    Deno.mkdirSync(target, { recursive: true });
    await must(
      "tar",
      ["-xzf", tarball, "--strip-components=1", "-C", target],
      work,
    );
  }
  if (exists(`${work}/test`)) {
    Deno.removeSync(`${work}/test`, { recursive: true });
  }
  await must("cp", ["-r", `${suite}/test`, `${work}/test`], work);
  Deno.writeTextFileSync(
    `${work}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: {
        target: "es2020",
        module: "commonjs",
        esModuleInterop: true,
        skipLibCheck: true,
      },
    }),
  );
  Deno.mkdirSync(`${work}/src`, { recursive: true });
  for (const [path, code] of Object.entries(aliases())) {
    Deno.writeTextFileSync(`${work}/${path}`, code);
  }
}

interface FileResult {
  file: string;
  passes: number;
  failures: number;
  pending: number;
  crashed?: string;
  failed: string[];
}

async function runFile(file: string): Promise<FileResult> {
  const report = `${work}/report.json`;
  try {
    Deno.removeSync(report);
  } catch { /* none yet */ }
  const r = await run(
    "node",
    [
      "--expose-gc",
      "node_modules/mocha/bin/mocha.js",
      "--require",
      "ts-node/register",
      "--timeout",
      "6000",
      "--retries",
      Deno.env.get("ZEROMQJS_RETRIES") ?? "0",
      "--exit",
      "--reporter",
      "json",
      "--reporter-option",
      `output=${report}`,
      file,
    ],
    work,
    {
      TS_NODE_TRANSPILE_ONLY: "true",
      TS_NODE_PROJECT: `${work}/tsconfig.json`,
      EXCLUDE_TYPINGS_COMPAT_TESTS: "true",
      INCLUDE_COMPAT_TESTS: "true",
    },
    FILE_TIMEOUT_MS,
  );
  const result: FileResult = {
    file,
    passes: 0,
    failures: 0,
    pending: 0,
    failed: [],
  };
  if (r.killed) {
    result.crashed = `did not exit within ${FILE_TIMEOUT_MS} ms`;
  }
  if (!exists(report)) {
    result.crashed ??= (r.stderr || r.stdout).slice(-2000);
    return result;
  }
  const json = JSON.parse(Deno.readTextFileSync(report));
  result.passes = json.stats.passes;
  result.failures = json.stats.failures;
  result.pending = json.stats.pending;
  for (const f of json.failures) {
    result.failed.push(`${f.fullTitle}\n    ${f.err?.message ?? ""}`);
  }
  return result;
}

/** Files not run, with why. */
const NOT_RUN: Record<string, string> = {
  "test/unit/typings-compatibility-test.ts":
    "compiles zeromq.js's own .d.ts files with old tsc versions (needs fs-extra, which, and npm installs of tsc 3.7-5.x); not about run-time behaviour",
};

function testFiles(): string[] {
  for (const [file, why] of Object.entries(NOT_RUN)) {
    console.log(`${file}: not run: ${why}`);
  }
  const files: string[] = [];
  for (const dir of ["test/unit", "test/unit/compat"]) {
    for (const entry of Deno.readDirSync(`${work}/${dir}`)) {
      if (entry.isFile && entry.name.endsWith("-test.ts")) {
        files.push(`${dir}/${entry.name}`);
      }
    }
  }
  return files.sort().filter((f) => !(f in NOT_RUN)).filter((f) =>
    args.length === 0 || args.some((a) => f.includes(a))
  );
}

if (import.meta.main) {
  const suite = await suiteSource();
  await prepare(suite);
  const results: FileResult[] = [];
  for (const file of testFiles()) {
    const result = await runFile(file);
    results.push(result);
    console.log(
      `${file.padEnd(52)} ${String(result.passes).padStart(4)} passed ${
        String(result.failures).padStart(3)
      } failed ${String(result.pending).padStart(3)} pending${
        result.crashed ? "  CRASHED" : ""
      }`,
    );
  }
  const total = (k: "passes" | "failures" | "pending") =>
    results.reduce((n, r) => n + r[k], 0);
  console.log(
    `${target}: ${total("passes")} passed, ${total("failures")} failed, ${
      total("pending")
    } pending, ${results.filter((r) => r.crashed).length} files crashed`,
  );
  Deno.writeTextFileSync(
    `${work}/failures.txt`,
    results.flatMap((r) =>
      r.crashed
        ? [`${r.file}: CRASHED\n${r.crashed}`]
        : r.failed.map((f) => `${r.file}: ${f}`)
    ).join("\n\n") + "\n",
  );
  Deno.writeTextFileSync(
    `${work}/results.json`,
    JSON.stringify(results, null, 2),
  );
  if (total("failures") > 0 || results.some((r) => r.crashed)) Deno.exit(1);
}
