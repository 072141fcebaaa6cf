/**
 * The cluster's processes: each started detached in its own process group, its output in
 * logs/<name>.log and its pid in pids/<name>.json, so `down` (from another process) stops
 * exactly what `up` started and nothing else.
 */
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface PidRecord {
  readonly pid: number;
  readonly program: string;
}

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

/** What every component sees of the caller's environment: PATH and locale, not its secrets. */
export function componentEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: home,
    ...extra,
  };
}

export function startProcess(
  dir: string,
  name: string,
  program: string,
  args: readonly string[],
  env: Record<string, string>,
): Started {
  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "pids"), { recursive: true });
  const log = join(dir, "logs", `${name}.log`);
  const out = openSync(log, "a");
  const child = spawn(program, args, { cwd: dir, env, detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${program})`);
  const record: PidRecord = { pid: child.pid, program };
  writeFileSync(join(dir, "pids", `${name}.json`), JSON.stringify(record));
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.on("error", () => resolve(-1));
  });
  child.unref();
  return { name, pid: child.pid, log, exited };
}

/** True while `pid` is alive and still runs `program` (a pid can be reused once it has exited). */
function stillOurs(record: PidRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, "utf8");
    return cmdline.split("\0")[0] === record.program;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The negative pid is the process group the detached child leads: the component and whatever it ran.
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every process recorded under `dir`: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(dir: string, graceMs = 10_000): Promise<string[]> {
  const pidsDir = join(dir, "pids");
  let files: string[];
  try {
    files = readdirSync(pidsDir).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  const records = files.map((file) => ({
    file: join(pidsDir, file),
    name: file.replace(/\.json$/, ""),
    record: JSON.parse(readFileSync(join(pidsDir, file), "utf8")) as PidRecord,
  }));
  const running = records.filter(({ record }) => stillOurs(record));
  for (const { record } of running) signalGroup(record.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (running.some(({ record }) => stillOurs(record)) && Date.now() < deadline) await sleep(100);
  for (const { record } of running) if (stillOurs(record)) signalGroup(record.pid, "SIGKILL");
  for (const { file } of records) rmSync(file, { force: true });
  return running.map(({ name }) => name);
}

/** The last lines of a component's log, for an error message. */
export function logTail(log: string, lines = 15): string {
  try {
    return readFileSync(log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
