// The socket type table (src/socket_types.ts): numbers, names, peer rules.
import assert from "node:assert/strict";
import {
  canTalk,
  DraftSocketType,
  isDraftType,
  SocketType,
  socketTypeKey,
  typeName,
  worksOverInproc,
} from "../../src/socket_types.ts";

const all = { ...SocketType, ...DraftSocketType };

Deno.test("socket type numbers are libzmq's, each once", () => {
  const numbers = Object.values(all);
  assert.deepEqual(numbers, [...numbers.keys()]); // 0..20, in order
  assert.equal(SocketType.Push, 8);
  assert.equal(DraftSocketType.Channel, 20);
  for (const [key, type] of Object.entries(all)) {
    assert.equal(socketTypeKey(type), key);
    assert.equal(isDraftType(type), key in DraftSocketType);
  }
  assert.equal(socketTypeKey(99), undefined);
});

Deno.test("typeName gives ZMTP names", () => {
  assert.equal(typeName(SocketType.XPublisher), "XPUB");
  assert.equal(typeName(DraftSocketType.Datagram), "DGRAM");
  assert.equal(typeName(42), "type 42");
});

Deno.test("peer rules are symmetric and match ZMTP", () => {
  for (const a of Object.values(all)) {
    for (const b of Object.values(all)) {
      assert.equal(
        canTalk(a, b),
        canTalk(b, a),
        `${typeName(a)}-${typeName(b)}`,
      );
    }
  }
  assert.ok(canTalk(SocketType.Request, SocketType.Router));
  assert.ok(!canTalk(SocketType.Request, SocketType.Request));
  assert.ok(canTalk(DraftSocketType.Peer, DraftSocketType.Peer));
  assert.ok(!worksOverInproc(SocketType.Stream));
  assert.ok(!worksOverInproc(DraftSocketType.Datagram));
  assert.ok(worksOverInproc(SocketType.Pair));
  assert.ok(!canTalk(99, SocketType.Pair));
});
