/**
 * A work pool across Deno Workers sharing ONE ZeroMQ context, so that inproc
 * endpoints connect across threads: ventilator (PUSH) -> workers (PULL,
 * compute, PUSH) -> sink (PULL), the ventilator and sink in this thread.
 *
 *     deno run --allow-ffi --allow-read examples/worker_pool/main.ts [--workers 3] [--tasks 30]
 *
 * Workers inherit this thread's permissions: --allow-ffi, and --allow-read
 * to load worker.ts. Needs the FFI backend: a WASM context cannot be shared
 * between threads.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Context, Pull, Push } from "../../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    workers: { type: "string", default: "3" },
    tasks: { type: "string", default: "30" },
  },
});
const workerCount = Number(values.workers), tasks = Number(values.tasks);
const decoder = new TextDecoder();

const context = new Context({ backend: "ffi" });
const ventilator = new Push({ context }), sink = new Pull({ context });
await ventilator.bind("inproc://ventilator");
await sink.bind("inproc://sink");

// Start the workers, handing each the address of our context.
type Reply = { ready?: number; done?: number };
const workers: Worker[] = [];
const ready: Promise<void>[] = [], done: Promise<void>[] = [];
for (let id = 1; id <= workerCount; id++) {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  });
  ready.push(
    new Promise((resolve) =>
      worker.addEventListener("message", (e: MessageEvent<Reply>) => {
        if (e.data.ready) resolve();
      })
    ),
  );
  done.push(
    new Promise((resolve) =>
      worker.addEventListener("message", (e: MessageEvent<Reply>) => {
        if (e.data.done) resolve();
      })
    ),
  );
  worker.postMessage({ context: context.address, id });
  workers.push(worker);
}
// Wait until every worker is connected, so PUSH spreads tasks over all of them.
await Promise.all(ready);

// Ventilate: task n asks for the sum of the squares of 1..n.
let expected = 0;
for (let n = 1; n <= tasks; n++) {
  expected += (n * (n + 1) * (2 * n + 1)) / 6;
  await ventilator.send(`${n}`);
}

// Sink: collect every result.
let total = 0;
const perWorker = new Map<string, number>();
for (let i = 0; i < tasks; i++) {
  const [worker, result] = (await sink.receive()).map((f) => decoder.decode(f));
  total += Number(result);
  perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
}
for (const [worker, count] of [...perWorker].sort((a, b) => +a[0] - +b[0])) {
  console.log(`worker ${worker} did ${count} tasks`);
}
console.log(`total ${total} (expected ${expected})`);

// Stop the workers, wait for them to close their sockets, then the context.
for (const worker of workers) worker.postMessage({ stop: true });
await Promise.all(done);
await context.close();
console.log("all workers stopped, context closed");
