/**
 * Turning raw outcomes into per-case figures, ratios to native and PASS/FAIL
 * verdicts, and printing them as a table.
 *
 * @module
 */

import {
  cpuSides,
  higherIsBetter,
  type ImplId,
  implLabels,
  peerIds,
  type Target,
  type Unit,
} from "./cases.ts";
import type { Outcome, Side } from "./process.ts";
import type { CaseRun } from "./runner.ts";
import { summarize, type Summary } from "./stats.ts";

/** Verdicts need medians of at least this many runs; fewer are shown as indicative. */
export const MIN_RUNS = 5;
/** deno-zmq on Node must reach this fraction of deno-zmq on Deno's ratio to native. */
export const NODE_TO_DENO = 0.8;

/** The figures of one implementation in one case. */
export interface ImplReport {
  /** "ok" when at least one run succeeded. */
  status: "ok" | "na" | "error";
  /** Median and range of the successful runs. */
  summary?: Summary;
  /** (max - min) / median of the successful runs: how still the figure held. */
  spread?: number;
  /** CPU nanoseconds per message of each side (median and range over the runs). */
  cpu: Partial<Record<Side, Summary>>;
  /** CPU nanoseconds per message of all sides together. */
  cpuTotal?: Summary;
  /** Every successful value, in run order. */
  values: number[];
  /** Extra figures of the runs (e.g. RSS before/after), in run order. */
  extra: Record<string, number>[];
  /** Why it is n/a or failed (first reason). */
  reason?: string;
  /** Runs that failed. */
  failures: number;
}

/** One case's figures and verdict. */
export interface CaseReport {
  /** The case id. */
  id: string;
  /** The case label. */
  label: string;
  /** Unit of the values. */
  unit: Unit;
  /** Whether larger values are better (throughput) or worse (latency, memory). */
  higherIsBetter: boolean;
  /** The case's target, if any. */
  target?: Target;
  /** Text form of the target, e.g. ">= 0.6x native". */
  targetText: string;
  /** Figures per implementation. */
  impls: Partial<Record<ImplId, ImplReport>>;
  /** Median of ours / median of native (time ratio for latency). */
  ratio?: number;
  /** Each peer's median / native median. */
  peerRatios: Partial<Record<ImplId, number>>;
  /** Median CPU per message of ours / of native (lower is better). */
  cpuRatio?: number;
  /** What the CPU figures cover, per side (e.g. receiver, sender). */
  cpuSides: Partial<Record<Side, string>>;
  /** PASS/FAIL against the target and the peers; "-" when nothing is judged. */
  verdict: "PASS" | "FAIL" | "n/a" | "-";
  /** Whether the verdict rests on fewer than {@link MIN_RUNS} runs of ours or native. */
  indicative: boolean;
  /**
   * deno-zmq on Node against deno-zmq on Deno: Node's speed relative to
   * native as a fraction of Deno's (>= {@link NODE_TO_DENO} passes).
   */
  node?: { relative: number; verdict: "PASS" | "FAIL" };
  /** Why a case failed, or what was not measured. */
  notes: string[];
}

function implReport(outcomes: readonly Outcome[], count: number): ImplReport {
  const ok = outcomes.filter((o) => o.status === "ok");
  const bad = outcomes.filter((o) => o.status !== "ok");
  const values = ok.map((o) => o.value);
  const summary = summarize(values);
  const perMessage = (seconds: number) => seconds * 1e9 / count;
  const cpu: Partial<Record<Side, Summary>> = {};
  for (const side of ["server", "client"] as const) {
    const figures = ok.flatMap((o) =>
      o.cpu[side] === undefined ? [] : [perMessage(o.cpu[side])]
    );
    const sideSummary = summarize(figures);
    if (sideSummary) cpu[side] = sideSummary;
  }
  // Only runs where every side reported count towards the total.
  const sides = Object.keys(cpu) as Side[];
  const totals = ok.flatMap((o) =>
    sides.every((side) => o.cpu[side] !== undefined)
      ? [perMessage(sides.reduce((sum, side) => sum + o.cpu[side]!, 0))]
      : []
  );
  return {
    spread: summary && summary.n > 1 && summary.median
      ? (summary.max - summary.min) / summary.median
      : undefined,
    cpu,
    cpuTotal: summarize(totals),
    status: ok.length
      ? "ok"
      : bad.some((o) => o.status === "error")
      ? "error"
      : "na",
    summary,
    values,
    extra: ok.map((o) => o.extra),
    reason: bad.map((o) => o.reason)[0],
    failures: bad.filter((o) => o.status === "error").length,
  };
}

/** The extra figures of the run closest to the median, as "key=value ..." (undefined if none). */
function medianExtra(r: ImplReport): string | undefined {
  if (!r.summary) return undefined;
  const median = r.summary.median;
  let best = 0;
  r.values.forEach((v, i) => {
    if (Math.abs(v - median) < Math.abs(r.values[best] - median)) best = i;
  });
  const pairs = Object.entries(r.extra[best] ?? {});
  return pairs.length
    ? pairs.map(([k, v]) => `${k}=${v}`).join(" ")
    : undefined;
}

