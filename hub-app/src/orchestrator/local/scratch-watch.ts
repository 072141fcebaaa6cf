import type { Logger } from "pino";
import { scratchUsage, type ScratchUse } from "./scratch-usage.js";

/**
 * How often a sandbox's disk use is measured: the kubelet's default housekeeping interval, at which
 * it checks its pods' emptyDir sizeLimits (kubelet --housekeeping-interval, 10s).
 */
export const SCRATCH_CHECK_MS = 10_000;

export interface ScratchWatchParts {
  readonly limit: ScratchUse;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** The running sandboxes to measure: id -> folder. */
  running(): Promise<ReadonlyMap<string, string>>;
  /** Stops a sandbox past the limit and frees its scratch space. */
  evict(id: string, used: ScratchUse): Promise<void>;
}

/**
 * Measures every running sandbox's scratch folders each interval and evicts those past the limit,
 * as the kubelet evicts a pod whose emptyDir outgrew its sizeLimit: on a host disk with no quota
 * (HUB_LOCAL_ROOT may be any folder), one sandbox could otherwise fill the disk every other sandbox
 * and the Hub write to. Between two checks a sandbox can write more than its limit, each file no
 * larger than it (RLIMIT_FSIZE, sandbox-args.ts); one pass at a time. Inodes count too: a file system
 * runs out of them as surely as of blocks, and a million empty files take none of the latter.
 */
export class ScratchWatch {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;

  constructor(private readonly parts: ScratchWatchParts) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.checkNow(), this.parts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** One pass: a pass still under way when the timer fires again is joined, not doubled. */
  checkNow(): Promise<void> {
    this.pass ??= this.check()
      .catch((error: unknown) =>
        this.parts.logger.warn({ err: error }, "could not measure sandboxes' disk use"),
      )
      .finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async check(): Promise<void> {
    const usage = await scratchUsage(await this.parts.running());
    const { limit } = this.parts;
    for (const [id, used] of usage) {
      if (used.bytes <= limit.bytes && used.inodes <= limit.inodes) continue;
      this.parts.logger.warn({ id, used, limit }, "evicting a sandbox past its disk limit");
      await this.parts
        .evict(id, used)
        .catch((error: unknown) => this.parts.logger.warn({ err: error, id }, "could not evict a sandbox"));
    }
  }
}
