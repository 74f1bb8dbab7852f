// ZRE v2 codec and beacons, byte for byte against rfc.zeromq.org 36/ZRE.
//
// Expected bytes are written out by hand from the RFC's grammar:
//   signature %xAA %xA1, command id, version %d2, sequence (2 octets, network
//   order); string = 1-octet length + octets; longstr = 4-octet length +
//   octets; strings = 4-octet count + longstr each; dictionary = 4-octet count
//   + (string name, longstr value) each; content = the frames that follow.
import assert from "node:assert/strict";
import {
  decodeBeacon,
  decodeMessage,
  encodeBeacon,
  encodeMessage,
  ZreDecodeError,
  type ZreMessage,
} from "../src/zyre/mod.ts";

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const bytes = (...parts: (number | number[])[]) => new Uint8Array(parts.flat());

interface Case {
  message: ZreMessage;
  frames: Uint8Array[];
}

const cases: Record<string, Case> = {
  HELLO: {
    message: {
      command: "HELLO",
      sequence: 1,
      endpoint: "tcp://1.2.3.4:5",
      groups: ["G1", "grp"],
      status: 7,
      name: "node",
      headers: { "X-A": "b", K: "" },
    },
    frames: [bytes(
      0xaa,
      0xa1, // signature
      1, // HELLO
      2, // version
      0x00,
      0x01, // sequence 1
      15,
      ascii("tcp://1.2.3.4:5"), // endpoint: string
      [0, 0, 0, 2], // groups: strings, count 2
      [0, 0, 0, 2],
      ascii("G1"), // longstr
      [0, 0, 0, 3],
      ascii("grp"),
      7, // status
      4,
      ascii("node"), // name: string
      [0, 0, 0, 2], // headers: dictionary, 2 pairs
      3,
      ascii("X-A"), // name: string
      [0, 0, 0, 1],
      ascii("b"), // value: longstr
      1,
      ascii("K"),
      [0, 0, 0, 0], // empty value
    )],
  },
  "HELLO (empty lists)": {
    message: {
      command: "HELLO",
      sequence: 1,
      endpoint: "",
      groups: [],
      status: 0,
      name: "",
      headers: {},
    },
    frames: [
      bytes(0xaa, 0xa1, 1, 2, 0, 1, 0, [0, 0, 0, 0], 0, 0, [0, 0, 0, 0]),
    ],
  },
  WHISPER: {
    message: {
      command: "WHISPER",
      sequence: 0x1234,
      content: [bytes(ascii("hi")), bytes(), bytes(0, 255)],
    },
    frames: [
      bytes(0xaa, 0xa1, 2, 2, 0x12, 0x34),
      bytes(ascii("hi")),
      bytes(),
      bytes(0, 255),
    ],
  },
  "WHISPER (no content)": {
    message: { command: "WHISPER", sequence: 2, content: [] },
    frames: [bytes(0xaa, 0xa1, 2, 2, 0, 2)],
  },
  SHOUT: {
    message: {
      command: "SHOUT",
      sequence: 0xfffe,
      group: "GLOBAL",
      content: [bytes(ascii("a")), bytes(ascii("bc"))],
    },
    frames: [
      bytes(0xaa, 0xa1, 3, 2, 0xff, 0xfe, 6, ascii("GLOBAL")),
      bytes(ascii("a")),
      bytes(ascii("bc")),
    ],
  },
  JOIN: {
    message: { command: "JOIN", sequence: 3, group: "chat", status: 1 },
    frames: [bytes(0xaa, 0xa1, 4, 2, 0, 3, 4, ascii("chat"), 1)],
  },
  LEAVE: {
    message: { command: "LEAVE", sequence: 0x0100, group: "chat", status: 255 },
    frames: [bytes(0xaa, 0xa1, 5, 2, 1, 0, 4, ascii("chat"), 255)],
  },
  PING: {
    message: { command: "PING", sequence: 9 },
    frames: [bytes(0xaa, 0xa1, 6, 2, 0, 9)],
  },
  PING_OK: {
    message: { command: "PING_OK", sequence: 0xffff },
    frames: [bytes(0xaa, 0xa1, 7, 2, 0xff, 0xff)],
  },
};

for (const [name, { message, frames }] of Object.entries(cases)) {
  Deno.test(`codec: ${name} encodes to the RFC layout and decodes back`, () => {
    assert.deepEqual(encodeMessage(message), frames);
    assert.deepEqual(decodeMessage(frames), message);
  });
}

Deno.test("codec: UTF-8 strings, 255-byte string limit, 4-byte longstr lengths", () => {
  const group = "é".repeat(127); // 254 bytes
  const [frame] = encodeMessage({
    command: "JOIN",
    sequence: 1,
    group,
    status: 0,
  });
  assert.equal(frame[6], 254);
  assert.equal((decodeMessage([frame]) as { group: string }).group, group);
  assert.throws(
    () =>
      encodeMessage({
        command: "JOIN",
        sequence: 1,
        group: "x".repeat(256),
        status: 0,
      }),
    RangeError,
  );
  assert.throws(
    () => encodeMessage({ command: "PING", sequence: 65536 }),
    RangeError,
  );
  assert.throws(
    () => encodeMessage({ command: "PING", sequence: -1 }),
    RangeError,
  );
  assert.throws(
    () =>
      encodeMessage({ command: "JOIN", sequence: 1, group: "g", status: 256 }),
    RangeError,
  );
  // A header value longer than 255 bytes is fine: it is a longstr.
  const long = "v".repeat(70000);
  const [hello] = encodeMessage({
    command: "HELLO",
    sequence: 1,
    endpoint: "e",
    groups: [long],
    status: 0,
    name: "n",
    headers: { k: long },
  });
  // groups count, then longstr length 70000 = 0x00011170
  assert.deepEqual([...hello.subarray(8, 16)], [0, 0, 0, 1, 0, 1, 0x11, 0x70]);
  const decoded = decodeMessage([hello]) as { headers: Record<string, string> };
  assert.equal(decoded.headers.k, long);
});