function targetText(target: Target | undefined, unit: Unit): string {
  if (!target) return "";
  switch (target.kind) {
    case "min-ratio":
      return `>= ${target.value}x native`;
    case "max-ratio":
      return `<= ${target.value}x native`;
    case "max-value":
      return `< ${target.value} ${unit}`;
  }
}

function meets(
  target: Target,
  value: number,
  ratio: number | undefined,
): boolean {
  switch (target.kind) {
    case "min-ratio":
      return ratio !== undefined && ratio >= target.value;
    case "max-ratio":
      return ratio !== undefined && ratio <= target.value;
    case "max-value":
      return value < target.value;
  }
}

/** Summarizes a case's runs and decides PASS/FAIL against its target and the peers. */
export function reportCase(
  { benchCase, outcomes, count }: CaseRun,
): CaseReport {
  const impls: Partial<Record<ImplId, ImplReport>> = {};
  const sides = cpuSides[benchCase.scenario];
  for (const impl of benchCase.impls) {
    const report = implReport(outcomes[impl] ?? [], count);
    // Figures a scenario does not define per message are not shown.
    if (Object.keys(sides).length === 0) {
      report.cpu = {};
      report.cpuTotal = undefined;
    }
    impls[impl] = report;
  }
  const better = higherIsBetter(benchCase.unit);
  const native = impls.native?.summary?.median;
  const ours = impls.ours?.summary?.median;
  const ratioOf = (value: number | undefined) =>
    value !== undefined && native ? value / native : undefined;
  const peerRatios: Partial<Record<ImplId, number>> = {};
  for (const peer of peerIds) {
    const ratio = ratioOf(impls[peer]?.summary?.median);
    if (ratio !== undefined) peerRatios[peer] = ratio;
  }
  const report: CaseReport = {
    id: benchCase.id,
    label: benchCase.label,
    unit: benchCase.unit,
    higherIsBetter: better,
    target: benchCase.target,
    targetText: targetText(benchCase.target, benchCase.unit),
    impls,
    ratio: ratioOf(ours),
    peerRatios,
    cpuRatio: impls.ours?.cpuTotal && impls.native?.cpuTotal?.median
      ? impls.ours.cpuTotal.median / impls.native.cpuTotal.median
      : undefined,
    cpuSides: sides,
    verdict: "-",
    indicative: Math.min(
      impls.ours?.summary?.n ?? 0,
      impls.native?.summary?.n ?? MIN_RUNS,
    ) < MIN_RUNS,
    notes: [],
  };
  const failures: string[] = [];
  for (const [impl, r] of Object.entries(impls) as [ImplId, ImplReport][]) {
    if (r.failures) {
      failures.push(
        `${implLabels[impl]}: ${r.failures} failed run(s): ${r.reason}`,
      );
    } else if (r.status === "na") {
      report.notes.push(`${implLabels[impl]}: n/a (${r.reason})`);
    }
  }
  if (impls.ours?.status === "na") {
    report.verdict = "n/a";
    return report;
  }
  if (ours === undefined) {
    report.verdict = "FAIL";
    report.notes.unshift(...failures);
    return report;
  }
  if (benchCase.target && !meets(benchCase.target, ours, report.ratio)) {
    failures.push(`misses target ${report.targetText}`);
  }
  const peersMeasured = benchCase.judgePeers === false
    ? []
    : peerIds.filter((peer) => peer !== "node-ours" && impls[peer]?.summary);
  for (const peer of peersMeasured) {
    const theirs = impls[peer]!.summary!.median;
    if (better ? theirs >= ours : theirs <= ours) {
      failures.push(`not ahead of ${implLabels[peer]}`);
    }
  }
  report.notes.unshift(...failures);
  const extra = medianExtra(impls.ours!);
  if (extra) report.notes.push(`ours, median run: ${extra}`);
  const judged = benchCase.target !== undefined || peersMeasured.length > 0;
  report.verdict = failures.length ? "FAIL" : judged ? "PASS" : "-";
  const node = report.peerRatios["node-ours"];
  if (benchCase.judgePeers !== false && node && report.ratio) {
    // Ratios of latency cases are time ratios: lower is better.
    const relative = better ? node / report.ratio : report.ratio / node;
    report.node = {
      relative,
      verdict: relative >= NODE_TO_DENO ? "PASS" : "FAIL",
    };
  }
  return report;
}

/** A CPU time per message: "85 ns", "1.2 us", "35.1 us". */
export function formatNs(ns: number): string {
  return ns < 1000 ? `${ns.toFixed(0)} ns` : `${(ns / 1000).toFixed(1)} us`;
}

/** A spread as a percentage of the median: "8%". */
function formatSpread(spread: number | undefined): string {
  return spread === undefined ? "" : `${(spread * 100).toFixed(0)}%`;
}

