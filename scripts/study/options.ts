/** `npm run study` and `npm run study -- cost`: the command line, checked before anything starts. */
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { STUDY_INTERVALS_MS, STUDY_SIZES } from "../../hub-app/src/bench/study-grid";
import { declaredLoad, LOAD_FLAGS } from "./cost/load-options";
import type { DeclaredLoad } from "./cost/model";
import { fullGrid, quickGrid, STUDY_CONFIGS, type Cell, type StudyConfig } from "./grid";

export const USAGE = `usage: npm run study [-- --quick] [--json <file>] [--out <report.html>] [--node-provisioning-seconds 90]
                       [--configs ${STUDY_CONFIGS.join(",")}] [--sizes ${STUDY_SIZES.join(",")}] [--intervals ${STUDY_INTERVALS_MS.join(",")}]
                       [--dir <cluster folder>] [load options, for the cost part]
       npm run study -- cost [--json <file>] [load options]
load options: ${LOAD_FLAGS.join(" <n> ")} <n>`;

export interface StudyOptions {
  readonly command: "run";
  readonly cells: readonly Cell[];
  readonly nodeProvisioningSeconds: number;
  readonly jsonPath?: string;
  readonly reportPath: string;
  readonly dir: string;
  readonly load: DeclaredLoad;
}

export interface CostOptions {
  readonly command: "cost";
  readonly jsonPath?: string;
  readonly load: DeclaredLoad;
}

function fail(message: string): never {
  throw new Error(`${message}\n${USAGE}`);
}

function wholeList(flag: string, text: string, allowed: readonly number[]): number[] {
  const values = text.split(",").map((item) => item.trim());
  const bad = values.filter((value) => !allowed.map(String).includes(value));
  if (values.length === 0 || bad.length > 0)
    fail(`${flag} takes a comma list of ${allowed.join(", ")}, got "${text}"`);
  return values.map(Number);
}

function configList(text: string): StudyConfig[] {
  const values = text.split(",").map((item) => item.trim());
  const bad = values.filter((value) => !(STUDY_CONFIGS as readonly string[]).includes(value));
  if (bad.length > 0) fail(`--configs takes a comma list of ${STUDY_CONFIGS.join(", ")}, got "${text}"`);
  return values as StudyConfig[];
}

function seconds(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= 1800))
    fail(`--node-provisioning-seconds must be a whole number from 1 to 1800, got "${text}"`);
  return value;
}

/** Paths as the user typed them: relative to where `npm run` was called (npm sets INIT_CWD). */
function fromCaller(path: string, env: NodeJS.ProcessEnv): string {
  return isAbsolute(path) ? path : resolve(env.INIT_CWD ?? process.cwd(), path);
}

const LOAD_OPTIONS = Object.fromEntries(
  LOAD_FLAGS.map((flag) => [flag.slice(2), { type: "string" as const }]),
);

export function parseStudyArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultDir: string,
): StudyOptions | CostOptions {
  const [first, ...rest] = argv;
  const isCost = first === "cost";
  let parsed;
  try {
    parsed = parseArgs({
      args: isCost ? rest : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        json: { type: "string" },
        out: { type: "string" },
        dir: { type: "string" },
        "node-provisioning-seconds": { type: "string" },
        configs: { type: "string" },
        sizes: { type: "string" },
        intervals: { type: "string" },
        ...LOAD_OPTIONS,
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  const loadValues = Object.fromEntries(
    LOAD_FLAGS.map((flag) => [flag, values[flag.slice(2) as keyof typeof values]]).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
  const load = declaredLoad(loadValues);
  const jsonPath = values.json === undefined ? undefined : fromCaller(values.json, env);
  if (isCost) {
    const runOnly = [
      "quick",
      "out",
      "dir",
      "node-provisioning-seconds",
      "configs",
      "sizes",
      "intervals",
    ].filter((name) => values[name as keyof typeof values] !== undefined);
    if (runOnly.length > 0) fail(`cost takes only --json and load options, not --${runOnly.join(", --")}`);
    return { command: "cost", ...(jsonPath === undefined ? {} : { jsonPath }), load };
  }
  if (
    values.quick === true &&
    [values.configs, values.sizes, values.intervals].some((v) => v !== undefined)
  ) {
    fail("--quick is a fixed subset: leave out --configs, --sizes and --intervals");
  }
  const configs = values.configs === undefined ? [...STUDY_CONFIGS] : configList(values.configs);
  const sizes =
    values.sizes === undefined ? [...STUDY_SIZES] : wholeList("--sizes", values.sizes, STUDY_SIZES);
  const intervals =
    values.intervals === undefined
      ? [...STUDY_INTERVALS_MS]
      : wholeList("--intervals", values.intervals, STUDY_INTERVALS_MS);
  const cells =
    values.quick === true
      ? quickGrid()
      : fullGrid(configs).filter((cell) => sizes.includes(cell.n) && intervals.includes(cell.intervalMs));
  return {
    command: "run",
    cells,
    nodeProvisioningSeconds:
      values["node-provisioning-seconds"] === undefined ? 90 : seconds(values["node-provisioning-seconds"]),
    ...(jsonPath === undefined ? {} : { jsonPath }),
    reportPath: fromCaller(values.out ?? "study-report.html", env),
    dir: values.dir === undefined ? defaultDir : fromCaller(values.dir, env),
    load,
  };
}
