/**
 * A self-contained SVG chart of a soak run (tests/soak_mixed.ts): RSS, JS
 * heap, open fds and messages per second against time, one panel each, in
 * the style of svg.ts, with the RSS slope after warm-up.
 *
 * @module
 */

import { text } from "./svg_text.ts";

/** One sample of a soak, taken every second. */
export interface SoakSample {
  /** Seconds since the start. */
  t: number;
  /** Resident set size, bytes. */
  rss: number;
  /** JS heap in use, bytes. */
  heap: number;
  /** Open file descriptors. */
  fds: number;
  /** Messages delivered in the last second, all patterns together. */
  rate: number;
}

/** Least-squares slope of `y` over `x` (per unit of x). */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return 0;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const WIDTH = 960;
const LEFT = 90;
const PLOT_WIDTH = 820;
const PANEL = 110;
const PANEL_GAP = 40;
const TOP = 76;

interface Panel {
  label: string;
  color: string;
  values: number[];
  format: (v: number) => string;
}

const MIB = 2 ** 20;

/** Renders the chart; `notes` are printed under it, one per line. */
export function renderSoakSvg(
  samples: readonly SoakSample[],
  title: string,
  notes: readonly string[],
): string {
  const times = samples.map((s) => s.t);
  const end = Math.max(1, times.at(-1) ?? 1);
  const x = (t: number) => LEFT + (t / end) * PLOT_WIDTH;
  const panels: Panel[] = [
    {
      label: "RSS",
      color: "#2a9d8f",
      values: samples.map((s) => s.rss / MIB),
      format: (v) => `${v.toFixed(0)} MiB`,
    },
    {
      label: "JS heap",
      color: "#6c8ebf",
      values: samples.map((s) => s.heap / MIB),
      format: (v) => `${v.toFixed(0)} MiB`,
    },
    {
      label: "open fds",
      color: "#e76f51",
      values: samples.map((s) => s.fds),
      format: (v) => v.toFixed(0),
    },
    {
      label: "messages/s",
      color: "#444444",
      values: samples.map((s) => s.rate),
      format: (v) => v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0),
    },
  ];
  const out: string[] = [];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL + PANEL_GAP);
    const max = Math.max(1e-9, ...panel.values) * 1.1;
    const y = (v: number) => top + PANEL - (v / max) * PANEL;
    out.push(
      text(LEFT, top - 8, panel.label, `font-weight="bold"`),
      `<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${top + PANEL}" y2="${
        top + PANEL
      }" stroke="#ddd"/>`,
      `<line x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${
        top + PANEL
      }" stroke="#ddd"/>`,
    );
    for (const v of [0, max / 2, max / 1.1]) {
      out.push(
        text(
          LEFT - 10,
          y(v) + 4,
          panel.format(v),
          `text-anchor="end" font-size="10" fill="#555"`,
        ),
        `<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${
          y(v).toFixed(1)
        }" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
      );
    }
    const points = panel.values.map((v, j) =>
      `${x(times[j]).toFixed(1)},${y(v).toFixed(1)}`
    ).join(" ");
    out.push(
      `<polyline points="${points}" fill="none" stroke="${panel.color}" stroke-width="1.5"/>`,
    );
  });
  const bottom = TOP + panels.length * (PANEL + PANEL_GAP) - PANEL_GAP;
  const step = end > 1200 ? 300 : end > 300 ? 60 : end > 60 ? 10 : 5;
  for (let t = 0; t <= end; t += step) {
    out.push(
      text(
        x(t),
        bottom + 14,
        `${Math.round(t / 60 * 10) / 10} min`,
        `text-anchor="middle" font-size="10" fill="#555"`,
      ),
    );
  }
  const height = bottom + 34 + notes.length * 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(20, 28, title, `font-size="16" font-weight="bold"`),
    ...out,
    ...notes.map((line, i) =>
      text(20, bottom + 38 + i * 16, line, `font-size="11" fill="#333"`)
    ),
    `</svg>`,
    "",
  ].join("\n");
}
