/** The live progress bar (filled by containers done; counts created, ready, failed, in flight), on stderr and only when stderr is a terminal. */
import cliProgress from "cli-progress";
import type { Progress } from "./run-spawn.js";

/** stderr, or any stream; the bar is drawn only when `isTTY` is true. */
export type TerminalStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface ProgressView {
  update(progress: Progress): void;
  /** Prints a line above the bar (or plainly, without one). */
  notice(line: string): void;
  stop(): void;
}

/** Redraws per second: smooth enough to watch, cheap enough not to cost the scheduler anything. */
const FRAMES_PER_SECOND = 5;

export function createProgressView(stream: TerminalStream = process.stderr): ProgressView {
  if (stream.isTTY !== true) {
    return { update: () => {}, notice: (line) => stream.write(`${line}\n`), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar({
    stream,
    fps: FRAMES_PER_SECOND,
    hideCursor: true,
    clearOnComplete: true,
    format:
      "{bar} {fired}/{total} fired | created {created} | ready {ready} | failed {failed} | in flight {inFlight}",
  });
  let started = false;
  return {
    update: (progress) => {
      if (!started) {
        bar.start(progress.total, 0, { ...progress });
        started = true;
      }
      bar.update(progress.fired - progress.inFlight, { ...progress });
    },
    notice: (line) => {
      if (started) bar.stop();
      stream.write(`${line}\n`);
      started = false;
    },
    stop: () => bar.stop(),
  };
}
