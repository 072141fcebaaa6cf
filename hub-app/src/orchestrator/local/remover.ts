import type { Logger } from "pino";
import { runProcess } from "./run-process.js";
import { hostTool } from "./host-tools.js";
import { HOST_TOOLS_ENV, HOST_TOOLS_PATH } from "./sandbox-args.js";

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
  // After a turn of the event loop: the delete that queued this answers before the removal starts.
  const removal = tail.then(nextTurn).then(async () => {
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

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function isBeingRemoved(path: string): boolean {
  return queued.has(path);
}

/** Resolves when everything queued so far is removed (tests, shutdown). */
export function removalsDone(): Promise<void> {
  return tail;
}

/** A million small files take seconds to remove; an hour is a removal stuck, killed and retried by the next reconcile. */
const REMOVE_TIMEOUT_MS = 3_600_000;

/**
 * `rm -rf` at the lowest CPU priority, started by the spawn helper (spawn-helper.ts): a fork of the
 * Hub itself costs in proportion to its memory, on its event loop, and the delete that queued this
 * removal would answer only after that fork (5 of a delete's 8 ms here, hub-app/bench/floor.ts).
 */
async function removeTree(path: string): Promise<void> {
  const result = await runProcess({
    // --one-file-system: a sandbox's folder holds no mounts; never cross into one if something put it there.
    argv: [
      hostTool("nice", HOST_TOOLS_PATH),
      "-n",
      "19",
      hostTool("rm", HOST_TOOLS_PATH),
      "-rf",
      "--one-file-system",
      "--",
      path,
    ],
    env: HOST_TOOLS_ENV,
    timeoutMs: REMOVE_TIMEOUT_MS,
    maxOutputBytes: 4096,
  });
  if (result.exitCode !== 0)
    throw new Error(`rm -rf ${path} exited ${result.exitCode ?? "on its timeout"}: ${result.stderr.trim()}`);
}
