import type { Logger } from "pino";
import type { SandboxMeta } from "./meta.js";
import { processStartTime } from "./process-info.js";
import { removeInBackground } from "./remover.js";
import { sendKill, waitForExit, type StartedMeta } from "./sandbox-info.js";
import { sandboxProcesses } from "./sandbox-processes.js";
import type { SandboxRoot } from "./sandbox-root.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";
import type { UidClaims } from "./uid-claims.js";
import { waitUntilGone } from "./wait-until-gone.js";

const KILL_WAIT_MS = 10_000;
const CGROUP_GRACE_MS = 2000;

export interface DeleteParts {
  readonly root: SandboxRoot;
  readonly claims: UidClaims | undefined;
  readonly logger: Logger;
  /** The sandboxes' cgroups, when the host has them: a delete removes the sandbox's. */
  readonly cgroups: SandboxCgroups | undefined;
}

/**
 * Teardowns still under way after their delete answered, by the sandbox's retired folder: waiting
 * for the processes to end, removing the cgroup, then the files and the uid (in the remover's queue).
 */
const tearingDown = new Map<string, Promise<void>>();
// Past this many, a delete answers only once its own teardown is done: sandboxes deleted faster than
// they end cannot pile up as processes nobody counts any more.
export const MAX_TEARDOWNS = 32;

/**
 * Deletes a sandbox; false when it was not there. Its folder is renamed aside (the atomic step: a
 * second delete or a claim of it finds nothing) and its init SIGKILLed, and then it answers, as ECS
 * StopTask and a pod's deletion answer before the containers have stopped: the kill cannot be
 * caught, and nothing can enter the sandbox any more. Waiting for its processes to end, removing its
 * cgroup, then its files and its uid follow in the background (teardownsDone). A sandbox whose init
 * was never recorded (its creator died mid-create) is found by its processes' command lines, and
 * the delete waits for those to end, as for any sandbox whose init is not running.
 */
export async function deleteSandbox(
  parts: DeleteParts,
  directory: string,
  meta: SandboxMeta,
): Promise<boolean> {
  const doomed = await parts.root.retire(directory, meta.id);
  if (doomed === undefined) return false;
  const killed = sendKill(meta);
  const teardown = tearDown(parts, doomed, meta, killed);
  if (!killed || tearingDown.size >= MAX_TEARDOWNS) await teardown;
  else track(doomed, teardown, parts.logger);
  return true;
}

async function tearDown(
  parts: DeleteParts,
  doomed: string,
  meta: SandboxMeta,
  killed: boolean,
): Promise<void> {
  if (killed) await waitForExit(meta as StartedMeta);
  else if (meta.initPid === undefined) await killUnrecorded(parts.root.path, meta.id);
  // The init's death ends its pid namespace; its bwrap parent then exits by itself. What is left is killed.
  await parts.cgroups?.remove(meta.id, undefined, CGROUP_GRACE_MS);
  void removeInBackground(doomed, parts.logger, async () => {
    if (meta.hostUid !== undefined) await parts.claims?.release(meta.hostUid);
  });
}

function track(doomed: string, teardown: Promise<void>, logger: Logger): void {
  const settled = teardown
    .catch((error: unknown) => {
      // The retired folder stays: the next reconcile (the reaper's) kills and removes what is left.
      logger.warn({ err: error, path: doomed }, "could not finish tearing down a deleted sandbox");
    })
    .finally(() => tearingDown.delete(doomed));
  tearingDown.set(doomed, settled);
}

/** Whether a delete of this process is still tearing down the sandbox retired to `doomed`. */
export function isTearingDown(doomed: string): boolean {
  return tearingDown.has(doomed);
}

/** Resolves when every teardown under way has ended (tests, shutdown). */
export async function teardownsDone(): Promise<void> {
  await Promise.all(tearingDown.values());
}

async function killUnrecorded(root: string, id: string): Promise<void> {
  const pids = (await sandboxProcesses(root)).get(id) ?? [];
  await Promise.all(
    pids.map(async (pid) => {
      const startTime = await processStartTime(pid);
      if (startTime === undefined) return;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
      await waitUntilGone(pid, startTime, KILL_WAIT_MS);
    }),
  );
}
