import { randomUUID } from "node:crypto";
import type { RunResult } from "../types.js";
import { runProcess, type ProcessRun } from "./run-process.js";
import { joinCgroupArguments, type SandboxCgroups } from "./sandbox-cgroups.js";

/**
 * Runs a command that enters sandbox `id` inside a cgroup of its own below the sandbox's. At the
 * timeout runProcess kills the command's process group; then the run's cgroup is killed whole, so
 * what left the group or the session (`setsid loop &`) goes too. A run that ends by itself keeps
 * what it started in the background (`nohup server &`): its cgroup is removed only once empty.
 * Without cgroups (or for a sandbox made before they held) it is a plain runProcess.
 */
export async function runInCgroup(
  cgroups: SandboxCgroups | undefined,
  id: string,
  run: ProcessRun,
): Promise<RunResult> {
  const part = `run-${randomUUID()}`;
  const procsFiles = await cgroups?.enter(id, part);
  if (cgroups === undefined || procsFiles === undefined) return runProcess(run);
  let timedOut = true;
  try {
    const argv = [...joinCgroupArguments(procsFiles), ...run.argv] as [string, ...string[]];
    const result = await runProcess({ ...run, argv });
    timedOut = result.timedOut;
    return result;
  } finally {
    await (timedOut ? cgroups.remove(id, part) : cgroups.removeIfEmpty(id, part));
  }
}
