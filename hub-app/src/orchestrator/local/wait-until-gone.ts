import { setTimeout as delay } from "node:timers/promises";
import { isSameProcessAlive } from "./process-info.js";

// A killed pid namespace is torn down in well under a millisecond per process; 5 ms polls are cheap.
const POLL_MS = 5;

/** Resolves once the process is gone (or a zombie), or after `timeoutMs`; a process not our child cannot be awaited otherwise. */
export async function waitUntilGone(pid: number, startTime: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isSameProcessAlive(pid, startTime))) return true;
    await delay(POLL_MS);
  }
  return false;
}
