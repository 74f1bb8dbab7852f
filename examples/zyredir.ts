/**
 * zyredir: keeps a directory with one JSON file per online Zyre node
 * (`<uuid>.json`: id, name, address, headers, groups), its own included.
 * A file is written when its node enters, updated when it joins or leaves a
 * group and deleted when it exits; all are removed when zyredir stops.
 *
 *     deno run --allow-net --allow-ffi --allow-read --allow-write --allow-env \
 *       examples/zyredir.ts --dir DIR [--port 5670] [--address 255.255.255.255] \
 *       [--duration ms] [--name NAME]
 *
 * @module
 */
import { Zyre } from "../src/zyre/mod.ts";

function option(name: string): string | undefined {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1] : undefined;
}

const dir = option("dir");
if (!dir) {
  console.error(
    "usage: zyredir.ts --dir DIR [--port N] [--address A] [--duration ms]",
  );
  Deno.exit(2);
}
await Deno.mkdir(dir, { recursive: true });

const node = new Zyre({
  name: option("name") ?? "zyredir",
  port: Number(option("port") ?? 5670),
  beaconAddress: option("address") ?? "255.255.255.255",
  interval: Number(option("interval") ?? 1000),
  headers: { "X-ZYREDIR": "1" },
});

interface Entry {
  id: string;
  name: string;
  address: string;
  headers: Record<string, string>;
  groups: string[];
}
const online = new Map<string, Entry>();
const file = (id: string) => `${dir}/${id}.json`;

async function write(entry: Entry): Promise<void> {
  // Write then rename, so readers never see a half-written file.
  const temporary = `${file(entry.id)}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(entry, null, 2) + "\n");
  await Deno.rename(temporary, file(entry.id));
}

async function remove(id: string): Promise<void> {
  online.delete(id);
  await Deno.remove(file(id)).catch(() => {});
}

// Listen before starting: the iterator sees events from its creation on, and
// peers may enter while the own file below is being written.
const events = node[Symbol.asyncIterator]();
await node.start();
const self: Entry = {
  id: node.uuid,
  name: node.name,
  address: node.endpoint,
  headers: { "X-ZYREDIR": "1" },
  groups: [],
};
online.set(self.id, self);
await write(self);
console.log(`zyredir ${node.uuid} keeping ${dir}`);

const duration = option("duration");
const timer = duration
  ? setTimeout(() => node.stop(), Number(duration))
  : undefined;
const onSignal = () => node.stop();
Deno.addSignalListener("SIGINT", onSignal);

for await (const event of events) {
  const entry = online.get(event.peerId);
  switch (event.kind) {
    case "ENTER": {
      const entered: Entry = {
        id: event.peerId,
        name: event.peerName,
        address: event.peerAddress ?? "",
        headers: event.headers ?? {},
        groups: [],
      };
      online.set(entered.id, entered);
      await write(entered);
      console.log(`ENTER ${event.peerName} ${event.peerId}`);
      break;
    }
    case "JOIN":
    case "LEAVE":
      if (entry) {
        entry.groups = event.kind === "JOIN"
          ? [...new Set([...entry.groups, event.group!])]
          : entry.groups.filter((g) => g !== event.group);
        await write(entry);
      }
      break;
    case "EXIT":
      await remove(event.peerId);
      console.log(`EXIT ${event.peerName} ${event.peerId}`);
      break;
  }
}
for (const id of [...online.keys()]) await remove(id);
clearTimeout(timer);
Deno.removeSignalListener("SIGINT", onSignal);
console.log("zyredir stopped");
