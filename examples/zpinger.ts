/**
 * zpinger: a Zyre node that whispers "Hello" to every peer that enters and
 * shouts "Hello" to the GLOBAL group for every whisper it gets, logging
 * ENTER, EXIT and messages. Interoperates with C zyre's zpinger.
 *
 *     deno run --allow-net --allow-ffi --allow-read --allow-env examples/zpinger.ts \
 *       [--port 5670] [--address 255.255.255.255] [--duration ms] [--name NAME]
 *
 * Without --duration it runs until interrupted.
 *
 * @module
 */
import { Zyre } from "../src/zyre/mod.ts";

function option(name: string): string | undefined {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1] : undefined;
}

const node = new Zyre({
  name: option("name"),
  port: Number(option("port") ?? 5670),
  beaconAddress: option("address") ?? "255.255.255.255",
  interval: Number(option("interval") ?? 1000),
});
const log = (line: string) => console.log(`[${node.name}] ${line}`);
const text = (frames: Uint8Array[] = []) =>
  frames.map((f) => new TextDecoder().decode(f)).join(" ");

node.join("GLOBAL");
await node.start();
log(`started ${node.uuid}`);

const duration = option("duration");
const timer = duration
  ? setTimeout(() => node.stop(), Number(duration))
  : undefined;
const onSignal = () => node.stop();
Deno.addSignalListener("SIGINT", onSignal);

for await (const event of node) {
  switch (event.kind) {
    case "ENTER":
      log(`ENTER ${event.peerName} ${event.peerId} ${event.peerAddress}`);
      node.whisper(event.peerId, "Hello");
      break;
    case "EXIT":
      log(`EXIT ${event.peerName} ${event.peerId}`);
      break;
    case "WHISPER":
      log(`WHISPER from ${event.peerName}: ${text(event.message)}`);
      node.shout("GLOBAL", "Hello");
      break;
    case "SHOUT":
      log(
        `SHOUT from ${event.peerName} to ${event.group}: ${
          text(event.message)
        }`,
      );
      break;
    case "STOP":
      log("stopped");
      break;
    default:
      log(`${event.kind} ${event.peerName}`);
  }
}
clearTimeout(timer);
Deno.removeSignalListener("SIGINT", onSignal);
