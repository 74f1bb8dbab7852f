/** SVG text for the charts (bench/svg.ts, bench/soak_svg.ts). */

/** Escapes text for SVG content and attribute values. */
export function escape(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`,
  );
}

/** A `<text>` element at (x, y). */
export function text(
  x: number,
  y: number,
  content: string,
  attrs = "",
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${
    escape(content)
  }</text>`;
}
