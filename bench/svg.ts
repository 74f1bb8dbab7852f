/**
 * A self-contained SVG bar chart of the results: for each case, the speed
 * of deno-zmq and of each peer relative to native libzmq (1.0), with the
 * machine and date. Latency cases are drawn as native time / time so that
 * longer bars are always better.
 *
 * @module
 */

import { text } from "./svg_text.ts";
import { type ImplId, implLabels, peerIds } from "./cases.ts";
import { describe, type MachineInfo } from "./machine.ts";
import { type CaseReport, formatValue } from "./report.ts";

const COLORS: Record<ImplId, string> = {
  native: "#444444",
  ours: "#2a9d8f",
  zeromqjs: "#e76f51",
  pyzmq: "#6c8ebf",
  "node-ours": "#8ab17d",
};

const WIDTH = 960;
const LABEL_WIDTH = 250;
const PLOT_WIDTH = 600;
const BAR = 13;
const BAR_GAP = 3;
const GROUP_GAP = 16;
const TOP = 96;

/** Speed relative to native: >1 is faster than native, whatever the unit. */
function speed(report: CaseReport, ratio: number): number {
  return report.higherIsBetter ? ratio : 1 / ratio;
}

/** Renders the chart; cases without a native figure (memory) are listed as footnotes. */
export function renderSvg(
  reports: readonly CaseReport[],
  machine: MachineInfo,
  repetitions: number,
): string {
  // Memory cases are footnotes: the chart is about speed.
  const charted = reports.filter((r) => r.impls.native && r.unit !== "MB");
  const series: ImplId[] = [
    "ours",
    ...peerIds.filter((p) => charted.some((r) => r.impls[p])),
  ];
  const bars = (r: CaseReport) => series.filter((impl) => r.impls[impl]);
  const speeds = charted.flatMap((r) =>
    bars(r).flatMap((impl) => {
      const ratio = impl === "ours" ? r.ratio : r.peerRatios[impl];
      return ratio ? [speed(r, ratio)] : [];
    })
  );
  const maxSpeed = Math.max(1.2, ...speeds) * 1.08;
  const step = maxSpeed > 3 ? 1 : maxSpeed > 1.6 ? 0.5 : 0.2;
  const scale = (s: number) => LABEL_WIDTH + (s / maxSpeed) * PLOT_WIDTH;

  const out: string[] = [];
  let y = TOP;
  for (const r of charted) {
    const group = bars(r);
    const height = group.length * (BAR + BAR_GAP) - BAR_GAP;
    out.push(
      text(
        LABEL_WIDTH - 10,
        y + height / 2 + 4,
        r.label,
        `text-anchor="end" font-weight="bold"`,
      ),
    );
    if (r.verdict === "PASS" || r.verdict === "FAIL") {
      const color = r.verdict === "PASS" ? "#2a7d2a" : "#c0392b";
      out.push(
        text(
          WIDTH - 20,
          y + height / 2 + 4,
          r.verdict,
          `text-anchor="end" fill="${color}" font-weight="bold"`,
        ),
      );
    }
    group.forEach((impl, i) => {
      const by = y + i * (BAR + BAR_GAP);
      const ratio = impl === "ours" ? r.ratio : r.peerRatios[impl];
      if (ratio === undefined) {
        const why = r.impls[impl]?.status === "na" ? "n/a" : "failed";
        out.push(
          text(
            LABEL_WIDTH + 4,
            by + BAR - 3,
            `${implLabels[impl]}: ${why}`,
            `fill="#888" font-size="10"`,
          ),
        );
        return;
      }
      const s = speed(r, ratio);
      const w = scale(s) - LABEL_WIDTH;
      out.push(
        `<rect x="${LABEL_WIDTH}" y="${by}" width="${
          w.toFixed(1)
        }" height="${BAR}" fill="${COLORS[impl]}"/>`,
        text(
          LABEL_WIDTH + w + 4,
          by + BAR - 3,
          `${s.toFixed(2)}x${
            impl === "ours" && r.impls.ours?.spread !== undefined
              ? ` (spread ${(r.impls.ours.spread * 100).toFixed(0)}%)`
              : ""
          }`,
          `font-size="10"`,
        ),
      );
    });
    if (r.target && r.target.kind !== "max-value") {
      const tx = scale(r.higherIsBetter ? r.target.value : 1 / r.target.value);
      out.push(
        `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${y - 2}" y2="${
          y + BAR + 2
        }" stroke="#000" stroke-width="2"/>`,
      );
    }
    y += height + GROUP_GAP;
  }
  const bottom = y - GROUP_GAP + 6;

  const grid: string[] = [];
  for (let s = 0; s <= maxSpeed + 1e-9; s += step) {
    const x = scale(s);
    const native = Math.abs(s - 1) < 1e-9;
    grid.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${
        TOP - 8
      }" y2="${bottom}" stroke="${native ? "#444" : "#ddd"}" stroke-width="${
        native ? 1.5 : 1
      }"${native ? ' stroke-dasharray="4 3"' : ""}/>`,
      text(
        x,
        bottom + 14,
        `${Number(s.toFixed(1))}x`,
        `text-anchor="middle" font-size="10" fill="#555"`,
      ),
    );
  }
  grid.push(
    text(
      scale(1),
      TOP - 12,
      "native libzmq = 1.0",
      `text-anchor="middle" font-size="10" fill="#444"`,
    ),
  );

  let legendX = LABEL_WIDTH;
  const legend = series.map((impl) => {
    const item =
      `<rect x="${legendX}" y="52" width="12" height="12" fill="${
        COLORS[impl]
      }"/>` +
      text(legendX + 16, 62, implLabels[impl], `font-size="11"`);
    legendX += 28 + implLabels[impl].length * 6.2;
    return item;
  });
  legend.push(
    `<line x1="${legendX + 6}" x2="${
      legendX + 6
    }" y1="50" y2="66" stroke="#000" stroke-width="2"/>`,
    text(legendX + 12, 62, "target", `font-size="11"`),
  );

  const footer = [
    `Relative speed = native time / time for round trips, msg/s / native msg/s for throughput. Medians of ${repetitions} run(s); spread = (max - min) / median.`,
    ...reports.filter((r) => !charted.includes(r)).map((r) => {
      const figure = (impl: ImplId) => {
        const summary = r.impls[impl]?.summary;
        return summary ? formatValue(summary.median, r.unit) : "n/a";
      };
      const native = r.impls.native ? `, native ${figure("native")}` : "";
      const target = r.targetText
        ? ` (target ${r.targetText}) ${r.verdict}`
        : "";
      return `${r.label}: ours ${figure("ours")}${native}${target}`;
    }),
    `${describe(machine)}; ${
      machine.date.slice(0, 16).replace("T", " ")
    } UTC; load average ${machine.load} at the start.`,
  ];
  const height = bottom + 34 + footer.length * 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(
      20,
      28,
      "deno-zmq vs native libzmq and peers: speed relative to native (longer is better)",
      `font-size="16" font-weight="bold"`,
    ),
    ...legend,
    ...grid,
    ...out,
    ...footer.map((line, i) =>
      text(20, bottom + 38 + i * 16, line, `font-size="11" fill="#333"`)
    ),
    `</svg>`,
    "",
  ].join("\n");
}
