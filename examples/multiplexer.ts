/**
 * A multiplexer: one Poller serving several PULL sockets, each fed by its own
 * PUSH socket at its own pace, and printing what each one got.
 *
 *     deno run --allow-ffi examples/multiplexer.ts \
 *       [--sockets 5] [--messages 3] [--backend ffi|wasm]
 *
 * @module
 */
import { parseArgs } from "node:util";
// The entry that carries the WASM backend too: `--backend wasm` needs no permission.
import { Context, Poller, Pull, Push } from "../wasm/bundled.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sockets: { type: "string", default: "5" },
    messages: { type: "string", default: "3" }, // per socket
    backend: { type: "string", default: "auto" },
  },
});
const sockets = Number(values.sockets), messages = Number(values.messages);
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await using context = new Context({
  backend: values.backend as "ffi" | "wasm",
});
const pulls: Pull[] = [];
const poller = new Poller<Pull>();
const feeders: Promise<void>[] = [];
for (let i = 0; i < sockets; i++) {
  const pull = new Pull({ context });
  await pull.bind(`inproc://multiplexer-${i}`);
  pulls.push(pull);
  poller.add(pull, "readable");
  // A feeder: `messages` messages, some ms apart (a different pace for each).
  const push = new Push({ context });
  push.connect(`inproc://multiplexer-${i}`);
  feeders.push((async () => {
    for (let m = 1; m <= messages; m++) {
      await sleep(5 + 7 * i);
      await push.send(`message ${m} from feeder ${i}`);
    }
  })());
}

// The one loop: wait for whichever sockets are readable, serve them.
let received = 0;
while (received < sockets * messages) {
  const ready = await poller.wait(5000);
  if (ready.length === 0) throw new Error("nothing arrived for 5 s");
  for (const { socket } of ready) {
    const [frame] = await socket.receive();
    console.log(
      `socket ${pulls.indexOf(socket)} got: ${decoder.decode(frame)}`,
    );
    received++;
  }
}
await Promise.all(feeders);
console.log(`received ${received} messages on ${sockets} sockets`);
// `await using` closes the context and with it every socket.
