/**
 * A peer the tests start as a child process: ready when a line of its output matches, stopped
 * by SIGTERM (SIGKILL after a grace period). Its recent output goes into every error, so a peer
 * that fails to start says why.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** Enough of the output to show a traceback. */
const KEPT_OUTPUT_CHARS = 16_384;
const STOP_GRACE_MS = 5_000;

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Matched against stdout and stderr lines; its first group is handed back (e.g. the URL). */
  readonly ready: RegExp;
  readonly timeoutMs: number;
}

export interface StartedProcess {
  readonly child: ChildProcess;
  /** The `ready` pattern's first capture group. */
  readonly readyMatch: string;
  /** What the process printed lately (stdout and stderr interleaved). */
  output(): string;
  stop(): Promise<void>;
}

export async function startProcess(options: StartOptions): Promise<StartedProcess> {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const readyMatch = await new Promise<string>((resolve, reject) => {
    let pending = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${options.name} ${why}; its output:\n${output}`)));
    };
    const timer = setTimeout(() => fail(`was not ready within ${options.timeoutMs} ms`), options.timeoutMs);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-KEPT_OUTPUT_CHARS);
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = options.ready.exec(line);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1] ?? line);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (error) => fail(`could not start (${error.message})`));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
  });
  return { child, readyMatch, output: () => output, stop };
}
