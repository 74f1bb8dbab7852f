// ZAP requests and replies (src/zap_protocol.ts), frame by frame (RFC 27).
import assert from "node:assert/strict";
import { parseZapRequest, zapReply } from "../../src/zap_protocol.ts";
import { z85Encode } from "../../src/z85.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const EMPTY = new Uint8Array(0);
const ROUTING = new Uint8Array([0, 1, 2, 3, 4]);
const ID = enc("7");

function request(mechanism: string, ...credentials: Uint8Array[]) {
  return [
    ROUTING,
    EMPTY,
    enc("1.0"),
    ID,
    enc("global"),
    enc("127.0.0.1"),
    enc("peer"),
    enc(mechanism),
    ...credentials,
  ];
}

Deno.test("PLAIN, CURVE, GSSAPI and NULL requests decode with their credentials", () => {
  const plain = parseZapRequest(request("PLAIN", enc("admin"), enc("secret")));
  assert.equal(plain.kind, "request");
  if (plain.kind !== "request") return;
  assert.deepEqual(plain.routingId, ROUTING);
  assert.equal(plain.request.domain, "global");
  assert.equal(plain.request.address, "127.0.0.1");
  assert.deepEqual(plain.request.identity, enc("peer"));
  assert.deepEqual(plain.request.requestId, ID);
  assert.equal(plain.request.username, "admin");
  assert.equal(plain.request.password, "secret");

  const key = crypto.getRandomValues(new Uint8Array(32));
  const curve = parseZapRequest(request("CURVE", key));
  assert.ok(curve.kind === "request");
  assert.equal(curve.request.publicKey, z85Encode(key));

  const gssapi = parseZapRequest(request("GSSAPI", enc("alice@EXAMPLE")));
  assert.ok(gssapi.kind === "request");
  assert.equal(gssapi.request.principal, "alice@EXAMPLE");

  const none = parseZapRequest(request("NULL"));
  assert.ok(none.kind === "request");
  assert.deepEqual(none.request.credentials, []);
  assert.equal(none.request.username, undefined);
});

Deno.test("odd credentials stay raw; a short CURVE key has no publicKey", () => {
  const parsed = parseZapRequest(request("CURVE", new Uint8Array(31)));
  assert.ok(parsed.kind === "request");
  assert.equal(parsed.request.publicKey, undefined);
  assert.equal(parsed.request.credentials.length, 1);
  const plain = parseZapRequest(request("PLAIN", enc("only-user")));
  assert.ok(plain.kind === "request");
  assert.equal(plain.request.username, undefined);
});

Deno.test("malformed requests are answered; non-requests are ignored", () => {
  assert.deepEqual(parseZapRequest([ROUTING]), { kind: "ignored" });
  assert.deepEqual(parseZapRequest([ROUTING, enc("x"), enc("1.0")]), {
    kind: "ignored",
  });
  const wrongVersion = request("NULL");
  wrongVersion[2] = enc("2.0");
  assert.deepEqual(parseZapRequest(wrongVersion), {
    kind: "malformed",
    routingId: ROUTING,
    requestId: ID,
  });
  assert.deepEqual(parseZapRequest([ROUTING, EMPTY, enc("1.0")]), {
    kind: "malformed",
    routingId: ROUTING,
    requestId: null,
  });
});

Deno.test("replies carry version, request id, status, text, user id, empty metadata", () => {
  assert.deepEqual(zapReply(ROUTING, ID, "200", "OK", "admin"), [
    ROUTING,
    null,
    "1.0",
    ID,
    "200",
    "OK",
    "admin",
    null,
  ]);
  assert.equal(zapReply(ROUTING, null, "500", "Malformed ZAP request")[6], "");
});
