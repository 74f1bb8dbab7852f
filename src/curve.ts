/**
 * CURVE key pairs, from the libzmq behind a context.
 *
 * @module
 */

import { Context, internals } from "./context.ts";
import { ZmqError } from "./errors.ts";
import { zmqError } from "./last_error.ts";
import { z85Decode, z85Encode as z85EncodeKey } from "./z85.ts";

/** A CURVE key pair as Z85 text (40 characters each). */
export interface CurveKeyPair {
  /** The public key: give it to peers (curveServerKey) or list it in an authenticator. */
  publicKey: string;
  /** The secret key: keep it (curveSecretKey). */
  secretKey: string;
}

function curveBackend(context: Context) {
  const backend = internals(context).backend;
  if (!backend.curveKeypair || !backend.curvePublic || !backend.has("curve")) {
    throw new ZmqError(
      "ENOTSUP",
      backend.errnos.ENOTSUP,
      `CURVE is not available on the ${backend.kind} backend (libzmq built without it)`,
    );
  }
  return backend;
}

/**
 * Generates a new CURVE key pair.
 *
 * @example
 * ```ts
 * import { curveKeyPair, Router } from "@deno-zmq/zmq";
 * const server = curveKeyPair();
 * using router = new Router({ curveServer: true, curveSecretKey: server.secretKey });
 * ```
 */
export function curveKeyPair(context: Context = Context.default): CurveKeyPair {
  const backend = curveBackend(context);
  const pair = backend.curveKeypair!();
  if (!pair) throw zmqError(backend);
  return pair;
}

/**
 * Derives the public key of a CURVE secret key (40 Z85 characters or 32 bytes).
 *
 * @example
 * ```ts
 * import { curveKeyPair, curvePublic } from "@deno-zmq/zmq";
 * const { publicKey, secretKey } = curveKeyPair();
 * console.log(curvePublic(secretKey) === publicKey); // true
 * ```
 */
export function curvePublic(
  secretKey: string | Uint8Array,
  context: Context = Context.default,
): string {
  let text: string;
  if (secretKey instanceof Uint8Array) {
    if (secretKey.length !== 32) {
      throw new RangeError(
        `A CURVE secret key has 32 bytes, got ${secretKey.length}`,
      );
    }
    text = z85EncodeKey(secretKey);
  } else if (typeof secretKey === "string") {
    if (secretKey.length !== 40) {
      throw new RangeError(
        `A Z85 CURVE secret key has 40 characters, got ${secretKey.length}`,
      );
    }
    z85Decode(secretKey); // throws a clear error for invalid characters
    text = secretKey;
  } else {
    throw new TypeError("curvePublic expects a Z85 string or 32 bytes");
  }
  const backend = curveBackend(context);
  const result = backend.curvePublic!(text);
  if (result === null) throw zmqError(backend);
  return result;
}
