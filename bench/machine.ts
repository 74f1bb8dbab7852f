/**
 * A description of the machine and software a run was measured on.
 *
 * @module
 */

import { paths } from "./paths.ts";
import { capture } from "./process.ts";

/** Machine and versions, recorded with the results and shown on the chart. */
export interface MachineInfo {
  /** CPU model (/proc/cpuinfo). */
  cpu: string;
  /** Logical cores. */
  cores: number;
  /** Distribution name. */
  os: string;
  /** Kernel release. */
  kernel: string;
  /** Deno version. */
  deno: string;
  /** Node version. */
  node: string;
  /** System libzmq version (the one native and deno-zmq use). */
  libzmq: string;
  /** zeromq.js version and the libzmq it bundles. */
  zeromqJs: string;
  /** pyzmq version and the libzmq it uses. */
  pyzmq: string;
  /** ISO date and time of the run. */
  date: string;
  /** The 1-minute load average when the run started (other work on the machine). */
  load: number;
}

async function firstLine(argv: string[], cwd?: string): Promise<string> {
  const { code, stdout } = await capture(argv, { cwd });
  return code === 0 && stdout ? stdout.split("\n")[0] : "n/a";
}

async function readText(path: string): Promise<string> {
  return await Deno.readTextFile(path).catch(() => "");
}

/** Collects the machine description (missing pieces read "n/a"). */
export async function machineInfo(): Promise<MachineInfo> {
  const cpuinfo = await readText("/proc/cpuinfo");
  const osRelease = await readText("/etc/os-release");
  const zeromqJs = await firstLine([
    "node",
    "-e",
    "const z = require('zeromq'); const p = require('zeromq/package.json'); " +
    "console.log(`${p.version} (bundled libzmq ${z.version})`)",
  ], paths.zeromqJs);
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ??
      Deno.build.arch,
    cores: navigator.hardwareConcurrency,
    os: osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? Deno.build.os,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    node: (await firstLine(["node", "--version"])).replace(/^v/, ""),
    libzmq: await firstLine(["pkg-config", "--modversion", "libzmq"]),
    zeromqJs,
    pyzmq: await firstLine([
      paths.python,
      "-c",
      "import zmq; print(f'{zmq.__version__} (libzmq {zmq.zmq_version()})')",
    ]),
    date: new Date().toISOString(),
    load: Number((await readText("/proc/loadavg")).split(" ")[0]) || 0,
  };
}

/** One line describing the machine, for the chart and the console. */
export function describe(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.os}; Deno ${machine.deno}, ` +
    `Node ${machine.node}, libzmq ${machine.libzmq}`;
}
