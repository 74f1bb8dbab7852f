/**
 * The one place `src/` looks at which JS runtime it runs on.
 *
 * @module
 */

interface NodeProcess {
  once(event: "exit", listener: () => void): void;
}

/**
 * Runs `hook` synchronously when the process is about to exit normally
 * (Deno's "unload" event, Node's process "exit").
 */
export function onProcessExit(hook: () => void): void {
  const deno = (globalThis as { Deno?: unknown }).Deno;
  const process = (globalThis as { process?: NodeProcess }).process;
  if (deno === undefined && process?.once) {
    process.once("exit", hook);
  } else if (typeof globalThis.addEventListener === "function") {
    globalThis.addEventListener("unload", hook);
  }
}

interface NodeWorkerThreads {
  isMainThread: boolean;
}

/**
 * Whether this code runs on a Worker thread: a web Worker (Deno, Bun) or a
 * `node:worker_threads` Worker (Node, Bun, Deno).
 */
export function onWorkerThread(): boolean {
  if (
    typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope ===
      "function"
  ) {
    return true;
  }
  const process = (globalThis as {
    process?: { getBuiltinModule?(id: string): unknown };
  }).process;
  const threads = process?.getBuiltinModule?.("node:worker_threads") as
    | NodeWorkerThreads
    | undefined;
  return threads?.isMainThread === false;
}
