/**
 * The deno-zmq benchmark: deno-zmq against native libzmq and the peers
 * (zeromq.js, pyzmq, deno-zmq's npm build on Node), in one run, alternating
 * implementations within each repetition.
 *
 *   deno run -A bench/run.ts [--quick] [--reps N] [--only TEXT] [--timeout SECONDS]
 *                            [--pin all|latency|none] [--profile DIR]
 *                            [--json FILE] [--svg FILE]
 *
 * --quick runs each case once with small counts (under a minute: checks that
 * every case runs; its figures are not meant for the targets). --only keeps
 * the cases whose id or label contains TEXT. --pin chooses which two-process
 * cases run their processes on different cores (taskset; default all: the
 * throughput and latency cases). --profile writes a CPU profile of every
 * deno-zmq (Deno) process under DIR/CASE/ROLE/ (summarize them with
 * bench/profile_summary.ts). Targets are printed as PASS/FAIL per case
 * from medians (in brackets with fewer than 5 runs: indicative); the exit
 * code is 0 unless the harness itself failed.
 *
 * @module
 */

import { type BenchCase, cases, implLabels, type Scenario } from "./cases.ts";
import { pinnable } from "./impls.ts";
import { describe, machineInfo } from "./machine.ts";
import { capture } from "./process.ts";
import { formatValue, renderTable, reportCase } from "./report.ts";
import { runCase } from "./runner.ts";
import { prepare } from "./setup.ts";
import { renderSvg } from "./svg.ts";

/** Command-line options. */
interface Options {
  quick: boolean;
  repetitions: number;
  pinned: readonly Scenario[];
  timeoutMs: number;
  only?: string;
  profile?: string;
  json?: string;
  svg?: string;
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    quick: false,
    repetitions: 5,
    timeoutMs: 120_000,
    pinned: pinnable,
  };
  let reps: number | undefined;
  let timeout: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${args[i - 1]} needs a value`);
      return next;
    };
    switch (args[i]) {
      case "--quick":
        options.quick = true;
        break;
      case "--reps":
        reps = Number(value());
        break;
      case "--timeout":
        timeout = Number(value()) * 1000;
        break;
      case "--pin": {
        const choice = value();
        const choices: Record<string, readonly Scenario[]> = {
          all: pinnable,
          latency: ["latency"],
          none: [],
        };
        if (!choices[choice]) {
          throw new Error(`--pin takes all, latency or none, not ${choice}`);
        }
        options.pinned = choices[choice];
        break;
      }
      case "--only":
        options.only = value();
        break;
      case "--profile":
        options.profile = value();
        break;
      case "--json":
        options.json = value();
        break;
      case "--svg":
        options.svg = value();
        break;
      default:
        throw new Error(
          `unknown argument ${args[i]} (see the header of bench/run.ts)`,
        );
    }
  }
  options.repetitions = reps ?? (options.quick ? 1 : 5);
  options.timeoutMs = timeout ?? (options.quick ? 20_000 : 120_000);
  return options;
}

/** CPU lists to pin servers and clients to, when there are 2+ cores and taskset. */
async function pinning(): Promise<readonly [string, string] | undefined> {
  if (navigator.hardwareConcurrency < 2) return undefined;
  const { code } = await capture(["taskset", "-c", "0", "true"]);
  return code === 0 ? ["0", "1"] : undefined;
}

const started = performance.now();
const options = parseArgs(Deno.args);
const selected: BenchCase[] = cases.filter((c) =>
  !options.only || c.id.includes(options.only) || c.label.includes(options.only)
);
const unavailable = await prepare();
const machine = await machineInfo();
const pinned = options.pinned.length ? await pinning() : undefined;
console.error(`[bench] ${describe(machine)}`);
console.error(
  `[bench] ${selected.length} cases x ${options.repetitions} repetition(s)` +
    `${options.quick ? " (quick)" : ""}; ${
      pinned
        ? `${options.pinned.join(" and ")} pinned to cpus 0/1`
        : "not pinned"
    }`,
);

const reports = [];
for (const benchCase of selected) {
  const run = await runCase(benchCase, {
    quick: options.quick,
    repetitions: options.repetitions,
    timeoutMs: options.timeoutMs,
    pinning: pinned,
    pinned: options.pinned,
    profileDir: options.profile,
    unavailable,
    onRun: (c, impl, repetition, outcome) => {
      const shown = outcome.status === "ok"
        ? formatValue(outcome.value, c.unit)
        : `${outcome.status}: ${outcome.reason}`;
      console.error(
        `[bench] ${c.label} #${repetition} ${implLabels[impl]}: ${shown}`,
      );
    },
  });
  reports.push(reportCase(run));
}

const seconds = (performance.now() - started) / 1000;
console.log(renderTable(reports));
console.log(
  `\n${
    describe(machine)
  }; ${machine.date}. ${options.repetitions} repetition(s), ` +
    `${seconds.toFixed(1)} s; ${
      pinned ? `${options.pinned.join(" and ")} pinned` : "nothing pinned"
    }; load average ${machine.load} at the start.`,
);

if (options.json) {
  const json = {
    machine,
    quick: options.quick,
    repetitions: options.repetitions,
    pinned: pinned ? options.pinned : [],
    durationSeconds: Number(seconds.toFixed(1)),
    cases: reports,
  };
  await Deno.writeTextFile(options.json, JSON.stringify(json, null, 2) + "\n");
  console.error(`[bench] wrote ${options.json}`);
}
if (options.svg) {
  const dir = options.svg.slice(0, options.svg.lastIndexOf("/") + 1);
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    options.svg,
    renderSvg(reports, machine, options.repetitions),
  );
  console.error(`[bench] wrote ${options.svg}`);
}
