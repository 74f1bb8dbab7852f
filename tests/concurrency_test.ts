// Concurrent operations, high-water marks, timeouts, closing and event-loop fairness.
import assert from "node:assert/strict";
import { Dealer, Pair, Pull, Push, Router, ZmqError } from "../mod.ts";
import {
  link,
  sleep,
  testEach,
  testEachTransport,
  text,
  within,
} from "./helpers.ts";

testEachTransport(
  "100 concurrent receives each get one message, in order",
  async (context, transport) => {
    using pull = new Pull({ context }), push = new Push({ context });
    await link(transport, pull, push);
    const receives = Array.from({ length: 100 }, () => pull.receive());
    for (let i = 0; i < 100; i++) await push.send(`${i}`);
    const got = await within(5000, Promise.all(receives), "100 receives");
    assert.deepEqual(
      got.map((m) => text(m)[0]),
      Array.from({ length: 100 }, (_, i) => `${i}`),
    );
  },
);

testEachTransport(
  "concurrent sends keep their order",
  async (context, transport) => {
    using pull = new Pull({ context }),
      push = new Push({ context, sendHighWaterMark: 5 });
    await link(transport, pull, push);
    const sends = Array.from(
      { length: 200 },
      (_, i) => push.send([`${i}`, "x"]),
    );
    const got: string[] = [];
    for (let i = 0; i < 200; i++) {
      got.push(text(await pull.receive())[0]);
    }
    await within(5000, Promise.all(sends), "200 sends");
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => `${i}`));
  },
);

testEach(
  "pending sends wait at the high-water mark instead of buffering",
  async (context) => {
    using pull = new Pull({ context, receiveHighWaterMark: 10 });
    using push = new Push({ context, sendHighWaterMark: 10 });
    await link("inproc", pull, push);
    let accepted = 0;
    const sends = Array.from(
      { length: 1000 },
      (_, i) => push.send(`message ${i}`).then(() => void accepted++),
    );
    await sleep(50);
    // inproc queues hold at most sndhwm + rcvhwm messages: the rest must wait.
    assert.ok(
      accepted <= 20,
      `${accepted} sends accepted by a stalled receiver`,
    );
    assert.ok(accepted >= 10, `only ${accepted} sends accepted`);
    for (let i = 0; i < 1000; i++) {
      assert.equal(
        text(await pull.receive())[0],
        `message ${i}`,
      );
    }
    await within(5000, Promise.all(sends), "sends after draining");
    assert.equal(accepted, 1000);
  },
);

testEachTransport(
  "receiveTimeout rejects with EAGAIN after that many ms",
  async (context, transport) => {
    using pull = new Pull({ context, receiveTimeout: 100 }),
      push = new Push({ context });
    await link(transport, pull, push);
    const start = performance.now();
    await assert.rejects(pull.receive(), (err: unknown) => {
      assert.ok(err instanceof ZmqError);
      assert.equal(err.code, "EAGAIN");
      assert.match(err.message, /timed out after 100 ms/);
      return true;
    });
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 95 && elapsed < 1000, `timed out after ${elapsed} ms`);
    // The socket still works, and a message arriving in time is delivered.
    setTimeout(() => void push.send("late but in time"), 20);
    assert.deepEqual(text(await pull.receive()), ["late but in time"]);
    pull.receiveTimeout = 0;
    await assert.rejects(pull.receive(), { code: "EAGAIN" });
    await push.send("ready now");
    await sleep(transport === "inproc" ? 0 : 50);
    assert.deepEqual(text(await pull.receive()), ["ready now"]);
  },
);

testEach(
  "sendTimeout rejects with EAGAIN at the high-water mark",
  async (context) => {
    using push = new Push({ context, sendHighWaterMark: 1, sendTimeout: 50 });
    using pull = new Pull({ context, receiveHighWaterMark: 1 });
    await link("inproc", pull, push);
    let sent = 0;
    try {
      for (; sent < 100; sent++) await push.send("fill");
      assert.fail("sends never blocked");
    } catch (err) {
      assert.ok(err instanceof ZmqError && err.code === "EAGAIN", `${err}`);
    }
    assert.ok(sent >= 1 && sent <= 3, `sent ${sent} before the mark`);
    push.sendTimeout = 0;
    await assert.rejects(push.send("now or never"), { code: "EAGAIN" });
    // Without a peer at all, a PUSH cannot send either.
    using lonely = new Push({ context, sendTimeout: 20 });
    await assert.rejects(lonely.send("nobody"), { code: "EAGAIN" });
  },
);

testEach(
  "a timed-out receive does not take a later message",
  async (context) => {
    using pull = new Pull({ context }), push = new Push({ context });
    await link("inproc", pull, push);
    pull.receiveTimeout = 30;
    const first = pull.receive();
    pull.receiveTimeout = -1;
    const second = pull.receive();
    await assert.rejects(first, { code: "EAGAIN" });
    await push.send("for the second");
    assert.deepEqual(text(await second), ["for the second"]);
  },
);

