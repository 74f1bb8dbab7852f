// Runs the tests of one bundled test file (see run_tests.mjs) in this process,
// one after the other like `deno test`, and exits non-zero if any failed.
//
//   node npm/test/node_runner.mjs npm/.test/patterns_test.mjs [name filter]
//
// Like Deno's sanitizers, a process that does not exit by itself after its
// last test (a leaked socket, timer or pending poll) fails.

import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";

const [file, filter] = process.argv.slice(2);
const registry = globalThis[Symbol.for("deno-zmq.node-tests")] ??= [];
/** Time allowed between the last test and the process exit. */
const EXIT_GRACE_MS = 15_000;

await import(pathToFileURL(file).href);

const hasOnly = registry.some((t) => t.only);
const name = basename(file).replace(/\.mjs$/, ".ts");
let passed = 0, failed = 0, skipped = 0;
const failures = [];
console.log(`running ${registry.length} tests from ${name}`);
const fileStart = performance.now();

for (const t of registry) {
  if (filter && !t.name.includes(filter)) continue;
  if (t.skip || (hasOnly && !t.only)) {
    skipped++;
    console.log(`${t.name} ... skipped (${t.skip || "not only"})`);
    continue;
  }
  const start = performance.now();
  let timer;
  try {
    await Promise.race([
      t.fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${t.timeout} ms`)),
          t.timeout,
        );
      }),
    ]);
    passed++;
    console.log(
      `${t.name} ... ok (${Math.round(performance.now() - start)}ms)`,
    );
  } catch (err) {
    failed++;
    failures.push([t.name, err]);
    console.log(
      `${t.name} ... FAILED (${Math.round(performance.now() - start)}ms)`,
    );
  } finally {
    clearTimeout(timer);
  }
}

for (const [testName, err] of failures) {
  console.log(`\n${name} => ${testName}\nerror: ${inspect(err, { depth: 4 })}`);
}
const seconds = ((performance.now() - fileStart) / 1000).toFixed(1);
console.log(
  `${
    failed ? "FAILED" : "ok"
  } | ${passed} passed | ${failed} failed | ${skipped} skipped (${seconds}s)`,
);
process.exitCode = failed ? 1 : 0;

// Deno's op sanitizer in spirit: the process must now exit by itself.
setTimeout(() => {
  console.log(
    `FAILED: ${name}: the process was still alive ${EXIT_GRACE_MS} ms after its last test ` +
      "(something left open keeps the event loop alive)",
  );
  process.exit(1);
}, EXIT_GRACE_MS).unref();
