import { isSameProcessAlive } from "./process-info.js";

/**
 * How long a sandbox init's start time, once checked in /proc, is trusted while its pid answers
 * kill(pid, 0). The start time only guards against the pid being reused after the init died,
 * which takes the pid counter wrapping around (pid_max, proc(5)) within this window.
 */
const VERIFIED_FOR_MS = 5_000;

/**
 * Whether sandbox inits are alive, cheaply enough for list and get at a thousand containers:
 * kill(pid, 0) (no signal sent: only whether the pid exists, kill(2)) on every call, the start
 * time in /proc/<pid>/stat at most once per VERIFIED_FOR_MS. A dead init is seen at once: pid 1 of
 * a pid namespace is reaped by its bwrap as soon as it dies. A command is entered by hub-launch,
 * which checks the start time itself once it holds the init's namespaces (native/hub-launch.c).
 */
export class InitLiveness {
  private readonly verifiedAt = new Map<number, { startTime: string; at: number }>();

  /** At once (no promise) when the start time was checked within VERIFIED_FOR_MS: a list of a thousand makes no thousand promises. */
  isAlive(pid: number, startTime: string): boolean | Promise<boolean> {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EPERM") {
        this.verifiedAt.delete(pid);
        return false;
      }
    }
    const verified = this.verifiedAt.get(pid);
    const now = performance.now();
    if (verified?.startTime === startTime && now - verified.at < VERIFIED_FOR_MS) return true;
    return this.verify(pid, startTime, now);
  }

  private async verify(pid: number, startTime: string, now: number): Promise<boolean> {
    const alive = await isSameProcessAlive(pid, startTime);
    if (alive) this.verifiedAt.set(pid, { startTime, at: now });
    else this.verifiedAt.delete(pid);
    return alive;
  }

  /** The start time just read from /proc for `pid` (a sandbox launched this moment): trusted as a check. */
  verified(pid: number, startTime: string): void {
    this.verifiedAt.set(pid, { startTime, at: performance.now() });
  }

  forget(pid: number): void {
    this.verifiedAt.delete(pid);
  }
}
