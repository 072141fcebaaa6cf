/**
 * A lock between processes on one machine (two worktrees building the same cache at once): a
 * file created exclusively, holding the owner's pid; a lock whose owner has died is taken over.
 */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 500;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryTake(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number(readFileSync(path, "utf8").trim());
    // Empty while its owner is between open and write: leave it to the owner.
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) rmSync(path, { force: true });
    return false;
  }
}

export async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  let announced = false;
  while (!tryTake(path)) {
    if (!announced) console.log(`Waiting for another build that holds ${path}`);
    announced = true;
    await sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
