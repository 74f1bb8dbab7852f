/**
 * A publisher broadcasting random integers, one per interval, on the topic
 * "numbers". Pair it with subscriber.ts.
 *
 *     deno run --allow-ffi examples/publisher.ts \
 *       [--endpoint tcp://127.0.0.1:5556] [--interval 1000] [--count 10]
 *
 * A port of 0 picks a free one; the first line printed says which.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Publisher } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    endpoint: { type: "string", default: "tcp://127.0.0.1:5556" },
    interval: { type: "string", default: "1000" }, // ms between messages
    count: { type: "string", default: "10" }, // messages before exiting
  },
});
const interval = Number(values.interval), count = Number(values.count);

using publisher = new Publisher();
await publisher.bind(values.endpoint);
console.log(`publishing on ${publisher.lastEndpoint}`);

for (let i = 1; i <= count; i++) {
  await new Promise((resolve) => setTimeout(resolve, interval));
  const value = Math.floor(Math.random() * 1000);
  // Two frames: the topic (subscribers filter on its prefix) and the number.
  // Without any subscriber connected, messages are simply dropped.
  await publisher.send(["numbers", `${value}`]);
  console.log(`sent ${value}`);
}
console.log("publisher done");
