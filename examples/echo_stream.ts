/**
 * An echo server for plain TCP clients over a STREAM socket (raw TCP): try
 * it with `nc 127.0.0.1 5555`.
 *
 *     deno run --allow-ffi examples/echo_stream.ts \
 *       [--endpoint tcp://127.0.0.1:5555] [--connections 1]
 *
 * It exits after serving `--connections` connections to their end.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Stream } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    endpoint: { type: "string", default: "tcp://127.0.0.1:5555" },
    connections: { type: "string", default: "1" },
  },
});
const connections = Number(values.connections);
const hex = (id: Uint8Array) =>
  [...id].map((b) => b.toString(16).padStart(2, "0")).join("");

using server = new Stream();
await server.bind(values.endpoint);
console.log(`listening on ${server.lastEndpoint}`);

const open = new Set<string>();
let served = 0;
// Every message is [connection id, data]. An empty data frame is a
// notification: the first for an id means "connected", the next "disconnected".
for await (const [id, data] of server) {
  const key = hex(id);
  if (data.length === 0) {
    if (!open.has(key)) {
      open.add(key);
      console.log(`connected ${key}`);
    } else {
      open.delete(key);
      console.log(`disconnected ${key}`);
      if (++served === connections) break;
    }
    continue;
  }
  await server.send([id, data]); // write the bytes back to that connection
  console.log(`echoed ${data.length} bytes to ${key}`);
}
console.log("echo server done");
