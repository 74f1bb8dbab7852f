/**
 * zeromq.js's socket options: its names, value shapes (strings or null,
 * enum names) and the classes that have each, read and written through the
 * raw typed accessors (`getInt32Option(id)`, ...) every socket has, which in
 * turn use the core's option access.
 *
 * @module
 */

import type { OptionSpec, OptionType } from "../options.ts";
import { optionGet, optionSet, type OptionTarget } from "../option_access.ts";
import { toFullError, warn } from "./errors.ts";

/** The raw option types of zeromq.js (`get<Type>Option`). */
export type RawType =
  | "Bool"
  | "Int32"
  | "Uint32"
  | "Int64"
  | "Uint64"
  | "String";

// How each raw type reads and writes through the core.
const CORE_TYPES: Record<RawType, OptionType> = {
  Bool: "bool",
  Int32: "int",
  Uint32: "int",
  Int64: "int64",
  Uint64: "uint64",
  String: "string",
};
// CURVE keys read back only into a 41-byte buffer (Z85) in libzmq.
const KEY_IDS = new Set([48, 49, 50]);
// Options that take effect at once after a bind or connect (zeromq.js's list).
const IMMEDIATE = new Set([
  6,
  7,
  17,
  33,
  51,
  40,
  52,
  53,
  56,
  78,
  23,
  24,
  28,
  27,
]);
const encoder = new TextEncoder();

/** What raw option access needs from a socket. */
export interface RawOptionHost extends OptionTarget {
  /** Whether a set now only takes effect at the next bind or connect. */
  readonly settled?: boolean;
}

function spec(id: number, type: OptionType, access: "r" | "w"): OptionSpec {
  return { id, type, access: access === "r" ? "rw" : "rw" };
}

/** Reads an option by libzmq number and raw type. */
export function getRaw(
  host: RawOptionHost,
  id: number,
  type: RawType,
): unknown {
  if (typeof id !== "number") {
    throw new TypeError("Identifier must be a number");
  }
  const coreType = type === "String" && KEY_IDS.has(id)
    ? "key"
    : CORE_TYPES[type];
  let value: unknown;
  try {
    value = host[optionGet](`option ${id}`, spec(id, coreType, "r"));
  } catch (err) {
    throw toFullError(err);
  }
  if (type === "Uint32") return (value as number) >>> 0;
  if (type === "String") return value === "" ? null : value;
  return value;
}

/** Writes an option by libzmq number and raw type, with zeromq.js's checks and warnings. */
export function setRaw(
  host: RawOptionHost,
  id: number,
  type: RawType,
  value: unknown,
): void {
  if (typeof id !== "number") {
    throw new TypeError("Identifier must be a number");
  }
  let coreValue: unknown = value;
  let coreType = CORE_TYPES[type];
  switch (type) {
    case "Bool":
      if (typeof value !== "boolean") {
        throw new TypeError("Option value must be a boolean");
      }
      break;
    case "String":
      if (value === null || value === undefined) {
        coreValue = new Uint8Array(0);
      } else if (typeof value === "string") {
        coreValue = encoder.encode(value);
      } else if (!(value instanceof Uint8Array)) {
        throw new TypeError("Option value must be a string or buffer");
      }
      coreType = "bytes";
      break;
    default: {
      if (typeof value !== "number") {
        throw new TypeError("Option value must be a number");
      }
      if (type === "Uint64" || type === "Int64") {
        if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
          warn(
            "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.",
          );
        }
        // Clamp as a C cast of a double would.
        const max = type === "Uint64" ? 2n ** 64n - 1n : 2n ** 63n - 1n;
        const min = type === "Uint64" ? 0n : -(2n ** 63n);
        let big = BigInt(Math.trunc(value));
        if (big > max) big = max;
        if (big < min) big = min;
        coreValue = big;
      } else {
        coreValue = type === "Uint32" ? value | 0 : Math.trunc(value) | 0;
      }
    }
  }
  if (host.settled && !IMMEDIATE.has(id)) {
    warn("Socket option will not take effect until next connect/bind.");
  }
  try {
    host[optionSet](`option ${id}`, spec(id, coreType, "w"), coreValue);
  } catch (err) {
    throw toFullError(err);
  }
}

/** How a zeromq.js option property reads and writes. */
export interface OptionDef {
  readonly id: number;
  readonly type: RawType;
  /** Read ("r"), write ("w") or both (default). */
  readonly access?: "r" | "w" | "rw";
  /** Enum options: the names of the values 0, 1, 2, ... */
  readonly values?: readonly (string | null)[];
}

/** What a class defining option properties offers. */
interface RawAccessors {
  [key: string]: unknown;
}

/**
 * Defines an option property on a prototype, reading and writing through its
 * `get<Type>Option` / `set<Type>Option` methods. Read-only ones throw
 * zeromq.js's TypeError when set.
 */
export function defineOption(
  prototype: object,
  className: string,
  name: string,
  def: OptionDef,
): void {
  if (Object.prototype.hasOwnProperty.call(prototype, name)) return;
  const { id, type, access = "rw", values } = def;
  const getter = `get${type}Option`, setter = `set${type}Option`;
  Object.defineProperty(prototype, name, {
    configurable: true,
    enumerable: false,
    get: access === "w" ? undefined : function (this: RawAccessors) {
      const raw = (this[getter] as (id: number) => unknown).call(this, id);
      return values ? values[raw as number] : raw;
    },
    set: function (this: RawAccessors, value: unknown) {
      if (access === "r") {
        throw new TypeError(
          `Cannot set property ${name} of #<${className}> which has only a getter`,
        );
      }
      const raw = values ? values.indexOf(value as string) : value;
      (this[setter] as (id: number, v: unknown) => void).call(this, id, raw);
    },
  });
}

/**
 * Applies constructor options the way zeromq.js does (`Object.assign` onto a
 * sealed object), with its error messages.
 */
export function assignOptions(
  target: object,
  className: string,
  options: Record<string, unknown>,
): void {
  for (const [name, value] of Object.entries(options)) {
    let proto: object | null = target;
    let found: PropertyDescriptor | undefined;
    while (proto && !found) {
      found = Object.getOwnPropertyDescriptor(proto, name);
      proto = Object.getPrototypeOf(proto);
    }
    if (!found) {
      throw new TypeError(
        `Cannot add property ${name}, object is not extensible`,
      );
    }
    if (found.get && !found.set) {
      throw new TypeError(
        `Cannot set property ${name} of #<${className}> which has only a getter`,
      );
    }
    (target as Record<string, unknown>)[name] = value;
  }
}
