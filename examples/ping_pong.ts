/**
 * Ping-pong over channels: two PAIR sockets talk through Web Streams
 * (`toReadableStream()` / `toWritableStream()`), the ponger being a stream
 * pipeline (socket -> TransformStream -> socket).
 *
 *     deno run --allow-ffi examples/ping_pong.ts [--rounds 5] [--backend ffi|wasm]
 *
 * With `--backend wasm` it runs on the bundled WASM libzmq (inproc only) and
 * needs no permission at all.
 *
 * @module
 */
import { parseArgs } from "node:util";
// The entry that carries the WASM backend too: `--backend wasm` needs no permission.
import { Context, Pair } from "../wasm/bundled.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    backend: { type: "string", default: "auto" },
  },
});
const rounds = Number(values.rounds);
const decoder = new TextDecoder();

const context = new Context({ backend: values.backend as "ffi" | "wasm" });
const pinger = new Pair({ context }), ponger = new Pair({ context });
await ponger.bind("inproc://ping-pong");
pinger.connect("inproc://ping-pong");

// The ponger: every "ping N" that comes in goes back out as "pong N".
const ponging = ponger.toReadableStream()
  .pipeThrough(
    new TransformStream<Uint8Array[], string>({
      transform([frame], out) {
        out.enqueue(decoder.decode(frame).replace("ping", "pong"));
      },
    }),
  )
  .pipeTo(ponger.toWritableStream());

// The pinger: write a ping, read the pong, N times.
const writer = pinger.toWritableStream().getWriter();
const reader = pinger.toReadableStream().getReader();
const start = performance.now();
for (let i = 1; i <= rounds; i++) {
  await writer.write(`ping ${i}`);
  const { value } = await reader.read();
  console.log(`ping ${i} -> ${decoder.decode(value![0])}`);
}
const ms = (performance.now() - start).toFixed(1);
console.log(
  `${rounds} round trips in ${ms} ms on the ${context.backend} backend`,
);

reader.releaseLock();
await writer.close(); // closing the writable side closes the pinger socket
ponger.close(); // ends the ponger's readable side, and so its pipeline
await ponging;
await context.close();
