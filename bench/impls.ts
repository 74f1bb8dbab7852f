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

/** Roles of the scenarios: which process binds, which measures. */
const scenarioRoles: Record<
  Scenario,
  {
    server?: string;
    client: string;
    resultFrom: "server" | "client";
    pinned?: boolean;
  }
> = {
  throughput: { server: "thr_pull", client: "thr_push", resultFrom: "server" },
  latency: {
    server: "lat_rep",
    client: "lat_req",
    resultFrom: "client",
    pinned: true,
  },
  inproc: { client: "thr_inproc", resultFrom: "client" },
  single: { client: "thr_single", resultFrom: "client" },
  memory: { client: "mem", resultFrom: "client" },
};

/** The command running ROLE for implementation IMPL (BACKEND: deno-zmq's backend, if not the default). */
function command(
  impl: ImplId,
  role: string,
  args: string[],
  backend?: string,
): string[] {
  switch (impl) {
    case "native":
      return [`${paths.build}/${role}`, ...args];
    case "ours":
      return [
        Deno.execPath(),
        "run",
        "-A",
        paths.denoLauncher,
        role,
        ...args,
        ...(backend ? [backend] : []),
      ];
    case "zeromqjs":
      return [
        "node",
        paths.nodeLauncher,
        `zeromq:${paths.zeromqJs}`,
        role,
        ...args,
      ];
    case "node-ours":
      return [
        "node",
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
  /** CPU lists for the server and the client of pinned scenarios (undefined: no pinning). */
  pinning?: readonly [string, string];
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
  const pin = (argv: string[], cpus: string | undefined): Command => ({
    argv: roles.pinned && cpus ? ["taskset", "-c", cpus, ...argv] : argv,
  });
  const server = roles.server;
  return {
    server: server
      ? pin(command(impl, server, args, backend), options.pinning?.[0])
      : undefined,
    // The client gets the endpoint the server actually bound (tcp port resolved).
    client: (endpoint) =>
      pin(
        command(
          impl,
          roles.client,
          server ? [endpoint, ...args.slice(1)] : args,
          backend,
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
