import type { Logger } from "pino";
import type { SandboxMeta } from "./meta.js";
import { processStartTime } from "./process-info.js";
import { removeInBackground } from "./remover.js";
import { killSandbox } from "./sandbox-info.js";
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
 * Deletes a sandbox: renames its folder aside (the atomic step: a second delete or a claim of it
 * finds nothing), kills its processes and waits until they are gone, then removes its files in
 * the background; false when it was not there. Its cgroup is emptied and removed before the answer. A sandbox whose init was never recorded (its
 * creator died mid-create) is found by its processes' command lines.
 */
export async function deleteSandbox(
  parts: DeleteParts,
  directory: string,
  meta: SandboxMeta,
): Promise<boolean> {
  const doomed = await parts.root.retire(directory, meta.id);
  if (doomed === undefined) return false;
  if (meta.initPid !== undefined) await killSandbox(meta);
  else await killUnrecorded(parts.root.path, meta.id);
  // The init's death ends its pid namespace; its bwrap parent then exits by itself. What is left is killed.
  await parts.cgroups?.remove(meta.id, undefined, CGROUP_GRACE_MS);
  void removeInBackground(doomed, parts.logger, async () => {
    if (meta.hostUid !== undefined) await parts.claims?.release(meta.hostUid);
  });
  return true;
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
