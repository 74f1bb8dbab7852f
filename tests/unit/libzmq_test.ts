// The C API declaration (src/libzmq.ts) against itself and the bindings
// derived from it: each prototype's parameters match its kinds, and the Deno
// symbol table carries every native function.
import assert from "node:assert/strict";
import {
  type CFunction,
  functionsOf,
  LIBZMQ_FUNCTIONS,
  parameterNames,
} from "../../src/libzmq.ts";
import { LIBC_FUNCTIONS } from "../../ffi/libc.ts";
import { libcSymbols, zmqSymbols } from "../../ffi/deno_symbols.ts";

const tables: [string, Record<string, CFunction>][] = [
  ["libzmq", LIBZMQ_FUNCTIONS],
  ["libc", LIBC_FUNCTIONS],
];

Deno.test("every C prototype names its function and one kind per parameter", () => {
  for (const [label, table] of tables) {
    for (const [name, fn] of Object.entries(table)) {
      const symbol = fn.symbol ?? name;
      assert.match(fn.c, new RegExp(`\\b\\**${symbol}\\(`), `${label} ${name}`);
      assert.equal(parameterNames(fn.c).length, fn.args.length, name);
      assert.ok(!fn.args.includes("void"), `${name}: void is a result only`);
    }
  }
});

Deno.test("parameterNames reads C prototypes", () => {
  assert.deepEqual(parameterNames("int zmq_errno(void)"), []);
  assert.deepEqual(parameterNames("void *zmq_ctx_new()"), []);
  assert.deepEqual(
    parameterNames("int zmq_msg_recv(zmq_msg_t *msg, void *socket, int flags)"),
    ["msg", "socket", "flags"],
  );
  assert.deepEqual(parameterNames("int pipe(int fds[2])"), ["fds"]);
});

Deno.test("the Deno tables hold each native function, blocking ones twice", () => {
  const symbols: Record<string, Deno.ForeignFunction> = {
    ...zmqSymbols,
    ...libcSymbols,
  };
  for (const [, table] of tables) {
    for (const [name, fn] of Object.entries(table)) {
      if (fn.in === "wasm") {
        assert.ok(!(name in symbols), name);
        continue;
      }
      assert.equal(symbols[name].parameters.length, fn.args.length, name);
      assert.equal(symbols[name].nonblocking, fn.blocking === true, name);
      if (fn.blocking) assert.equal(symbols[`${name}_sync`].nonblocking, false);
    }
  }
  assert.equal(zmqSymbols.zmq_msg_recv.result, "i32");
  assert.deepEqual(zmqSymbols.zmq_send.parameters, [
    "pointer",
    "buffer",
    "usize",
    "i32",
  ]);
});

Deno.test("the WASM build exports its functions in table order", () => {
  const wasm = functionsOf("wasm");
  assert.ok(wasm.includes("zmq_wasm_pump") && wasm.includes("zmq_recv"));
  assert.ok(!wasm.includes("zmq_proxy_steerable"));
  const all = Object.keys(LIBZMQ_FUNCTIONS);
  assert.deepEqual(wasm, all.filter((name) => wasm.includes(name as never)));
});