testEachTransport(
  "closing rejects pending operations and ends iterators",
  async (context, transport) => {
    const pull = new Pull({ context });
    using push = new Push({ context, sendHighWaterMark: 1 });
    await link(transport, pull, push);
    const pending = [pull.receive(), pull.receive()];
    const iterated: string[] = [];
    const iteration = (async () => {
      for await (const message of pull) iterated.push(text(message)[0]);
    })();
    await sleep(10);
    pull.close();
    for (const p of pending) {
      await assert.rejects(
        p,
        (err: unknown) => err instanceof ZmqError && err.code === "ENOTSOCK",
      );
    }
    await within(1000, iteration, "iterator end");
    assert.deepEqual(iterated, []);

    // Pending sends are rejected by close too.
    using lonely = new Push({ context });
    const send = lonely.send("never delivered");
    lonely.close();
    await assert.rejects(send, { code: "ENOTSOCK" });
  },
);

testEach(
  "closing the context rejects pending operations of all its sockets",
  async () => {
    const { Context } = await import("../mod.ts");
    const context = new Context();
    const pull = new Pull({ context });
    await pull.bind("inproc://context-close");
    const pending = assert.rejects(pull.receive(), { code: "ENOTSOCK" });
    await context.close();
    await pending;
  },
);

testEach(
  "a DEALER waiting to receive still sends (both directions at once)",
  async (context) => {
    using router = new Router({ context }), dealer = new Dealer({ context });
    await link("tcp", router, dealer);
    const incoming = dealer.receive();
    for (let i = 0; i < 50; i++) await dealer.send(`request ${i}`);
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      const [id, body] = await router.receive();
      assert.equal(text([body])[0], `request ${i}`);
      ids.push(id);
    }
    await router.send([ids[0], "reply"]);
    assert.deepEqual(text(await within(2000, incoming, "dealer receive")), [
      "reply",
    ]);
  },
);

testEach(
  "timers keep firing while 1,000,000 messages are iterated",
  async (context) => {
    using pull = new Pull({ context }), push = new Push({ context });
    await link("inproc", pull, push);
    const total = 1_000_000;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const producer = (async () => {
      const frame = new Uint8Array(16);
      for (let i = 0; i < total; i++) await push.send(frame);
    })();
    let received = 0;
    const start = performance.now();
    for await (const _ of pull) {
      if (++received === total) break;
    }
    await producer;
    clearInterval(timer);
    const seconds = (performance.now() - start) / 1000;
    // One tick per 5 ms is the ideal; ask for a third of it to allow for GC and a busy machine.
    const expected = (seconds * 1000) / 5;
    assert.ok(
      ticks >= expected / 3,
      `${ticks} timer ticks in ${seconds.toFixed(2)} s`,
    );
    assert.equal(received, total);
  },
);

testEachTransport(
  "messages keep flowing in a ping-pong of 2,000 round trips",
  async (context, transport) => {
    using a = new Pair({ context }), b = new Pair({ context });
    await link(transport, a, b);
    const echo = (async () => {
      for await (const message of a) await a.send(message);
    })();
    for (let i = 0; i < 2000; i++) {
      await b.send(`${i}`);
      assert.equal(text(await b.receive())[0], `${i}`);
    }
    a.close();
    await echo;
  },
);

testEach(
  "sendTimeout 0 sends whenever the queue has room, even when a fairness yield is due",
  async (context) => {
    using pull = new Pull({ context });
    using push = new Push({
      context,
      sendTimeout: 0,
      sendHighWaterMark: 100_000,
    });
    await link("inproc", pull, push);
    const start = performance.now();
    let sent = 0;
    // Long enough (> 10 ms) for the fairness check to ask for a yield many times.
    while (performance.now() - start < 50 && sent < 50_000) {
      await push.send("x");
      sent++;
    }
    pull.receiveTimeout = 0;
    for (let i = 0; i < sent; i++) await pull.receive();
    assert.ok(sent > 100);
  },
);

testEachTransport(
  "trySend and tryReceive move batches without waiting",
  async (context, transport) => {
    using pull = new Pull({ context, receiveHighWaterMark: 100 });
    using push = new Push({ context, sendHighWaterMark: 100 });
    assert.equal(push.trySend("no peer yet"), false);
    assert.equal(pull.tryReceive(), null);
    await link(transport, pull, push);
    // Wait for the connection, then fill until the high-water mark says no.
    let accepted = 0;
    for (let spins = 0; spins < 1000 && accepted === 0; spins++) {
      if (push.trySend(["0", "multi"])) accepted++;
      else await sleep(1);
    }
    while (
      accepted < 100_000 && push.trySend([`${accepted}`, "multi"])
    ) accepted++;
    assert.ok(accepted >= 100 && accepted < 100_000, `accepted ${accepted}`);
    let received = 0;
    for (let spins = 0; received < accepted && spins < 10_000;) {
      const message = pull.tryReceive();
      if (!message) {
        spins++;
        await sleep(0);
        continue;
      }
      assert.deepEqual(text(message), [`${received}`, "multi"]);
      received++;
    }
    assert.equal(received, accepted);
    // A queued receive comes first: tryReceive does not overtake it.
    const pending = pull.receive();
    await push.send("for the pending receive");
    assert.equal(pull.tryReceive(), null);
    assert.deepEqual(text(await pending), ["for the pending receive"]);
    pull.close();
    assert.throws(() => pull.tryReceive(), { code: "ENOTSOCK" });
    assert.throws(() => push.trySend(42 as never), TypeError);
  },
);
