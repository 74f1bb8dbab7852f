// The event hub (src/event_hub.ts): listeners and iterators see the same events.
import assert from "node:assert/strict";
import { EventHub } from "../../src/event_hub.ts";

class Tick extends Event {
  constructor(readonly n: number) {
    super("tick");
  }
}

class Hub extends EventHub<{ tick: Tick }> {
  tick(n: number) {
    this.emit(new Tick(n));
  }
  stop() {
    this.end();
  }
  restart() {
    this.reopen();
  }
}

Deno.test("listeners and every iterator get each event, in order", async () => {
  const hub = new Hub();
  const heard: number[] = [];
  const listener = (event: Tick) => heard.push(event.n);
  hub.addEventListener("tick", listener);
  const a = hub[Symbol.asyncIterator](), b = hub[Symbol.asyncIterator]();
  hub.tick(1);
  hub.tick(2);
  hub.removeEventListener("tick", listener);
  hub.tick(3);
  assert.deepEqual(heard, [1, 2]);
  for (const it of [a, b]) {
    assert.deepEqual(
      [(await it.next()).value!.n, (await it.next()).value!.n],
      [1, 2],
    );
  }
  assert.equal((await a.next()).value!.n, 3);
});

Deno.test("an iterator waits for the next event and ends with the hub", async () => {
  const hub = new Hub();
  const seen: number[] = [];
  const done = (async () => {
    for await (const event of hub) seen.push(event.n);
  })();
  await Promise.resolve();
  hub.tick(1);
  await new Promise((resolve) => setTimeout(resolve, 0));
  hub.tick(2);
  hub.stop();
  await done;
  assert.deepEqual(seen, [1, 2]);
  assert.ok(hub.ended);
  assert.equal((await hub[Symbol.asyncIterator]().next()).done, true);
  hub.restart();
  const again = hub[Symbol.asyncIterator]();
  hub.tick(4);
  assert.equal((await again.next()).value!.n, 4);
});

Deno.test("breaking out of a loop detaches the iterator", async () => {
  const hub = new Hub();
  const it = hub[Symbol.asyncIterator]();
  hub.tick(1);
  for await (const event of { [Symbol.asyncIterator]: () => it }) {
    assert.equal(event.n, 1);
    break;
  }
  hub.tick(2);
  assert.equal((await it.next()).done, true);
});
