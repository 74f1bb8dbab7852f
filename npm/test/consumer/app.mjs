// ESM consumer: tcp PUSH/PULL and inproc REQ/REP on a backend.
// Usage: node app.mjs <ffi|wasm|auto> [expected backend]
import { Context, Pull, Push, Reply, Request, version } from "deno-zmq";

const [choice = "auto", expected = choice] = process.argv.slice(2);
const decoder = new TextDecoder();
const text = (frames) => frames.map((f) => decoder.decode(f));

const context = new Context({ backend: choice });
if (context.backend !== expected) {
  throw new Error(`backend ${context.backend}, expected ${expected}`);
}
// tcp on both backends (WASM: over node:net, with no native library).
const transport = "tcp://127.0.0.1:*";
// (Node 20 has no `using` declarations: close explicitly.)
const pull = new Pull({ context });
await pull.bind(transport);
const push = new Push({ context });
push.connect(pull.lastEndpoint);
await push.send(["job", "42"]);
const frames = await pull.receive();
if (!(frames[0] instanceof Uint8Array)) {
  throw new Error("frames must be Uint8Array");
}
if (text(frames).join(" ") !== "job 42") throw new Error(`got ${text(frames)}`);
push.close();
pull.close();

const rep = new Reply({ context });
await rep.bind("inproc://echo");
const req = new Request({ context });
req.connect("inproc://echo");
await req.send("ping");
await rep.send(await rep.receive());
const [answer] = text(await req.receive());
if (answer !== "ping") throw new Error(`got ${answer}`);
req.close();
rep.close();
await context.close();
console.log(
  `esm ok: backend=${context.backend} libzmq=${version(context)} ${
    transport.split(":")[0]
  }+inproc`,
);
