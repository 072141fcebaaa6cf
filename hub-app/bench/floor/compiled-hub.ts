/**
 * The Hub as production runs it: the compiled build (tsc output in hub-app/dist) in a process of
 * its own, so its memory, its event loop and its forks are the Hub's alone, not the benchmark's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { httpCall } from "./load.js";

const HUB_APP = join(import.meta.dirname, "..", "..");

export interface CompiledHub {
  readonly url: string;
  readonly pid: number;
  /** The Hub's API token (also its /metrics token). */
  readonly token: string;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Resident set size now and its peak (VmHWM), in MiB (proc(5)). */
  memory(): Promise<{ rssMiB: number; peakMiB: number }>;
  stop(): Promise<void>;
}

/** Runs `npm run build` in hub-app: the benchmark measures what the Docker image runs. */
export async function buildHub(): Promise<void> {
  const child = spawn("npm", ["run", "build"], { cwd: HUB_APP, stdio: ["ignore", "ignore", "inherit"] });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`npm run build exited ${code}`);
}

export async function startCompiledHub(env: Readonly<Record<string, string>>): Promise<CompiledHub> {
  const token = "floor-bench-token-0123456789abcdef";
  const child = spawn(process.execPath, [join(HUB_APP, "dist", "server.js")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "error",
      HUB_API_TOKEN: token,
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await listeningUrl(child);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const pid = child.pid!;
  return {
    url,
    pid,
    token,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await httpCall(`${url}${path}`, method, {
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${response.body.toString()}`);
      return (response.status === 204 ? undefined : JSON.parse(response.body.toString())) as T;
    },
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kib = (field: string): number =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
      return { rssMiB: kib("VmRSS") / 1024, peakMiB: kib("VmHWM") / 1024 };
    },
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/** The server prints `Hub (local) listening on http://127.0.0.1:<port>` once it accepts connections. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the compiled Hub exited (${code}) before listening`)));
  });
}
