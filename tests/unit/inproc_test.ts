// The inproc registry of a context (src/inproc.ts): type checks before libzmq
// sees a call, deferred connects, and forgetting closed sockets.
import assert from "node:assert/strict";
import { InprocRegistry } from "../../src/inproc.ts";
import { LINUX_ERRNOS } from "../../ffi/errnos.ts";
import { DraftSocketType, SocketType } from "../../src/socket_types.ts";

const errnos = LINUX_ERRNOS;

Deno.test("incompatible types meeting on a name fail with ENOCOMPATPROTO", () => {
  const registry = new InprocRegistry();
  const pull = {}, req = {};
  registry.check("bind", "inproc://a", SocketType.Pull, errnos);
  registry.bound("inproc://a", pull, SocketType.Pull);
  assert.ok(registry.isBound("inproc://a"));
  registry.check("connect", "inproc://a", SocketType.Push, errnos);
  assert.throws(
    () => registry.check("connect", "inproc://a", SocketType.Request, errnos),
    { code: "ENOCOMPATPROTO", errno: errnos.ENOCOMPATPROTO },
  );
  // And the other way: a bind meeting a deferred connect of the wrong type.
  registry.defer("inproc://b", req, SocketType.Request, () => {});
  assert.throws(
    () => registry.check("bind", "inproc://b", SocketType.Pull, errnos),
    /cannot talk to the REQ socket waiting to connect/,
  );
  registry.check("bind", "inproc://b", SocketType.Router, errnos);
});

Deno.test("STREAM and DGRAM cannot use inproc at all", () => {
  const registry = new InprocRegistry();
  for (const type of [SocketType.Stream, DraftSocketType.Datagram]) {
    assert.throws(() => registry.check("bind", "inproc://x", type, errnos), {
      code: "EPROTONOSUPPORT",
    });
  }
});

Deno.test("deferred connects run once the name is bound, unless forgotten", () => {
  const registry = new InprocRegistry();
  const made: string[] = [];
  const a = {}, b = {}, binder = {};
  registry.defer("inproc://n", a, SocketType.Push, () => made.push("a"));
  registry.defer("inproc://n", b, SocketType.Push, () => made.push("b"));
  assert.ok(registry.isDeferred("inproc://n", a));
  registry.forget(b); // b closed before anyone bound
  assert.ok(!registry.isDeferred("inproc://n", b));
  registry.bound("inproc://n", binder, SocketType.Pull);
  assert.deepEqual(made, ["a"]);
  assert.ok(!registry.isDeferred("inproc://n", a));
  registry.forget(binder, "inproc://n"); // unbind
  assert.ok(!registry.isBound("inproc://n"));
});
