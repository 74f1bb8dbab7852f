// The FIFO of pending operations (src/queue.ts).
import assert from "node:assert/strict";
import { Queue } from "../../src/queue.ts";

Deno.test("push, peek, shift in order; undefined when empty", () => {
  const queue = new Queue<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.peek(), undefined);
  for (let i = 0; i < 5; i++) queue.push(i);
  assert.equal(queue.length, 5);
  assert.equal(queue.peek(), 0);
  assert.deepEqual([queue.shift(), queue.shift()], [0, 1]);
  assert.equal(queue.length, 3);
});

Deno.test("compaction keeps order and length across thousands of items", () => {
  const queue = new Queue<number>();
  let next = 0, expected = 0;
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 1500; i++) queue.push(next++);
    for (let i = 0; i < 1200; i++) assert.equal(queue.shift(), expected++);
    assert.equal(queue.length, next - expected);
  }
});

Deno.test("remove takes out one item (a timed-out operation), drain empties", () => {
  const queue = new Queue<{ id: number }>();
  const items = [{ id: 1 }, { id: 2 }, { id: 3 }];
  for (const item of items) queue.push(item);
  queue.shift();
  assert.equal(queue.remove(items[0]), false); // already shifted
  assert.equal(queue.remove(items[2]), true);
  assert.equal(queue.remove(items[2]), false);
  assert.equal(queue.length, 1);
  assert.deepEqual(queue.drain(), [items[1]]);
  assert.equal(queue.length, 0);
  queue.push(items[0]);
  assert.equal(queue.shift(), items[0]);
});
