/**
 * Encoding option values for libzmq, remembering the values of write-only
 * options, and defining the option properties of socket and context classes
 * from the tables in `options.ts`.
 *
 * @module
 */

import type { OptionSpec } from "./options.ts";
import { ZmqError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MECHANISMS = ["null", "plain", "curve", "gssapi"] as const;

/** The object option properties read and write through. */
export interface OptionTarget {
  [optionGet](name: string, spec: OptionSpec): unknown;
  [optionSet](name: string, spec: OptionSpec, value: unknown): void;
}
/** Symbol of the internal option getter of sockets. */
export const optionGet: unique symbol = Symbol("optionGet");
/** Symbol of the internal option setter of sockets. */
export const optionSet: unique symbol = Symbol("optionSet");

function badType(name: string, expected: string, value: unknown): TypeError {
  const got = value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value;
  return new TypeError(`Option "${name}" expects ${expected}, got ${got}`);
}

function outOfRange(name: string, value: unknown, range: string): ZmqError {
  return new ZmqError(
    "EINVAL",
    0,
    `Value ${value} is out of range (${range})`,
    {
      option: name,
    },
  );
}

// Values of write-only options (libzmq cannot read them back), per socket or
// context. A map is made on the first such write only: most sockets have none
// (each empty Map costs an idle socket ~0.2 KB).
const writtenValues = new WeakMap<object, Map<string, unknown>>();

/** The value last written to a write-only option of `owner` (undefined before any). */
export function writtenValue(owner: object, name: string): unknown {
  return writtenValues.get(owner)?.get(name);
}

/** After libzmq took a value: remembers it if the option is write-only. */
export function noteWritten(
  owner: object,
  name: string,
  spec: OptionSpec,
  value: unknown,
): void {
  if (spec.access !== "w") return;
  let values = writtenValues.get(owner);
  if (!values) writtenValues.set(owner, values = new Map());
  values.set(name, value);
}

/** Encodes a JS value as the bytes libzmq expects for an option; throws on a wrong type. */
export function encodeOption(
  name: string,
  spec: OptionSpec,
  value: unknown,
): Uint8Array {
  switch (spec.type) {
    case "int":
    case "bool": {
      let n: number;
      if (spec.type === "bool") {
        if (typeof value !== "boolean") throw badType(name, "a boolean", value);
        n = value ? 1 : 0;
      } else {
        if (typeof value !== "number" || !Number.isInteger(value)) {
          throw badType(name, "an integer", value);
        }
        if (value < INT32_MIN || value > INT32_MAX) {
          throw outOfRange(name, value, "32-bit integer");
        }
        n = value;
      }
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setInt32(0, n, true);
      return bytes;
    }
    case "int64":
    case "uint64": {
      if (
        !(typeof value === "bigint" ||
          (typeof value === "number" && Number.isInteger(value)))
      ) {
        throw badType(name, "an integer or bigint", value);
      }
      const big = BigInt(value);
      const bytes = new Uint8Array(8);
      const view = new DataView(bytes.buffer);
      if (spec.type === "int64") {
        if (big < -(2n ** 63n) || big >= 2n ** 63n) {
          throw outOfRange(name, value, "64-bit integer");
        }
        view.setBigInt64(0, big, true);
      } else {
        if (big < 0n || big >= 2n ** 64n) {
          throw outOfRange(name, value, "unsigned 64-bit integer");
        }
        view.setBigUint64(0, big, true);
      }
      return bytes;
    }
    case "string":
      if (typeof value !== "string") throw badType(name, "a string", value);
      return encoder.encode(value);
    case "bytes":
    case "key":
      if (typeof value === "string") return encoder.encode(value);
      if (value instanceof Uint8Array) return value;
      throw badType(name, "a string or Uint8Array", value);
    case "mechanism":
      throw new TypeError(`Option "${name}" is read-only`);
  }
}

/** Size of the buffer to read an option of this type into. */
export function readBufferSize(spec: OptionSpec): number {
  switch (spec.type) {
    case "int":
    case "bool":
    case "mechanism":
      return 4;
    case "int64":
    case "uint64":
      return 8;
    case "key":
      return 41; // Z85 text plus NUL
    default:
      return 1024;
  }
}

/** Decodes the `length` bytes libzmq wrote for an option. */
export function decodeOption(
  spec: OptionSpec,
  bytes: Uint8Array,
  length: number,
): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (spec.type) {
    case "int":
      return view.getInt32(0, true);
    case "bool":
      return view.getInt32(0, true) !== 0;
    case "mechanism":
      return MECHANISMS[view.getInt32(0, true)] ?? "null";
    case "int64":
      return Number(view.getBigInt64(0, true));
    case "uint64":
      return Number(view.getBigUint64(0, true));
    case "string":
    case "key": {
      // libzmq counts the terminating NUL in the length of string options.
      const end = length > 0 && bytes[length - 1] === 0 ? length - 1 : length;
      return decoder.decode(bytes.subarray(0, end));
    }
    case "bytes":
      return bytes.slice(0, length);
  }
}

/** Defines one accessor property per option of `table` on `prototype`. */
export function defineOptions(
  prototype: OptionTarget,
  table: Readonly<Record<string, OptionSpec>>,
): void {
  for (const [name, spec] of Object.entries(table)) {
    Object.defineProperty(prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: OptionTarget) {
        return this[optionGet](name, spec);
      },
      set: spec.access === "r"
        ? undefined
        : function (this: OptionTarget, value: unknown) {
          this[optionSet](name, spec, value);
        },
    });
  }
}
