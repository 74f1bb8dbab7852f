// The batch operations: sendMany and receiveMany.
import assert from "node:assert/strict";
import { Pull, Push, ZmqError } from "../mod.ts";
import { link, testEach, testEachTransport, text, within } from "./helpers.ts";

testEachTransport(
  "sendMany and receiveMany move batches in order, multipart intact",
  async (context, transport) => {
    using pull = new Pull({ context, receiveHighWaterMark: 10 });
    using push = new Push({ context, sendHighWaterMark: 10 });
    await link(transport, pull, push);
    const messages = Array.from(
      { length: 1000 },
      (_, i) => i % 3 === 0 ? [`${i}`, "second part"] : `${i}`,
    );
    // The high-water marks make most of the batch wait.
    const sending = push.sendMany(messages);
    const got: string[][] = [];
    while (got.length < messages.length) {
      const batch = await within(5000, pull.receiveMany(100), "receiveMany");
      assert.ok(batch.length >= 1 && batch.length <= 100, `${batch.length}`);
      got.push(...batch.map(text));
    }
    await within(5000, sending, "sendMany");
    assert.deepEqual(
      got,
      messages.map((m) => typeof m === "string" ? [m] : m),
    );
  },
);

testEach(
  "receiveMany takes what is there, up to max, after queued receives",
  async (context) => {
    using pull = new Pull({ context }), push = new Push({ context });
    await link("inproc", pull, push);
    const first = pull.receive();
    const batch = pull.receiveMany(3);
    await push.sendMany(["a", "b", "c", "d", "e"]);
    assert.deepEqual(text(await first), ["a"]);
    // How many are there by then depends on the event loop; never over max.
    const got = (await batch).map(text);
    assert.ok(got.length >= 1 && got.length <= 3, `${got.length}`);
    while (got.length < 4) {
      const more = await within(5000, pull.receiveMany(3), "receiveMany");
      assert.ok(more.length <= 3, `${more.length}`);
      got.push(...more.map(text));
    }
    assert.deepEqual(got, [["b"], ["c"], ["d"], ["e"]]);
  },
);

testEach("receiveMany honours receiveTimeout", async (context) => {
  using pull = new Pull({ context, receiveTimeout: 30 });
  await pull.bind("inproc://batch-timeout");
  await assert.rejects(
    pull.receiveMany(5),
    (err) => err instanceof ZmqError && err.code === "EAGAIN",
  );
});

testEach("bad batch arguments are TypeErrors", async (context) => {
  using pull = new Pull({ context }), push = new Push({ context });
  await link("inproc", pull, push);
  for (const max of [0, -1, 1.5, NaN, "3", undefined]) {
    await assert.rejects(pull.receiveMany(max as number), TypeError);
  }
  await assert.rejects(push.sendMany(42 as never), TypeError);
  await assert.rejects(push.sendMany(null as never), TypeError);
  // Messages before a bad one are sent; the bad one rejects.
  await assert.rejects(push.sendMany(["ok", 42 as never, "never"]), TypeError);
  assert.deepEqual((await pull.receiveMany(10)).map(text), [["ok"]]);
});

testEach("batches on a closed socket reject with ENOTSOCK", async (context) => {
  const pull = new Pull({ context }), push = new Push({ context });
  await link("inproc", pull, push);
  const waiting = pull.receiveMany(10);
  pull.close();
  push.close();
  const closed = (err: unknown) =>
    err instanceof ZmqError && err.code === "ENOTSOCK";
  await assert.rejects(waiting, closed);
  await assert.rejects(pull.receiveMany(1), closed);
  await assert.rejects(push.sendMany(["x"]), closed);
});
