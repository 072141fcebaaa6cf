import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { HOST_TOOLS_ENV } from "./sandbox-args.js";

/**
 * Removes deleted sandboxes' folders in the background, one at a time, with `rm -rf` in a child
 * process at the lowest CPU priority: a sandbox holding a million small files takes seconds to
 * remove, and none of that work runs on the Hub's event loop or its libuv threads. Shared by
 * every orchestrator in this process, so a folder is removed once. A Hub that dies first leaves
 * the `.deleting-*` folder for the next reconcile to remove.
 */
const queued = new Map<string, Promise<void>>();
let tail: Promise<void> = Promise.resolve();

/** Queues the removal of `path`; `then` runs once it is gone (release the uid...). */
export function removeInBackground(
  path: string,
  logger: Logger,
  then: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const existing = queued.get(path);
  if (existing !== undefined) return existing;
  const removal = tail.then(async () => {
    await removeTree(path);
    await then();
  });
  const settled = removal
    .catch((error: unknown) => {
      // The next reconcile (the reaper's) finds the folder again and retries.
      logger.warn({ err: error, path }, "could not remove a deleted sandbox's folder");
    })
    .finally(() => queued.delete(path));
  queued.set(path, settled);
  tail = settled;
  return settled;
}

export function isBeingRemoved(path: string): boolean {
  return queued.has(path);
}

/** Resolves when everything queued so far is removed (tests, shutdown). */
export function removalsDone(): Promise<void> {
  return tail;
}

function removeTree(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // --one-file-system: a sandbox's folder holds no mounts; never cross into one if something put it there.
    const child = spawn("nice", ["-n", "19", "rm", "-rf", "--one-file-system", "--", path], {
      env: HOST_TOOLS_ENV,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`rm -rf ${path} exited ${code}: ${stderr.trim()}`)),
    );
  });
}
