/**
 * How each implementation runs each role: the command lines of the native
 * C programs, the Deno launcher of deno-zmq, the Node launcher (zeromq.js,
 * deno-zmq's npm build) and the pyzmq script. Roles share one argument list:
 * `ROLE ENDPOINT COUNT SIZE [BACKEND]` (the native programs are named after
 * their role).
 *
 * @module
 */

import type { BenchCase, ImplId, Scenario } from "./cases.ts";
import type { Command, Plan } from "./process.ts";
import { paths } from "./paths.ts";

/**
 * Roles of the scenarios: which process binds, which measures (`native`,
 * `nativeServer`: the native programs, when they are not named after the role).
 */
const scenarioRoles: Record<
  Scenario,
  {
    server?: string;
    client: string;
    native?: string;
    nativeServer?: string;
    resultFrom: "server" | "client";
  }
> = {
  throughput: { server: "thr_pull", client: "thr_push", resultFrom: "server" },
  batch: {
    server: "thr_pull_batch",
    client: "thr_push_batch",
    native: "thr_push",
    nativeServer: "thr_pull",
    resultFrom: "server",
  },
  latency: { server: "lat_rep", client: "lat_req", resultFrom: "client" },
  inproc: { client: "thr_inproc", resultFrom: "client" },
  // Native's inproc reference already runs its sender on a second thread.
  "inproc-worker": {
    client: "thr_inproc_worker",
    native: "thr_inproc",
    resultFrom: "client",
  },
  single: { client: "thr_single", resultFrom: "client" },
  memory: { client: "mem", resultFrom: "client" },
  sockets: { client: "mem_sockets", resultFrom: "client" },
};

/**
 * The scenarios whose two processes can be pinned to different cores, so
 * that neither side's helper threads (libzmq I/O, V8, Python) take the
 * other side's core.
 */
export const pinnable: readonly Scenario[] = ["throughput", "batch", "latency"];

/** The role that measures memory per socket: JS runtimes expose `gc` to it. */
const MEMORY_ROLE = "mem_sockets";

/**
 * The command running ROLE for implementation IMPL (BACKEND: deno-zmq's
 * backend, if not the default; PROFILE: where deno-zmq on Deno writes a CPU
 * profile, if anywhere).
 */
function command(
  impl: ImplId,
  role: string,
  args: string[],
  backend?: string,
  profile?: string,
): string[] {
  switch (impl) {
    case "native":
      return [`${paths.build}/${role}`, ...args];
    case "ours":
      return [
        Deno.execPath(),
        "run",
        "-A",
        ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}/${role}`] : []),
        ...(role === MEMORY_ROLE ? ["--v8-flags=--expose-gc"] : []),
        paths.denoLauncher,
        role,
        ...args,
        ...(backend ? [backend] : []),
      ];
    case "zeromqjs":
      return [
        "node",
        ...(role === MEMORY_ROLE ? ["--expose-gc"] : []),
        paths.nodeLauncher,
        `zeromq:${paths.zeromqJs}`,
        role,
        ...args,
      ];
    case "node-ours":
      return [
        "node",
        ...(role === MEMORY_ROLE ? ["--expose-gc"] : []),
        paths.nodeLauncher,
        `ours:${paths.npmDist}`,
        role,
        ...args,
      ];
    case "pyzmq":
      return [paths.python, paths.pythonPeer, role, ...args];
  }
}

let ipcSequence = 0;

/** The endpoint a run binds to: an OS-chosen tcp port, a fresh ipc path, or an inproc name. */
function endpointFor(transport: BenchCase["transport"]): string {
  switch (transport) {
    case "tcp":
      return "tcp://127.0.0.1:*";
    case "ipc":
      return `ipc:///tmp/deno-zmq-bench-${Deno.pid}-${++ipcSequence}.ipc`;
    case "inproc":
      return "inproc://bench";
  }
}

/** Options of {@link planFor}. */
export interface PlanOptions {
  /** Messages (or round trips) in this run. */
  count: number;
  /** Kill the run after this many milliseconds. */
  timeoutMs: number;
  /** CPU lists for the server and the client (undefined: no pinning). */
  pinning?: readonly [string, string];
  /** Write CPU profiles of deno-zmq on Deno under this directory (one per case and role). */
  profileDir?: string;
}

/** The processes that run one case once for one implementation. */
export function planFor(
  benchCase: BenchCase,
  impl: ImplId,
  options: PlanOptions,
): Plan {
  const roles = scenarioRoles[benchCase.scenario];
  const args = [
    endpointFor(benchCase.transport),
    String(options.count),
    String(benchCase.size),
  ];
  // On WASM cases native runs the same loop on libzmq itself.
  const backend = benchCase.backend;
  const profile = options.profileDir
    ? `${options.profileDir}/${benchCase.id}`
    : undefined;
  const pin = (argv: string[], cpus: string | undefined): Command => ({
    argv: cpus ? ["taskset", "-c", cpus, ...argv] : argv,
  });
  const client = impl === "native" && roles.native
    ? roles.native
    : roles.client;
  const server = impl === "native" && roles.nativeServer
    ? roles.nativeServer
    : roles.server;
  return {
    server: server
      ? pin(
        command(impl, server, args, backend, profile),
        options.pinning?.[0],
      )
      : undefined,
    // The client gets the endpoint the server actually bound (tcp port resolved).
    client: (endpoint) =>
      pin(
        command(
          impl,
          client,
          server ? [endpoint, ...args.slice(1)] : args,
          backend,
          profile,
        ),
        options.pinning?.[1],
      ),
    resultFrom: roles.resultFrom,
    timeoutMs: options.timeoutMs,
  };
}

/** Removes the ipc socket files a run may have left. */
export async function cleanupIpc(): Promise<void> {
  for await (const entry of Deno.readDir("/tmp")) {
    if (entry.name.startsWith(`deno-zmq-bench-${Deno.pid}-`)) {
      await Deno.remove(`/tmp/${entry.name}`).catch(() => {});
    }
  }
}
