/** The declared load, from command-line values: every one checked, with what is allowed when it is not. */
import type { DeclaredLoad } from "./model";

export const DEFAULT_LOAD: DeclaredLoad = {
  region: "us-east-1",
  studentsPerHour: 300,
  sessionMinutes: 60,
  peakCreatesPerSecond: 1,
  warmPoolSize: 0,
  imageGb: 0.05,
  egressGbPerHour: 1,
  loadBalancerUnits: 1,
};

/** Flag, field, bounds and whether it must be whole. */
const NUMERIC: readonly (readonly [string, keyof DeclaredLoad, number, number, boolean])[] = [
  ["--students-per-hour", "studentsPerHour", 0, 1_000_000, false],
  ["--session-minutes", "sessionMinutes", 1, 24 * 60, false],
  ["--peak-creates-per-second", "peakCreatesPerSecond", 0, 1000, false],
  ["--warm-pool", "warmPoolSize", 0, 10_000, true],
  ["--image-gb", "imageGb", 0, 100, false],
  ["--egress-gb-per-hour", "egressGbPerHour", 0, 1_000_000, false],
  ["--lb-units", "loadBalancerUnits", 0, 10_000, false],
];

export const LOAD_FLAGS = ["--region", ...NUMERIC.map(([flag]) => flag)] as const;

function numberOf(flag: string, text: string, min: number, max: number, whole: boolean): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new Error(
      `${flag} must be a ${whole ? "whole number" : "number"} from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

/** Applies `--flag value` pairs that name load fields to the defaults. */
export function declaredLoad(values: Readonly<Record<string, string>>): DeclaredLoad {
  const load: Record<string, unknown> = { ...DEFAULT_LOAD };
  for (const [flag, text] of Object.entries(values)) {
    if (flag === "--region") {
      load.region = text;
      continue;
    }
    const spec = NUMERIC.find(([known]) => known === flag);
    if (spec === undefined) throw new Error(`unknown load option ${flag}: use ${LOAD_FLAGS.join(", ")}`);
    const [, field, min, max, whole] = spec;
    load[field] = numberOf(flag, text, min, max, whole);
  }
  return load as unknown as DeclaredLoad;
}
