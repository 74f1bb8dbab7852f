/**
 * A subscriber printing the random integers publisher.ts broadcasts.
 *
 *     deno run --allow-ffi examples/subscriber.ts \
 *       [--endpoint tcp://127.0.0.1:5556] [--count 5]
 *
 * It may start before the publisher: connecting retries in the background.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Subscriber } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    endpoint: { type: "string", default: "tcp://127.0.0.1:5556" },
    count: { type: "string", default: "5" }, // numbers to print before exiting
  },
});
const count = Number(values.count);
const decoder = new TextDecoder();

using subscriber = new Subscriber();
subscriber.connect(values.endpoint);
subscriber.subscribe("numbers"); // a prefix of the first frame

let received = 0;
for await (const [, value] of subscriber) {
  console.log(`received ${decoder.decode(value)}`);
  if (++received === count) break; // leaving the loop; `using` closes the socket
}
console.log("subscriber done");
