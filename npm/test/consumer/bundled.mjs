// A consumer bundled by esbuild (the package says which of its files have
// side effects): socket.events and the Zyre entry must survive tree shaking. Usage: esbuild --bundle bundled.mjs, then node out.mjs
import { Context, Pull, Push } from "deno-zmq";
import { Zyre } from "deno-zmq/zyre";

if (typeof Zyre !== "function") throw new Error("deno-zmq/zyre lost Zyre");
const context = new Context({ backend: "ffi" });
const pull = new Pull({ context });
const bound = new Promise((resolve) =>
  pull.events.addEventListener("bind", (event) => resolve(event.endpoint))
);
await pull.bind("tcp://127.0.0.1:*");
const endpoint = await bound;
const push = new Push({ context });
push.connect(pull.lastEndpoint);
await push.send("bundled");
const [frame] = await pull.receive();
if (new TextDecoder().decode(frame) !== "bundled") throw new Error("bad frame");
push.close();
pull.close();
await context.close();
console.log(`bundle ok: socket.events saw bind on ${endpoint}`);
