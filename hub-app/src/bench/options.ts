/** Turns the CLI's raw strings into checked settings; every bad value is one UsageError naming it and what is allowed. */
import { PLACEMENTS, type Placement } from "../orchestrator/registry.js";

/** Bad input from the user: the CLI prints the message on one line and exits 2, before anything is created. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const PLACEMENT_HELP = `where sandboxes run: ${PLACEMENTS.join(", ")} (default: the Hub's)`;

export const SCENARIOS = ["basic", "exec", "web"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The study's exec scenario: `ls /`, 10 times per container (seeds/000). */
export const EXEC_COMMAND = ["ls", "/"] as const;
export const EXEC_REPEATS = 10;

/** The web scenario's GETs through the port URL per container, once the app answers. */
export const WEB_REQUESTS = 20;
export const DEFAULT_APP_PORT = 8000;
/** The web scenario's app when no --start is given: Python's standard-library file server (in the default images). */
export const DEFAULT_START = "python3 -m http.server $PORT";

/** The web scenario: what each container serves and how it starts. */
export interface WebAppSettings {
  /** Uploaded into the working directory (recursively); absent: one small index.html. */
  readonly dir?: string;
  /** Run with sh in the background, with PORT set to `port`. */
  readonly start: string;
  readonly port: number;
}

/** How long Ctrl-C waits for creates in flight so their containers can be deleted; a second Ctrl-C stops waiting. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 120_000;

export interface RawSpawnOptions {
  readonly n?: string;
  readonly interval?: string;
  readonly cpu?: string;
  readonly mem?: string;
  readonly placement?: string;
  readonly fargate?: boolean;
  readonly image?: string;
  readonly files?: readonly string[];
  readonly scenario?: string;
  readonly keep?: boolean;
  readonly hub?: string;
  readonly token?: string;
  readonly json?: string;
  readonly label?: string;
  readonly ttl?: string;
  readonly drainTimeout?: string;
  readonly app?: string;
  readonly start?: string;
  readonly appPort?: string;
}

export interface SpawnSettings {
  readonly count: number;
  readonly intervalMs: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly placement?: Placement;
  readonly image?: string;
  readonly files: readonly string[];
  readonly scenario: Scenario;
  readonly keep: boolean;
  /** Absent: start an embedded Hub on the local orchestrator. */
  readonly hubUrl?: string;
  readonly token?: string;
  readonly jsonPath?: string;
  readonly label?: string;
  readonly ttlSeconds?: number;
  readonly drainTimeoutMs: number;
  /** The web scenario only. */
  readonly app?: WebAppSettings;
}

// Plain decimals only: Number() would also take " 5 ", "0x10" and "1e9".
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

function parseNumber(flag: string, raw: string, allowed: string, accept: (value: number) => boolean): number {
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || !accept(value))
    throw new UsageError(`${flag} must be ${allowed}, got "${raw}"`);
  return value;
}

export const positiveInteger = (flag: string, raw: string): number =>
  parseNumber(flag, raw, "a whole number >= 1", (value) => Number.isInteger(value) && value >= 1);

/** Ten times the study's largest cell: more is a typo, and each container holds a socket and a sandbox. */
export const MAX_CONTAINERS = 10_000;

export const containerCount = (raw: string): number =>
  parseNumber(
    "-n",
    raw,
    `a whole number from 1 to ${MAX_CONTAINERS}`,
    (value) => Number.isInteger(value) && value >= 1 && value <= MAX_CONTAINERS,
  );

export const nonNegativeNumber = (flag: string, raw: string): number =>
  parseNumber(flag, raw, "a number >= 0", (value) => value >= 0);

export const positiveNumber = (flag: string, raw: string): number =>
  parseNumber(flag, raw, "a number > 0", (value) => value > 0);

/** Comma list of whole numbers >= 1 (e.g. `--sizes 1,20,100`). */
export function positiveIntegerList(flag: string, raw: string): number[] {
  const parts = raw.split(",").map((part) => part.trim());
  if (parts.some((part) => part === ""))
    throw new UsageError(`${flag} must be a comma list of whole numbers >= 1, got "${raw}"`);
  return parts.map((part) => positiveInteger(flag, part));
}

export function parsePlacement(raw: string): Placement {
  const placement = PLACEMENTS.find((known) => known === raw);
  if (placement === undefined)
    throw new UsageError(`--placement must be one of ${PLACEMENTS.join(", ")}, got "${raw}"`);
  return placement;
}

