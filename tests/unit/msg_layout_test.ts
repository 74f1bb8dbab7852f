// The small-frame layout calibration (ffi/msg_layout.ts) against a fake
// libzmq whose zmq_msg_t layout the test chooses: it finds that layout, and
// refuses (null) whatever does not behave like it.
import assert from "node:assert/strict";
import {
  calibrateMsgLayout,
  type CalibrationCalls,
} from "../../ffi/msg_layout.ts";

interface Layout {
  data: number;
  flags: number;
  type: number;
}

/** A fake socket pair whose messages land in `msg` laid out as `layout`. */
function fakeLibzmq(layout: Layout, quirk?: "no-more" | "bad-data") {
  const queue: { data: Uint8Array; more: boolean }[] = [];
  let closed = false;
  let lastBig = false;
  const calls: CalibrationCalls & { closed(): boolean } = {
    pair: () => ["receiver", "sender"],
    send: (_socket, data, flags) => {
      queue.push({ data: data.slice(), more: (flags & 2) !== 0 });
      return data.length;
    },
    recv: (msg, _socket) => {
      const next = queue.shift();
      if (!next) return -1;
      const small = next.data.length <= 33;
      msg.fill(0xee, layout.data, layout.data + 33); // stale bytes
      if (small) {
        msg.set(
          quirk === "bad-data" ? next.data.map((b) => ~b) : next.data,
          layout.data,
        );
      }
      msg[layout.type] = small ? 102 : 103; // vsm / lmsg codes
      msg[layout.flags] = next.more && quirk !== "no-more" ? 1 : 0;
      lastBig = !small;
      return next.data.length;
    },
    more: (msg) => msg[layout.flags] === 1,
    dataOffset: () => lastBig ? 1000 : layout.data,
    done: () => void (closed = true),
    closed: () => closed,
  };
  return calls;
}

Deno.test("finds where a small frame's bytes, flags and type live", () => {
  for (
    const layout of [
      { data: 16, flags: 62, type: 63 }, // libzmq 4.3 on 64-bit
      { data: 8, flags: 50, type: 52 },
    ]
  ) {
    const calls = fakeLibzmq(layout);
    const found = calibrateMsgLayout(calls, new Uint8Array(64));
    assert.deepEqual(found, { ...layout, vsmType: 102 });
    assert.ok(calls.closed(), "the pair is closed afterwards");
  }
});

Deno.test("refuses a libzmq that does not behave as measured", () => {
  const layout = { data: 16, flags: 62, type: 63 };
  for (const quirk of ["no-more", "bad-data"] as const) {
    const calls = fakeLibzmq(layout, quirk);
    assert.equal(calibrateMsgLayout(calls, new Uint8Array(64)), null, quirk);
    assert.ok(calls.closed());
  }
  const failing = fakeLibzmq(layout);
  failing.send = () => -1;
  assert.equal(calibrateMsgLayout(failing, new Uint8Array(64)), null);
});
