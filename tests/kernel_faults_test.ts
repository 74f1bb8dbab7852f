// Network faults made by the kernel, which the relay of network_faults_test
// cannot make: a bandwidth limit on the real TCP path (the tbf qdisc shapes
// data and acks alike) and a blackhole that drops every packet, so TCP itself
// retransmits and reports nothing. Each backend runs the scenarios of
// tests/fixtures/kernel_faults.ts in a network namespace of its own
// (`unshare -n`, with its private loopback: nothing else on the machine is
// shaped). Needs root, unshare and tc; where they are missing the test is
// ignored and says why (CI runs it where they are).
import assert from "node:assert/strict";
import { backends } from "./helpers.ts";

const fixture = new URL("./fixtures/kernel_faults.ts", import.meta.url)
  .pathname;

/** Why namespaced tc cannot run here, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  try {
    const probe = await new Deno.Command("unshare", {
      args: ["-n", "tc", "qdisc", "show", "dev", "lo"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (probe.code === 0) return undefined;
    return `unshare -n tc failed: ${new TextDecoder().decode(probe.stderr)}`;
  } catch (err) {
    return `unshare or tc is missing: ${err}`;
  }
}

const missing = await unavailable();
if (missing) console.warn(`kernel faults: ignored (${missing.trim()})`);

type Results = {
  plainMs: number;
  shapedMs: number;
  withHeartbeats: { noticedMs?: number; recoveredMs: number };
  withoutHeartbeats: { noticedMs?: number; recoveredMs: number };
};

for (const backend of backends()) {
  Deno.test({
    name:
      `kernel faults: a tbf bandwidth limit delivers intact; a blackhole is seen by heartbeats only, and heals [${backend}]`,
    ignore: missing !== undefined,
    fn: async () => {
      const out = await new Deno.Command("unshare", {
        args: ["-n", "--", Deno.execPath(), "run", "-A", fixture, backend],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const r: Results = JSON.parse(new TextDecoder().decode(out.stdout));
      // 384 KiB at 4 Mbit/s: ~0.8 s (measured 0.77-0.78 s), unshaped ~3-15 ms.
      assert.ok(r.shapedMs > 400, `shaped transfer took ${r.shapedMs} ms`);
      assert.ok(r.shapedMs > 10 * r.plainMs, JSON.stringify(r));
      // Heartbeats every 100 ms, timeout 300 ms: measured ~400 ms.
      const noticed = r.withHeartbeats.noticedMs;
      assert.ok(noticed !== undefined, "heartbeats missed the blackhole");
      assert.ok(noticed >= 250 && noticed < 1_500, `noticed at ${noticed} ms`);
      // TCP alone notices nothing, yet the connection carries on once healed.
      assert.equal(r.withoutHeartbeats.noticedMs, undefined);
      assert.ok(r.withHeartbeats.recoveredMs < 10_000);
    },
  });
}
