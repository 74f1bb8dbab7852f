/**
 * A worker of main.ts: takes tasks from the ventilator, sends results to the
 * sink, over inproc endpoints of the context main.ts shares with it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Context, Pull, Push } from "../../mod.ts";

const decoder = new TextDecoder();
let stop: (() => void) | undefined;

self.onmessage = async (event: MessageEvent) => {
  if (event.data.stop) return stop?.();
  const { context: address, id } = event.data as {
    context: bigint;
    id: number;
  };
  // The same libzmq context as the main thread's: its close() closes our
  // sockets but leaves the context to main.ts.
  const context = Context.fromAddress(address);
  const tasks = new Pull({ context }), results = new Push({ context });
  tasks.connect("inproc://ventilator");
  results.connect("inproc://sink");
  stop = () => tasks.close(); // ends the loop below
  self.postMessage({ ready: id });

  for await (const [task] of tasks) {
    const n = Number(decoder.decode(task));
    let sum = 0;
    for (let k = 1; k <= n; k++) sum += k * k; // the "work"
    await results.send([`${id}`, `${sum}`]);
  }
  await context.close();
  self.postMessage({ done: id });
  self.close(); // this Worker ends
};