/** The CPU cell of an implementation: its sides' medians, in the case's side order. */
function formatCpu(r: ImplReport | undefined, report: CaseReport): string {
  if (!r) return "";
  const sides = (Object.keys(report.cpuSides) as Side[]).filter((side) =>
    r.cpu[side]
  );
  return sides.map((side) => formatNs(r.cpu[side]!.median)).join(" + ");
}

/** A verdict, in brackets when it rests on fewer than {@link MIN_RUNS} runs. */
function formatVerdict(verdict: string, indicative: boolean): string {
  return indicative && (verdict === "PASS" || verdict === "FAIL")
    ? `(${verdict})`
    : verdict;
}

/** A value in its unit, compactly: "4.25M msg/s", "102.4 us", "5.7 MB". */
export function formatValue(value: number, unit: Unit): string {
  if (unit === "msg/s") {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k/s`;
    return `${value.toFixed(0)}/s`;
  }
  return `${value.toFixed(1)} ${unit}`;
}

function formatImpl(r: ImplReport | undefined, unit: Unit): string {
  if (!r) return "";
  if (!r.summary) return r.status === "na" ? "n/a" : "FAILED";
  const { median, min, max, n } = r.summary;
  const range = n > 1
    ? ` (${formatValue(min, unit)}-${formatValue(max, unit)})`
    : "";
  return formatValue(median, unit) + range;
}

function formatRatio(
  ratio: number | undefined,
  r: ImplReport | undefined,
): string {
  if (ratio !== undefined) return `${ratio.toFixed(2)}x`;
  if (!r) return "";
  return r.status === "na" ? "n/a" : "FAILED";
}

/** The table columns, with how each cell is made. */
const columns: { title: string; cell: (r: CaseReport) => string }[] = [
  { title: "case", cell: (r) => r.label },
  {
    title: "ours (median, min-max)",
    cell: (r) => formatImpl(r.impls.ours, r.unit),
  },
  { title: "native", cell: (r) => formatImpl(r.impls.native, r.unit) },
  {
    title: "ratio",
    cell: (r) => formatRatio(r.ratio, r.impls.native && r.impls.ours),
  },
  {
    title: "spread ours / native",
    cell: (r) =>
      [r.impls.ours, r.impls.native].filter((i) => i?.spread !== undefined)
        .map((i) => formatSpread(i!.spread)).join(" / "),
  },
  { title: "CPU/msg ours", cell: (r) => formatCpu(r.impls.ours, r) },
  { title: "CPU/msg native", cell: (r) => formatCpu(r.impls.native, r) },
  {
    title: "CPU ratio",
    cell: (r) => r.cpuRatio === undefined ? "" : `${r.cpuRatio.toFixed(2)}x`,
  },
  ...peerIds.map((peer) => ({
    title: implLabels[peer].replace(
      / \(.*\)$/,
      peer === "node-ours" ? " on Node" : "",
    ),
    cell: (r: CaseReport) => formatRatio(r.peerRatios[peer], r.impls[peer]),
  })),
  {
    title: "Node / Deno",
    cell: (r) =>
      r.node
        ? `${r.node.relative.toFixed(2)} ${
          formatVerdict(r.node.verdict, r.indicative)
        }`
        : "",
  },
  { title: "target", cell: (r) => r.targetText },
  { title: "result", cell: (r) => formatVerdict(r.verdict, r.indicative) },
];

/** What the columns mean, printed under the table. */
export function legend(reports: readonly CaseReport[]): string[] {
  const sides = [
    ...new Set(reports.flatMap((r) => {
      const named = Object.values(r.cpuSides);
      return named.length ? [named.join(" + ")] : [];
    })),
  ];
  const lines = [
    "Ratio: ours / native (round trips: a time ratio, lower is better); peer columns: each peer's ratio to native.",
    "Spread: (max - min) / median over the repetitions.",
    `CPU/msg: user + system CPU time per message of each process, all threads (${
      sides.join("; ")
    }); CPU ratio: ours / native, all sides together.`,
    `Node / Deno: deno-zmq on Node's ratio as a fraction of deno-zmq on Deno's (target >= ${NODE_TO_DENO}).`,
  ];
  if (reports.some((r) => r.indicative)) {
    lines.push(
      `Verdicts in brackets rest on fewer than ${MIN_RUNS} runs: indicative only.`,
    );
  }
  return lines;
}

/** Renders the reports as a Markdown table (aligned for the terminal), then the notes. */
export function renderTable(reports: readonly CaseReport[]): string {
  const rows = [
    columns.map((c) => c.title),
    ...reports.map((r) => columns.map((c) => c.cell(r))),
  ];
  const widths = columns.map((_, i) =>
    Math.max(3, ...rows.map((row) => row[i].length))
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  const lines = [
    line(rows[0]),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
  ];
  for (const row of rows.slice(1)) lines.push(line(row));
  const notes = reports.flatMap((r) =>
    r.notes.map((note) => `- ${r.label}: ${note}`)
  );
  return [
    ...lines,
    "",
    ...legend(reports),
    ...(notes.length ? ["", ...notes] : []),
  ].join("\n");
}
