/** Runs the CLI in-process with captured output, as a user would from a shell. */
import { Writable } from "node:stream";
import { runCli, type CliIo } from "../../src/bench/program.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: {}, ...io });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The CLI's promise: bad input gives exactly one line on stderr. */
export function oneLine(text: string): string {
  const lines = text.split("\n").filter((line) => line !== "");
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${text}`);
  return lines[0] ?? "";
}
