// Option values to libzmq bytes and back (src/option_access.ts), and the
// accessor properties generated from an option table.
import assert from "node:assert/strict";
import {
  decodeOption,
  defineOptions,
  encodeOption,
  noteWritten,
  optionGet,
  optionSet,
  readBufferSize,
  writtenValue,
} from "../../src/option_access.ts";
import type { OptionSpec } from "../../src/options.ts";
import { ZmqError } from "../../src/errors.ts";

const spec = (type: OptionSpec["type"], access: OptionSpec["access"] = "rw") =>
  ({ id: 1, type, access }) as OptionSpec;

function roundTrip(type: OptionSpec["type"], value: unknown): unknown {
  const s = spec(type);
  const bytes = encodeOption("x", s, value);
  const into = new Uint8Array(readBufferSize(s));
  into.set(bytes);
  return decodeOption(s, into, bytes.length);
}

Deno.test("values round-trip through their libzmq encoding", () => {
  assert.equal(roundTrip("int", -5), -5);
  assert.equal(roundTrip("int", 2 ** 31 - 1), 2 ** 31 - 1);
  assert.equal(roundTrip("bool", true), true);
  assert.equal(roundTrip("bool", false), false);
  assert.equal(roundTrip("int64", -(2 ** 40)), -(2 ** 40));
  assert.equal(roundTrip("uint64", 2n ** 52n), 2 ** 52);
  assert.equal(roundTrip("string", "héllo"), "héllo");
  assert.deepEqual(
    roundTrip("bytes", new Uint8Array([0, 1, 2])),
    new Uint8Array([0, 1, 2]),
  );
  assert.deepEqual(
    [...encodeOption("x", spec("int"), 1)],
    [1, 0, 0, 0], // little-endian int32
  );
});

Deno.test("strings drop the NUL libzmq counts; mechanisms decode by name", () => {
  const s = spec("string");
  const bytes = new Uint8Array([104, 105, 0, 0]);
  assert.equal(decodeOption(s, bytes, 3), "hi");
  const m = spec("mechanism", "r");
  const curve = new Uint8Array(4);
  curve[0] = 2;
  assert.equal(decodeOption(m, curve, 4), "curve");
  curve[0] = 9;
  assert.equal(decodeOption(m, curve, 4), "null");
  assert.equal(readBufferSize(spec("key")), 41);
});

Deno.test("wrong types throw TypeError, out-of-range values ZmqError EINVAL", () => {
  assert.throws(() => encodeOption("linger", spec("int"), "5"), TypeError);
  assert.throws(() => encodeOption("linger", spec("int"), 1.5), TypeError);
  assert.throws(() => encodeOption("ipv6", spec("bool"), 1), TypeError);
  assert.throws(() => encodeOption("s", spec("string"), null), /got null/);
  assert.throws(
    () => encodeOption("m", spec("mechanism", "r"), "curve"),
    TypeError,
  );
  for (
    const [type, value] of [
      ["int", 2 ** 31],
      ["uint64", -1],
      ["int64", 2n ** 63n],
    ] as const
  ) {
    assert.throws(
      () => encodeOption("x", spec(type), value),
      (err: unknown) =>
        err instanceof ZmqError && err.code === "EINVAL" && err.option === "x",
    );
  }
});

Deno.test("defineOptions makes read-write and read-only accessors", () => {
  const calls: string[] = [];
  class Target {
    [optionGet](name: string) {
      calls.push(`get ${name}`);
      return 7;
    }
    [optionSet](name: string, _spec: OptionSpec, value: unknown) {
      calls.push(`set ${name}=${value}`);
    }
  }
  defineOptions(Target.prototype, {
    linger: spec("int"),
    type: spec("int", "r"),
  });
  const target = new Target() as Target & { linger: number; type: number };
  target.linger = 3;
  assert.equal(target.linger, 7);
  assert.throws(() => {
    "use strict";
    target.type = 1;
  }, TypeError);
  assert.deepEqual(calls, ["set linger=3", "get linger"]);
  assert.ok(!Object.keys(target).includes("linger"));
});

Deno.test("write-only values are remembered per owner; readable ones are not", () => {
  const socket = {}, context = {};
  assert.equal(writtenValue(socket, "conflate"), undefined);
  noteWritten(socket, "conflate", spec("bool", "w"), true);
  noteWritten(socket, "linger", spec("int", "rw"), 5);
  noteWritten(context, "conflate", spec("bool", "w"), false);
  assert.equal(writtenValue(socket, "conflate"), true);
  assert.equal(writtenValue(socket, "linger"), undefined, "libzmq reads it");
  assert.equal(writtenValue(context, "conflate"), false);
});
