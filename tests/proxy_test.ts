// The steerable proxy: a broker, pause/resume, statistics, terminate, bad input.
import assert from "node:assert/strict";
import { Dealer, Proxy, Pull, Push, Reply, Request, Router } from "../mod.ts";
import { endpoint, sleep, testEach, text, within } from "./helpers.ts";

testEach(
  "a ROUTER/DEALER broker forwards requests and replies",
  async (context) => {
    const frontend = new Router({ context }), backend = new Dealer({ context });
    const front = endpoint("inproc"), back = endpoint("inproc");
    await frontend.bind(front);
    await backend.bind(back);
    const proxy = new Proxy(frontend, backend);
    const running = proxy.run();
    assert.equal(proxy.running, true);

    using worker = new Reply({ context });
    worker.connect(back);
    const serving = (async () => {
      for await (const [request] of worker) {
        await worker.send(
          `echo ${text([request])[0]}`,
        );
      }
    })();
    using client = new Request({ context, receiveTimeout: 2000 });
    client.connect(front);
    for (let i = 0; i < 5; i++) {
      await client.send(`${i}`);
      assert.deepEqual(text(await client.receive()), [`echo ${i}`]);
    }
    const stats = await proxy.statistics();
    assert.equal(stats.frontend.messagesReceived, 5);
    assert.equal(stats.backend.messagesSent, 5);
    assert.equal(stats.backend.messagesReceived, 5);
    assert.equal(stats.frontend.messagesSent, 5);
    assert.ok(stats.frontend.bytesReceived > 0);

    // The proxy owns its sockets while it runs.
    await assert.rejects(frontend.receive(), {
      code: "EBUSY",
      message: /Proxy/,
    });
    assert.throws(() => backend.linger, { code: "EBUSY" });

    await proxy.pause();
    await client.send("while paused");
    client.receiveTimeout = 100;
    await assert.rejects(client.receive(), { code: "EAGAIN" });
    client.receiveTimeout = 2000;
    await proxy.resume();
    assert.deepEqual(text(await client.receive()), ["echo while paused"]);

    await proxy.terminate();
    await within(2000, running, "proxy run to end");
    assert.equal(proxy.running, false);
    // The sockets are ours again.
    frontend.linger = 0;
    worker.close();
    await serving;
    frontend.close();
    backend.close();
  },
);

testEach(
  "a streamer copies every message to the capture socket",
  async (context) => {
    using source = new Pull({ context }),
      sink = new Push({ context }),
      capture = new Push({ context });
    await source.bind(endpoint("inproc"));
    await sink.bind(endpoint("inproc"));
    await capture.bind(endpoint("inproc"));
    using producer = new Push({ context }),
      consumer = new Pull({ context }),
      tap = new Pull({ context });
    producer.connect(source.lastEndpoint);
    consumer.connect(sink.lastEndpoint);
    tap.connect(capture.lastEndpoint);
    const proxy = new Proxy(source, sink, capture);
    const running = proxy.run();
    // While it runs, the proxy owns its sockets: even reading an option is refused.
    assert.throws(() => source.lastEndpoint, { code: "EBUSY" });
    for (let i = 0; i < 10; i++) await producer.send(["job", `${i}`]);
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(
        text(await within(2000, consumer.receive(), "consumer")),
        ["job", `${i}`],
      );
      assert.deepEqual(text(await within(2000, tap.receive(), "capture")), [
        "job",
        `${i}`,
      ]);
    }
    await proxy.terminate();
    await running;
  },
);

testEach(
  "closing a proxied socket ends the proxy and closes the socket",
  async (context) => {
    const frontend = new Router({ context }), backend = new Dealer({ context });
    await frontend.bind(endpoint("inproc"));
    await backend.bind(endpoint("inproc"));
    const proxy = new Proxy(frontend, backend);
    const running = proxy.run();
    await sleep(10);
    frontend.close();
    await within(2000, running, "proxy end after close");
    assert.equal(frontend.closed, true);
    backend.close();
  },
);

testEach("proxy misuse is refused clearly", async (context) => {
  using push = new Push({ context }), pull = new Pull({ context });
  assert.throws(
    () => new Proxy(push, push),
    /Neither proxy socket can receive/,
  );
  assert.throws(() => new Proxy({} as never, pull), TypeError);
  const closed = new Router({ context }), other = new Dealer({ context });
  closed.close();
  await assert.rejects(new Proxy(closed, other).run(), { code: "ENOTSOCK" });
  await assert.rejects(new Proxy(other, other).pause(), /not running/);
  await new Proxy(other, other).terminate(); // not running: nothing to do
  const busy = new Router({ context });
  const pending = busy.receive();
  await assert.rejects(new Proxy(busy, other).run(), { code: "EBUSY" });
  busy.close();
  await assert.rejects(pending, { code: "ENOTSOCK" });
  other.close();
});