export function parseScenario(raw: string): Scenario {
  const scenario = SCENARIOS.find((known) => known === raw);
  if (scenario === undefined)
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(", ")}, got "${raw}"`);
  return scenario;
}

export const portNumber = (flag: string, raw: string): number =>
  parseNumber(
    flag,
    raw,
    "a port number from 1 to 65535",
    (value) => Number.isInteger(value) && value >= 1 && value <= 65535,
  );

/** --app, --start and --app-port: the web scenario's app; refused with any other scenario, where nothing would use them. */
export function parseWebApp(
  scenario: Scenario,
  raw: { readonly app?: string; readonly start?: string; readonly appPort?: string },
): WebAppSettings | undefined {
  if (scenario !== "web") {
    const given = (["app", "start", "appPort"] as const).find((name) => raw[name] !== undefined);
    if (given === undefined) return undefined;
    const flag = given === "appPort" ? "--app-port" : `--${given}`;
    throw new UsageError(`${flag} belongs to --scenario web (got --scenario ${scenario})`);
  }
  const start = raw.start?.trim() ?? DEFAULT_START;
  if (start === "") throw new UsageError("--start must not be empty");
  return {
    ...(raw.app === undefined ? {} : { dir: raw.app }),
    start,
    port: raw.appPort === undefined ? DEFAULT_APP_PORT : portNumber("--app-port", raw.appPort),
  };
}

/** An http(s) URL; credentials in it are refused so they never land in JSON files or logs. */
export function parseHubUrl(flag: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} must be an http:// or https:// URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an http:// or https:// URL, got "${raw}"`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(`${flag} must not carry credentials; pass the token with --token or HUB_TOKEN`);
  }
  return url.toString();
}

function resolvePlacement(raw: RawSpawnOptions): Placement | undefined {
  const placement = raw.placement === undefined ? undefined : parsePlacement(raw.placement);
  if (raw.fargate === true && placement !== undefined && placement !== "fargate") {
    throw new UsageError(`--fargate conflicts with --placement ${placement}; pass one of them`);
  }
  return raw.fargate === true ? "fargate" : placement;
}

/** Checks every spawn option; the token comes from --token, else the HUB_TOKEN environment variable. */
export function parseSpawnOptions(raw: RawSpawnOptions, env: NodeJS.ProcessEnv = process.env): SpawnSettings {
  const hubUrl = raw.hub === undefined ? undefined : parseHubUrl("--hub", raw.hub);
  const placement = resolvePlacement(raw);
  if (hubUrl === undefined && placement !== undefined && placement !== "local") {
    throw new UsageError(
      `--placement ${placement} needs --hub: the embedded Hub runs the local orchestrator only`,
    );
  }
  const token = raw.token ?? (env.HUB_TOKEN === "" ? undefined : env.HUB_TOKEN);
  if (hubUrl !== undefined && token === undefined) {
    throw new UsageError("--hub needs a token: pass --token or set HUB_TOKEN");
  }
  const label = raw.label?.trim();
  if (label === "") throw new UsageError("--label must not be empty");
  const scenario = parseScenario(raw.scenario ?? "basic");
  const app = parseWebApp(scenario, raw);
  return {
    count: containerCount(raw.n ?? "1"),
    intervalMs: nonNegativeNumber("--interval", raw.interval ?? "100"),
    cpu: positiveNumber("--cpu", raw.cpu ?? "0.1"),
    memoryMiB: positiveInteger("--mem", raw.mem ?? "128"),
    ...(placement === undefined ? {} : { placement }),
    ...(raw.image === undefined ? {} : { image: raw.image }),
    files: raw.files ?? [],
    scenario,
    ...(app === undefined ? {} : { app }),
    keep: raw.keep === true,
    ...(hubUrl === undefined ? {} : { hubUrl }),
    ...(token === undefined || hubUrl === undefined ? {} : { token }),
    ...(raw.json === undefined ? {} : { jsonPath: raw.json }),
    ...(label === undefined ? {} : { label }),
    ...(raw.ttl === undefined ? {} : { ttlSeconds: positiveInteger("--ttl", raw.ttl) }),
    drainTimeoutMs: nonNegativeNumber(
      "--drain-timeout",
      raw.drainTimeout ?? String(DEFAULT_DRAIN_TIMEOUT_MS),
    ),
  };
}
