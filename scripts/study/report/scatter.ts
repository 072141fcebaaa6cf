/**
 * CCT over time for one configuration: each create a dot at (when it was sent, how long it took), one
 * colour per cell, hollow when the create waited for a node. Inline SVG, no script.
 */
import { escapeHtml } from "../../../hub-app/src/bench/html";
import { niceStep, PALETTE } from "../../../hub-app/src/bench/svg-chart";
import type { CellResult } from "../analysis";

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 36, top: 16, bottom: 40 } as const;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

function axis(max: number): { top: number; ticks: number[] } {
  const span = max > 0 ? max : 1;
  const step = niceStep(span, 5);
  const top = Math.max(step, Math.ceil(span / step) * step);
  return {
    top,
    ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Number((i * step).toPrecision(6))),
  };
}

export function renderCctOverTime(title: string, cells: readonly CellResult[]): string {
  const points = cells.flatMap((cell) => cell.points);
  const x = axis(Math.max(0, ...points.map((p) => p.atS)));
  const y = axis(Math.max(0, ...points.map((p) => p.cctS)));
  const toX = (s: number) => MARGIN.left + (s / x.top) * PLOT_W;
  const toY = (s: number) => MARGIN.top + (1 - s / y.top) * PLOT_H;
  const grid = [
    ...x.ticks.map(
      (t) =>
        `<line x1="${toX(t).toFixed(1)}" x2="${toX(t).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}" class="grid"/><text x="${toX(t).toFixed(1)}" y="${HEIGHT - 22}" text-anchor="middle">${t} s</text>`,
    ),
    ...y.ticks.map(
      (t) =>
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${toY(t).toFixed(1)}" y2="${toY(t).toFixed(1)}" class="grid"/><text x="${MARGIN.left - 6}" y="${toY(t).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${t} s</text>`,
    ),
  ].join("");
  const series = cells
    .map((cell, index) => {
      const colour = PALETTE[index % PALETTE.length] ?? PALETTE[0];
      const label = escapeHtml(`${cell.n} every ${cell.intervalMs} ms`);
      const dots = cell.points
        .map(
          (p) =>
            `<circle cx="${toX(p.atS).toFixed(1)}" cy="${toY(p.cctS).toFixed(1)}" r="2.5" ${p.waitedForNode ? `fill="none" stroke="${colour}"` : `fill="${colour}"`}/>`,
        )
        .join("");
      return `<g data-label="${label}"><title>${label}: ${cell.points.length} creates, ${cell.waitedForNode} waited for a node</title>${dots}</g>`;
    })
    .join("");
  const frame = `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" class="frame"/>`;
  const xTitle = `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 4}" text-anchor="middle">seconds since the cell's first create (y: creation time; hollow: waited for a node)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${frame}${grid}${series}${xTitle}</svg>`;
}