Deno.test("codec: malformed messages give ZreDecodeError with a reason", () => {
  const reason = (frames: Uint8Array[]) => {
    try {
      decodeMessage(frames);
    } catch (err) {
      assert.ok(err instanceof ZreDecodeError, String(err));
      return err.reason;
    }
    return "decoded";
  };
  assert.equal(reason([]), "empty");
  assert.equal(reason([bytes()]), "signature");
  assert.equal(reason([bytes(0xaa, 0xa0, 6, 2, 0, 1)]), "signature"); // ZRE v1 signature
  assert.equal(reason([bytes(0xaa, 0xa1, 6, 1, 0, 1)]), "version");
  assert.equal(reason([bytes(0xaa, 0xa1, 6, 3, 0, 1)]), "version");
  assert.equal(reason([bytes(0xaa, 0xa1, 6, 2, 0)]), "truncated");
  assert.equal(reason([bytes(0xaa, 0xa1, 6, 2, 0, 1, 0)]), "trailing");
  assert.equal(reason([bytes(0xaa, 0xa1, 6, 2, 0, 1), bytes()]), "trailing");
  assert.equal(
    reason([bytes(0xaa, 0xa1, 4, 2, 0, 1, 5, ascii("ab"))]),
    "truncated",
  );
  // HELLO claiming 2^32-1 groups in a short frame.
  assert.equal(
    reason([bytes(0xaa, 0xa1, 1, 2, 0, 1, 0, [0xff, 0xff, 0xff, 0xff])]),
    "truncated",
  );
  let unknown: ZreDecodeError | undefined;
  try {
    decodeMessage([bytes(0xaa, 0xa1, 10, 2, 0, 42)]); // GOODBYE of later zyre
  } catch (err) {
    unknown = err as ZreDecodeError;
  }
  assert.equal(unknown?.reason, "command");
  assert.equal(unknown?.sequence, 42);
  assert.equal(unknown?.commandId, 10);
});

/** A small deterministic PRNG (xorshift32), so failures can be replayed. */
function random(seed: number) {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

Deno.test("codec: fuzzed input never throws anything but ZreDecodeError", () => {
  const rand = random(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const valid = Object.values(cases).map((c) => c.frames);
  let decoded = 0, rejected = 0;
  const tryDecode = (frames: Uint8Array[]) => {
    try {
      const message = decodeMessage(frames);
      decoded++;
      // Whatever decodes survives a round trip (invalid UTF-8 was replaced
      // by U+FFFD, so the bytes themselves may differ).
      assert.deepEqual(decodeMessage(encodeMessage(message)), message);
    } catch (err) {
      if (!(err instanceof ZreDecodeError)) throw err;
      rejected++;
    }
  };
  for (let i = 0; i < 20000; i++) {
    const base = valid[int(valid.length)];
    const first = base[0];
    let frame: Uint8Array;
    switch (i % 4) {
      case 0: // random bytes after a valid header
        frame = bytes(
          0xaa,
          0xa1,
          int(9),
          rand() < 0.9 ? 2 : int(256),
          int(256),
          int(256),
        );
        frame = new Uint8Array([
          ...frame,
          ...Array.from({ length: int(40) }, () => int(256)),
        ]);
        break;
      case 1: // truncated
        frame = first.slice(0, int(first.length + 1));
        break;
      case 2: { // mutated bytes
        frame = first.slice();
        for (let n = 1 + int(4); n > 0; n--) {
          frame[int(frame.length)] = int(256);
        }
        break;
      }
      default: // fully random
        frame = new Uint8Array(Array.from({ length: int(64) }, () => int(256)));
    }
    tryDecode([frame, ...base.slice(1)]);
  }
  assert.ok(
    decoded > 0 && rejected > 0,
    `${decoded} decoded, ${rejected} rejected`,
  );
});

Deno.test("beacon: 'Z' 'R' 'E' %x01, 16-byte UUID, 2-byte port in network order", () => {
  const uuid = new Uint8Array(16).map((_, i) => i + 1);
  const beacon = encodeBeacon(uuid, 0xc0de);
  assert.deepEqual(
    beacon,
    bytes(0x5a, 0x52, 0x45, 0x01, [...uuid], 0xc0, 0xde),
  );
  assert.deepEqual(decodeBeacon(beacon), { uuid, port: 0xc0de });
  // Port 0: the node leaves.
  assert.deepEqual(encodeBeacon(uuid, 0).subarray(20), bytes(0, 0));
  assert.equal(decodeBeacon(encodeBeacon(uuid, 0))?.port, 0);
  // Invalid beacons: wrong size, header or version.
  assert.equal(decodeBeacon(beacon.subarray(0, 21)), null);
  assert.equal(decodeBeacon(bytes([...beacon], 0)), null);
  assert.equal(
    decodeBeacon(bytes(0x5a, 0x52, 0x45, 0x02, [...beacon.subarray(4)])),
    null,
  );
  assert.equal(
    decodeBeacon(bytes(0x5a, 0x52, 0x46, 0x01, [...beacon.subarray(4)])),
    null,
  );
  assert.throws(() => encodeBeacon(new Uint8Array(15), 1), TypeError);
  assert.throws(() => encodeBeacon(uuid, 65536), RangeError);
});
