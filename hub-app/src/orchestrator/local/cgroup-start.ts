import type { Logger } from "pino";
import { detectCgroups } from "./cgroup-detect.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";

/**
 * Finds the cgroups this host lets the Hub use and says in one log line which hold, or why none
 * does and what that leaves (docs/local-isolation.md, "Without cgroups").
 */
export async function startCgroups(
  root: string,
  logger: Logger,
  mode: "auto" | "off" = "auto",
): Promise<SandboxCgroups | undefined> {
  const found =
    mode === "off" ? { cgroups: undefined, reason: "HUB_LOCAL_CGROUPS=off" } : await detectCgroups(root);
  if (found.cgroups !== undefined) {
    logger.info(
      { cgroups: found.cgroups.describe() },
      `local sandboxes: each in its own cgroup v${found.cgroups.layout.version}: memory (tmpfs included), cpu and tasks enforced; a timed-out run is killed by its cgroup`,
    );
    return found.cgroups;
  }
  logger.warn(
    { reason: found.reason },
    `local sandboxes: no cgroups (${found.reason}): cpu is not enforced, memory is a per-process RLIMIT_DATA, tasks an RLIMIT_NPROC per uid (root Hub only), and a timed-out run's processes that left its process group keep running`,
  );
  return undefined;
}
