/**
 * The report's distribution charts: one empirical CDF per label (x: time, y: share of containers at or under
 * it), inline SVG with no script. Each label is one `<g data-label>` holding one `<path data-series>`.
 */
import { escapeHtml } from "./html.js";

export interface Series {
  readonly label: string;
  readonly valuesMs: readonly number[];
}

const WIDTH = 640;
const HEIGHT = 300;
// The right margin holds half of the last tick label, which is centred on the plot's right edge.
const MARGIN = { left: 56, right: 36, top: 16, bottom: 40 } as const;
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
/** Colour-blind-safe palette (Okabe-Ito); more series reuse it. */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#F0E442",
] as const;
/** Past this max/min ratio the x axis is logarithmic, so 50 ms and 80 s runs both stay readable. */
const LOG_SCALE_RATIO = 50;
const PERCENTILE_LINES = [0.5, 0.9, 0.99] as const;

interface Scale {
  readonly toX: (ms: number) => number;
  readonly ticksMs: readonly number[];
}

/** A round tick step (1, 2 or 5 times a power of ten) that cuts `span` into at most `count` parts. */
export function niceStep(span: number, count: number): number {
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= rough) ?? 10 * power;
}

function linearScale(maxMs: number): Scale {
  const step = niceStep(maxMs > 0 ? maxMs : 1, 5);
  // The axis ends on a round tick at or past the largest value, so every tick reads as a round number.
  const top = Math.max(step, Math.ceil((maxMs > 0 ? maxMs : 1) / step) * step);
  const ticksMs = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { toX: (ms) => MARGIN.left + (ms / top) * PLOT_WIDTH, ticksMs };
}

function logScale(minMs: number, maxMs: number): Scale {
  const low = Math.floor(Math.log10(minMs));
  const high = Math.ceil(Math.log10(maxMs));
  const ticksMs = Array.from({ length: high - low + 1 }, (_, index) => 10 ** (low + index));
  const toX = (ms: number): number =>
    MARGIN.left + ((Math.log10(Math.max(ms, 10 ** low)) - low) / Math.max(1, high - low)) * PLOT_WIDTH;
  return { toX, ticksMs };
}

function chooseScale(series: readonly Series[]): Scale {
  const all = series.flatMap((entry) => entry.valuesMs);
  const positive = all.filter((value) => value > 0);
  if (positive.length === 0) return linearScale(0);
  const minMs = Math.min(...positive);
  const maxMs = Math.max(...positive);
  return maxMs / minMs > LOG_SCALE_RATIO ? logScale(minMs, maxMs) : linearScale(maxMs);
}

const toY = (share: number): number => MARGIN.top + (1 - share) * PLOT_HEIGHT;

function formatTick(ms: number): string {
  if (ms === 0) return "0";
  const seconds = ms / 1000;
  return seconds >= 1 ? `${Number(seconds.toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

/** The ECDF as a step path: up by 1/n at each sorted value. */
export function ecdfPath(valuesMs: readonly number[], toX: (ms: number) => number): string {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  if (sorted.length === 0) return "";
  const steps = sorted.map(
    (value, index) => `H${toX(value).toFixed(1)}V${toY((index + 1) / sorted.length).toFixed(1)}`,
  );
  return `M${toX(sorted[0] ?? 0).toFixed(1)},${toY(0).toFixed(1)}${steps.join("")}`;
}

function axes(scale: Scale, title: string): string {
  const xTicks = scale.ticksMs
    .map((ms) => {
      const x = scale.toX(ms).toFixed(1);
      return `<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_HEIGHT}" class="grid"/><text x="${x}" y="${HEIGHT - 22}" text-anchor="middle">${escapeHtml(formatTick(ms))}</text>`;
    })
    .join("");
  const yLines = PERCENTILE_LINES.map((share) => {
    const y = toY(share).toFixed(1);
    return `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_WIDTH}" y1="${y}" y2="${y}" class="grid"/><text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">p${Math.round(share * 100)}</text>`;
  }).join("");
  const frame = `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" class="frame"/>`;
  const xTitle = `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(title)}</text>`;
  return frame + xTicks + yLines + xTitle;
}

/** One chart; series keep the palette colour of their position so every chart of a report agrees. */
export function renderEcdfChart(title: string, series: readonly Series[]): string {
  const scale = chooseScale(series);
  const groups = series
    .map((entry, index) => {
      const colour = PALETTE[index % PALETTE.length] ?? PALETTE[0];
      const label = escapeHtml(entry.label);
      const path = `<path data-series="${label}" d="${ecdfPath(entry.valuesMs, scale.toX)}" stroke="${colour}" fill="none" stroke-width="2"/>`;
      return `<g data-label="${label}"><title>${label} (${entry.valuesMs.length} samples)</title>${path}</g>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${axes(scale, title)}${groups}</svg>`;
}

/** The legend shared by a section's charts. */
export function renderLegend(labels: readonly string[]): string {
  const items = labels
    .map(
      (label, index) =>
        `<li><span class="swatch" style="background:${PALETTE[index % PALETTE.length] ?? PALETTE[0]}"></span>${escapeHtml(label)}</li>`,
    )
    .join("");
  return `<ul class="legend">${items}</ul>`;
}
