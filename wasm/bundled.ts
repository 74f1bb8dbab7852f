/**
 * deno-zmq with the WASM backend carried statically: the whole API of the
 * main entry, where the WASM backend is there from the start instead of being
 * imported on demand. For sandboxed programs that know they want it: it needs
 * no permission at all, from JSR, by URL or from a local checkout (where the
 * on-demand import would need `--allow-read`), and contexts on it are created
 * synchronously even when FFI is granted too.
 *
 * @example Inproc with no permission
 * ```ts
 * import { Context, Pull, Push } from "@deno-zmq/zmq/wasm";
 *
 * await using context = new Context({ backend: "wasm" });
 * using pull = new Pull({ context }), push = new Push({ context });
 * await pull.bind("inproc://jobs");
 * push.connect("inproc://jobs");
 * await push.send("job 42");
 * console.log(new TextDecoder().decode((await pull.receive())[0])); // "job 42"
 * ```
 *
 * @module
 */

import { registerBackend } from "../src/select.ts";
import { loadWasm } from "./backend.ts";

export * from "../mod.ts";

registerBackend("wasm", { load: loadWasm });
