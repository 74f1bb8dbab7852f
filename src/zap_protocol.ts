/**
 * The ZAP wire format (ZeroMQ RFC 27), as pure functions: the frames of a
 * request as a ROUTER receives them, decoded; the frames of a reply.
 *
 * @module
 */

import type { Frame } from "./message.ts";
import { z85Encode } from "./z85.ts";
import type { ZapRequest } from "./zap.ts";

/** The ZAP version this library speaks. */
export const ZAP_VERSION = "1.0";

const decoder = new TextDecoder();

/** What a ROUTER's frames turned out to be. */
export type ParsedZap =
  /** Not a request (no empty delimiter): there is no way to answer. */
  | { readonly kind: "ignored" }
  /** A request with a bad version or too few frames: answer 500. */
  | {
    readonly kind: "malformed";
    readonly routingId: Uint8Array;
    readonly requestId: Uint8Array | null;
  }
  /** A request. */
  | {
    readonly kind: "request";
    readonly routingId: Uint8Array;
    readonly request: ZapRequest;
  };

/**
 * Decodes `[routingId, "", version, requestId, domain, address, identity,
 * mechanism, ...credentials]`, with the mechanism's credentials by name
 * (PLAIN username/password, CURVE public key as Z85, GSSAPI principal).
 */
export function parseZapRequest(frames: Uint8Array[]): ParsedZap {
  if (frames.length < 3 || frames[1].length !== 0) return { kind: "ignored" };
  const [routingId, , version, requestId] = frames;
  if (decoder.decode(version) !== ZAP_VERSION || frames.length < 8) {
    return { kind: "malformed", routingId, requestId: requestId ?? null };
  }
  const [domain, address, identity, mechanism, ...credentials] = frames
    .slice(4);
  const request: ZapRequest = {
    domain: decoder.decode(domain),
    address: decoder.decode(address),
    identity,
    mechanism: decoder.decode(mechanism),
    credentials,
    requestId,
  };
  if (request.mechanism === "PLAIN" && credentials.length === 2) {
    request.username = decoder.decode(credentials[0]);
    request.password = decoder.decode(credentials[1]);
  } else if (
    request.mechanism === "CURVE" && credentials.length === 1 &&
    credentials[0].length === 32
  ) {
    request.publicKey = z85Encode(credentials[0]);
  } else if (request.mechanism === "GSSAPI" && credentials.length === 1) {
    request.principal = decoder.decode(credentials[0]);
  }
  return { kind: "request", routingId, request };
}

/** The frames of a reply: `[routingId, "", version, requestId, status, text, userId, metadata]`. */
export function zapReply(
  routingId: Uint8Array,
  requestId: Uint8Array | null,
  status: string,
  statusText: string,
  userId = "",
): Frame[] {
  return [
    routingId,
    null,
    ZAP_VERSION,
    requestId,
    status,
    statusText,
    userId,
    null,
  ];
}
