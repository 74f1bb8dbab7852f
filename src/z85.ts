/**
 * Z85, ZeroMQ's printable encoding of binary keys (ZeroMQ RFC 32): every 4
 * bytes become 5 characters.
 *
 * @module
 */

const ALPHABET =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes bytes as Z85. The length must be a multiple of 4 (CURVE keys are 32
 * bytes, giving 40 characters).
 *
 * @example
 * ```ts
 * import { z85Encode } from "@deno-zmq/zmq";
 * z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])); // "HelloWorld"
 * ```
 */
export function z85Encode(data: Uint8Array): string {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError("z85Encode expects a Uint8Array");
  }
  if (data.length % 4 !== 0) {
    throw new RangeError(
      `Z85 encodes whole 4-byte groups: got ${data.length} bytes`,
    );
  }
  let out = "";
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) |
      data[i + 3]) >>> 0;
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = ALPHABET[value % 85];
      value = Math.floor(value / 85);
    }
    out += chunk.join("");
  }
  return out;
}

/**
 * Decodes Z85 text. The length must be a multiple of 5, with only Z85
 * characters; anything else throws a RangeError saying what is wrong.
 *
 * @example
 * ```ts
 * import { z85Decode } from "@deno-zmq/zmq";
 * z85Decode("HelloWorld"); // Uint8Array [0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]
 * ```
 */
export function z85Decode(text: string): Uint8Array {
  if (typeof text !== "string") {
    throw new TypeError("z85Decode expects a string");
  }
  if (text.length % 5 !== 0) {
    throw new RangeError(
      `Z85 decodes whole 5-character groups: got ${text.length} characters`,
    );
  }
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? DECODE[code] : -1;
      if (digit < 0) {
        throw new RangeError(
          `Invalid Z85 character ${JSON.stringify(text[i + j])} at ${i + j}`,
        );
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new RangeError(`Invalid Z85 group at ${i}: value too large`);
    }
    out[o] = value >>> 24;
    out[o + 1] = (value >>> 16) & 0xff;
    out[o + 2] = (value >>> 8) & 0xff;
    out[o + 3] = value & 0xff;
  }
  return out;
}
