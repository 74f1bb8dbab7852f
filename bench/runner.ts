/**
 * The generic runner: runs one case for every implementation, alternating
 * implementations within each repetition (native, ours, then the peers) so
 * they share the machine's conditions.
 *
 * @module
 */

import type { BenchCase, ImplId, Scenario } from "./cases.ts";
import { cleanupIpc, planFor } from "./impls.ts";
import { type Outcome, runPlan } from "./process.ts";

/** How to run the cases. */
export interface RunOptions {
  /** Use the quick message counts. */
  quick: boolean;
  /** Runs per implementation. */
  repetitions: number;
  /** Per run (one implementation, one repetition). */
  timeoutMs: number;
  /** CPU lists for server and client; undefined on 1 core or without taskset. */
  pinning?: readonly [string, string];
  /** The scenarios to pin (when `pinning` is set). */
  pinned: readonly Scenario[];
  /** Where deno-zmq on Deno writes CPU profiles, if anywhere. */
  profileDir?: string;
  /** Implementations that cannot run here, with the reason. */
  unavailable: Partial<Record<ImplId, string>>;
  /** Called after every run, for progress output. */
  onRun?: (
    benchCase: BenchCase,
    impl: ImplId,
    repetition: number,
    outcome: Outcome,
  ) => void;
}

/** Every outcome of one case, per implementation, in repetition order. */
export interface CaseRun {
  /** The case that ran. */
  benchCase: BenchCase;
  /** Outcomes per implementation. */
  outcomes: Partial<Record<ImplId, Outcome[]>>;
  /** Messages (or round trips, or sockets) per run. */
  count: number;
}

/** Runs BENCHCASE options.repetitions times for each of its implementations. */
export async function runCase(
  benchCase: BenchCase,
  options: RunOptions,
): Promise<CaseRun> {
  const outcomes: Partial<Record<ImplId, Outcome[]>> = {};
  const count = options.quick ? benchCase.count.quick : benchCase.count.full;
  for (let repetition = 1; repetition <= options.repetitions; repetition++) {
    for (const impl of benchCase.impls) {
      const runs = outcomes[impl] ??= [];
      // n/a once is enough; an implementation that cannot run is not retried.
      if (runs.some((o) => o.status === "na")) continue;
      const reason = options.unavailable[impl];
      const outcome: Outcome = reason
        ? { status: "na", reason }
        : await runPlan(
          planFor(benchCase, impl, {
            count,
            timeoutMs: options.timeoutMs,
            profileDir: options.profileDir,
            pinning: options.pinned.includes(benchCase.scenario)
              ? options.pinning
              : undefined,
          }),
        );
      runs.push(outcome);
      options.onRun?.(benchCase, impl, repetition, outcome);
    }
  }
  await cleanupIpc();
  return { benchCase, outcomes, count };
}
