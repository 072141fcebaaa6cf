import { constants } from "node:os";
import type { Readable } from "node:stream";
import { CappedOutput } from "../capped-output.js";
import type { RunResult } from "../types.js";
import { SpawnHelper } from "./spawn-helper.js";

/** One helper for every run and launch of this Hub process (spawn-helper.ts: why not fork the Hub). */
export const spawner = new SpawnHelper();

export interface ProcessRun {
  readonly argv: readonly [string, ...string[]];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly stdin?: Buffer;
}

/**
 * How long output may keep arriving after the command exited. A background process the command
 * started (`server &`) may hold stdout open for ever; the run ends with the command, not with it.
 */
const OUTPUT_DRAIN_MS = 50;

/**
 * Runs a process in its own process group, capturing capped output; on timeout the whole group
 * is killed (the command and what it started without leaving the group).
 */
export function runProcess(run: ProcessRun): Promise<RunResult> {
  const started = performance.now();
  const stdout = new CappedOutput(run.maxOutputBytes);
  const stderr = new CappedOutput(run.maxOutputBytes);
  // Started in its own process group (detached), its stdin written, by the helper.
  const child = spawner.spawn(
    run.argv,
    { ...run.env },
    {
      maxOutputBytes: run.maxOutputBytes,
      ...(run.stdin === undefined ? {} : { stdin: run.stdin }),
    },
  );
  const childStderr = child.stderr!; // a stream: no stderrFile was given
  readCapped(child.stdout, stdout);
  readCapped(childStderr, stderr);

  return new Promise<RunResult>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.killGroup();
    }, run.timeoutMs);
    child.once("error", (error: Error) => {
      clearTimeout(timer);
      child.stdout.destroy();
      childStderr.destroy();
      reject(error);
    });
    child.once("exit", (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      void drained([child.stdout, childStderr]).then(() => {
        resolve({
          exitCode: timedOut ? null : (code ?? shellExitCodeOfSignal(signal)),
          stdout: stdout.text(),
          stderr: stderr.text(),
          timedOut,
          truncated: stdout.truncated || stderr.truncated,
          durationMs: Math.round(performance.now() - started),
        });
      });
    });
  });
}

/**
 * Keeps output up to the cap, then closes the pipe: reading what is dropped anyway costs the Hub CPU,
 * and a writer on a closed pipe gets SIGPIPE, as with `| head`.
 */
function readCapped(stream: Readable, output: CappedOutput): void {
  stream.on("data", (chunk: Buffer) => {
    output.push(chunk);
    if (output.truncated) stream.destroy();
  });
}

/** A shell reports a command killed by signal N as exit code 128 + N (bash(1), EXIT STATUS). */
function shellExitCodeOfSignal(signal: NodeJS.Signals | null): number | null {
  return signal === null ? null : 128 + constants.signals[signal];
}

/** Waits until the streams end, or OUTPUT_DRAIN_MS, then stops reading them. */
function drained(streams: readonly Readable[]): Promise<void> {
  const ends = streams.map(
    (stream) =>
      new Promise<void>((resolve) =>
        stream.readableEnded || stream.destroyed ? resolve() : stream.once("end", resolve),
      ),
  );
  let timer: NodeJS.Timeout | undefined;
  const drainLimit = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_DRAIN_MS)));
  return Promise.race([Promise.all(ends).then(() => undefined), drainLimit]).finally(() => {
    clearTimeout(timer);
    for (const stream of streams) stream.destroy();
  });
}
