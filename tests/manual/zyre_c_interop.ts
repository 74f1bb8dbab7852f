// Interop with C zyre: a C node (tests/peers/zyre_c_peer.c) beside a TS node.
//
// Manual: Debian has no libzyre package, so this is not part of `deno task
// test`. Build libzyre yourself, then run
//   ZYRE_CFLAGS=-I<zyre>/include ZYRE_LIBS="<libzyre.a> -lczmq -lzmq" \
//     deno test -A tests/manual/zyre_c_interop.ts
//
// The C program is built against libzyre: `cc tests/peers/zyre_c_peer.c
// $ZYRE_CFLAGS -o <tmp> $ZYRE_LIBS` (default libs "-lzyre -lczmq -lzmq"), or
// taken prebuilt from $ZYRE_C_PEER. Without libzyre the test is skipped.
//
// czmq's beacon needs a broadcast-capable interface and loopback is not one,
// so the C node runs with a fixed tcp endpoint and beaconing off; the test
// announces it to the TS node with a ZRE beacon it makes itself, sent to
// 127.255.255.255 only. Everything else (HELLO both ways, JOIN, WHISPER,
// SHOUT, PING/PING-OK, expiry) is C zyre and TS talking ZRE over TCP.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Context } from "../../mod.ts";
import { encodeBeacon, Zyre } from "../../src/zyre/mod.ts";
import { beaconPort, fastOptions, Recorder, strings } from "../zyre_helpers.ts";

async function buildPeer(): Promise<{ path?: string; why?: string }> {
  const prebuilt = Deno.env.get("ZYRE_C_PEER");
  if (prebuilt) return { path: prebuilt };
  const source = new URL("../peers/zyre_c_peer.c", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "zyre-c-peer-" });
  const path = `${dir}/zyre_c_peer`;
  const split = (s: string) => s.split(/\s+/).filter(Boolean);
  try {
    const { code, stderr } = await new Deno.Command("cc", {
      args: [
        source,
        ...split(Deno.env.get("ZYRE_CFLAGS") ?? ""),
        "-o",
        path,
        ...split(Deno.env.get("ZYRE_LIBS") ?? "-lzyre -lczmq -lzmq"),
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code === 0) {
      globalThis.addEventListener("unload", () => {
        Deno.removeSync(dir, { recursive: true });
      });
      return { path };
    }
    await Deno.remove(dir, { recursive: true });
    return { why: new TextDecoder().decode(stderr).split("\n")[0] };
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    return { why: String(err) };
  }
}

const peer = await buildPeer();
if (!peer.path) throw new Error(`Cannot build the C zyre peer: ${peer.why}`);

Deno.test({
  name: "C zyre and TS zyre: ENTER, JOIN, WHISPER and SHOUT both ways, EXIT",
  async fn() {
    const context = new Context();
    const port = beaconPort();
    const mailbox = 40000 + Math.floor(Math.random() * 20000);
    const endpoint = `tcp://127.0.0.1:${mailbox}`;
    const child = new Deno.Command(peer.path!, {
      args: [endpoint, "cnode", "6000"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output: string[] = [];
    const lines = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let buffered = "";
    let pending: Promise<ReadableStreamReadResult<string>> | undefined;
    const waitLine = async (pattern: RegExp, ms = 4000): Promise<string> => {
      const deadline = performance.now() + ms;
      for (;;) {
        const found = output.find((l) => pattern.test(l));
        if (found) return found;
        if (performance.now() > deadline) {
          throw new Error(`C peer printed no ${pattern}: ${output.join("; ")}`);
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        // One read at a time: a read abandoned to the timer stays pending.
        pending ??= lines.read();
        const next = await Promise.race([
          pending,
          new Promise<null>((r) => timer = setTimeout(() => r(null), 100)),
        ]);
        clearTimeout(timer);
        if (next) pending = undefined;
        if (next && !next.done) {
          buffered += next.value;
          const parts = buffered.split("\n");
          buffered = parts.pop()!;
          output.push(...parts);
        } else if (next?.done) {
          const found = output.find((l) => pattern.test(l));
          if (found) return found;
          throw new Error(`C peer ended: ${output.join("; ")}`);
        }
      }
    };
    const node = new Zyre({ ...fastOptions(port), name: "tsnode", context });
    const rec = new Recorder(node);
    const udp = dgram.createSocket({ type: "udp4", reuseAddr: true });
    try {
      const ready = await waitLine(/^READY [0-9A-F]{32}$/);
      const cUuid = ready.split(" ")[1];
      node.join("GLOBAL");
      await node.start();
      // Announce the C node to the TS node (loopback broadcast only).
      await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
      udp.setBroadcast(true);
      const uuidBytes = new Uint8Array(
        cUuid.match(/../g)!.map((h) => parseInt(h, 16)),
      );
      await new Promise((r) =>
        udp.send(encodeBeacon(uuidBytes, mailbox), port, "127.255.255.255", r)
      );

      // Both see each other enter, with headers, and each other's group.
      const enter = await rec.wait("ENTER", (e) => e.peerId === cUuid);
      assert.equal(enter.peerName, "cnode");
      assert.equal(enter.headers?.["X-LANG"], "C");
      assert.equal(enter.peerAddress, endpoint);
      await waitLine(new RegExp(`^ENTER ${node.uuid} tsnode -$`));
      await rec.wait("JOIN", (e) => e.peerId === cUuid && e.group === "GLOBAL");
      await waitLine(new RegExp(`^JOIN ${node.uuid} GLOBAL$`));

      // C whispers to every new peer.
      const hello = await rec.wait("WHISPER", (e) => e.peerId === cUuid);
      assert.deepEqual(strings(hello.message), ["hello", "from C"]);
      // TS whispers (multipart); C echoes it as a SHOUT to GLOBAL.
      node.whisper(cUuid, ["ping", "1", "2"]);
      await waitLine(new RegExp(`^WHISPER ${node.uuid} ping\\|1\\|2$`));
      const echo = await rec.wait("SHOUT", (e) => e.peerId === cUuid);
      assert.equal(echo.group, "GLOBAL");
      assert.deepEqual(strings(echo.message), ["echo", "ping", "1", "2"]);
      // TS shouts; C receives it.
      assert.equal(node.shout("GLOBAL", ["ts", "shout"]), 1);
      await waitLine(new RegExp(`^SHOUT ${node.uuid} GLOBAL ts\\|shout$`));

      // Heartbeats: past the evasive timeout, PING / PING-OK keep both alive.
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(node.peers(), [cUuid]);
      assert.equal(rec.of("EXIT").length, 0);
      assert.equal(output.filter((l) => l.startsWith("EXIT")).length, 0);

      // The TS node stops: the C node (no beacons in its mode) expires it.
      await node.stop();
      await waitLine(new RegExp(`^EXIT ${node.uuid}$`), 3000);
    } finally {
      udp.close();
      await node.stop();
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await child.status;
      await lines.cancel();
      await child.stderr.cancel();
      await context.close();
    }
  },
});
