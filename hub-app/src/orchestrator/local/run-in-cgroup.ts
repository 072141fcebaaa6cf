import type { RunResult } from "../types.js";
import { runProcess, type ProcessRun } from "./run-process.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";

/**
 * Runs a command that enters sandbox `id` inside a cgroup of its own below the sandbox's: `runOf`
 * gets the cgroup.procs files the launcher joins first (none without cgroups, or for a sandbox made
 * before they held). At the timeout runProcess kills the command's process group; then the run's
 * cgroup is killed whole, so what left the group or the session (`setsid loop &`) goes too. A run that
 * ends by itself keeps what it started in the background (`nohup server &`): its cgroup is removed only
 * once empty (the reaper's tidy removes what is left when this one found it busy). A cgroup a run left
 * empty is kept for the sandbox's next runs (SandboxCgroups.enterRun).
 */
export async function runInCgroup(
  cgroups: SandboxCgroups | undefined,
  id: string,
  runOf: (cgroupProcs: readonly string[]) => ProcessRun,
): Promise<RunResult> {
  const entered = cgroups?.enterRun(id);
  if (cgroups === undefined || entered === undefined) return runProcess(runOf([]));
  let result: RunResult | undefined;
  try {
    result = await runProcess(runOf(entered.procs));
    return result;
  } finally {
    if (result === undefined || result.timedOut) await cgroups.removeRun(id, entered.part);
    else cgroups.leaveRun(id, entered.part);
  }
}
