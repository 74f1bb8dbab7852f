// Z85 (ZeroMQ RFC 32): the RFC's test vector, round trips, and bad input.
import assert from "node:assert/strict";
import { z85Decode, z85Encode } from "../../src/z85.ts";

const HELLO = new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);

Deno.test("the RFC 32 vector: 8 bytes are HelloWorld", () => {
  assert.equal(z85Encode(HELLO), "HelloWorld");
  assert.deepEqual(z85Decode("HelloWorld"), HELLO);
});

Deno.test("every 32-byte key round-trips through 40 characters", () => {
  for (let i = 0; i < 200; i++) {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const text = z85Encode(key);
    assert.equal(text.length, 40);
    assert.deepEqual(z85Decode(text), key);
  }
  assert.equal(z85Encode(new Uint8Array(4).fill(255)), "%nSc0");
  assert.deepEqual(z85Decode("%nSc0"), new Uint8Array(4).fill(255));
});

Deno.test("bad input throws TypeError or RangeError, never garbage", () => {
  assert.throws(() => z85Encode("abcd" as never), TypeError);
  assert.throws(() => z85Encode(new Uint8Array(3)), RangeError);
  assert.throws(() => z85Decode(42 as never), TypeError);
  assert.throws(() => z85Decode("Hell"), RangeError); // not a multiple of 5
  assert.throws(() => z85Decode("Hell\u00e9"), RangeError); // outside the alphabet
  assert.throws(() => z85Decode("#####"), RangeError); // above 2^32 - 1
});
