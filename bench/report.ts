/**
 * Turning raw outcomes into per-case figures, ratios to native and PASS/FAIL
 * verdicts, and printing them as a table.
 *
 * @module
 */

import {
  higherIsBetter,
  type ImplId,
  implLabels,
  peerIds,
  type Target,
  type Unit,
} from "./cases.ts";
import type { Outcome } from "./process.ts";
import type { CaseRun } from "./runner.ts";
import { summarize, type Summary } from "./stats.ts";

/** The figures of one implementation in one case. */
export interface ImplReport {
  /** "ok" when at least one run succeeded. */
  status: "ok" | "na" | "error";
  /** Median and range of the successful runs. */
  summary?: Summary;
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
  /** PASS/FAIL against the target and the peers; "-" when nothing is judged. */
  verdict: "PASS" | "FAIL" | "n/a" | "-";
  /** Why a case failed, or what was not measured. */
  notes: string[];
}

function implReport(outcomes: readonly Outcome[]): ImplReport {
  const ok = outcomes.filter((o) => o.status === "ok");
  const bad = outcomes.filter((o) => o.status !== "ok");
  const values = ok.map((o) => o.value);
  return {
    status: ok.length
      ? "ok"
      : bad.some((o) => o.status === "error")
      ? "error"
      : "na",
    summary: summarize(values),
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
export function reportCase({ benchCase, outcomes }: CaseRun): CaseReport {
  const impls: Partial<Record<ImplId, ImplReport>> = {};
  for (const impl of benchCase.impls) {
    impls[impl] = implReport(outcomes[impl] ?? []);
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
    verdict: "-",
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
  const peersMeasured = peerIds.filter((peer) =>
    peer !== "node-ours" && impls[peer]?.summary
  );
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
  return report;
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
  ...peerIds.map((peer) => ({
    title: implLabels[peer].replace(
      / \(.*\)$/,
      peer === "node-ours" ? " on Node" : "",
    ),
    cell: (r: CaseReport) => formatRatio(r.peerRatios[peer], r.impls[peer]),
  })),
  { title: "target", cell: (r) => r.targetText },
  { title: "result", cell: (r) => r.verdict },
];

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
  return [...lines, ...(notes.length ? ["", ...notes] : [])].join("\n");
}
