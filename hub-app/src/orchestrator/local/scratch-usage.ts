import { join } from "node:path";
import { hostTool } from "./host-tools.js";
import { runProcess } from "./run-process.js";
import { HOST_TOOLS_ENV, HOST_TOOLS_PATH } from "./sandbox-args.js";

/** The folders of a sandbox its user can write to on the host's disk: /home/sandbox and /tmp inside. */
export const SCRATCH_FOLDERS = ["work", "tmp"] as const;

/** Sandboxes per `du`: 2 paths each keeps a command line far below ARG_MAX (execve(2)). */
const SANDBOXES_PER_DU = 200;
/** A walk over millions of files takes seconds; one that takes this long is given up until the next pass. */
const DU_TIMEOUT_MS = 120_000;

/** What a sandbox's scratch folders hold. */
export interface ScratchUse {
  readonly bytes: number;
  /** Files, folders and links: each takes one of the file system's inodes, however small. */
  readonly inodes: number;
}

/**
 * What each sandbox's scratch folders use, as `du` counts it: allocated blocks (a sparse file counts
 * what it holds, not its length) and inodes, each hard-linked file once, symbolic links not followed,
 * and no other file system entered (-x). The kubelet measures an emptyDir's sizeLimit the same way,
 * by walking it. `du` runs at the lowest CPU priority, started by the spawn helper: none of the walk
 * runs on the Hub's event loop. A sandbox deleted during the walk is left out.
 */
export async function scratchUsage(sandboxes: ReadonlyMap<string, string>): Promise<Map<string, ScratchUse>> {
  const usage = new Map<string, ScratchUse>();
  const entries = [...sandboxes];
  for (let start = 0; start < entries.length; start += SANDBOXES_PER_DU) {
    const batch = entries.slice(start, start + SANDBOXES_PER_DU);
    const owner = new Map<string, string>();
    for (const [id, dir] of batch) for (const folder of SCRATCH_FOLDERS) owner.set(join(dir, folder), id);
    const paths = [...owner.keys()];
    const [bytes, inodes] = [await du(paths, "--block-size=1"), await du(paths, "--inodes")];
    for (const [path, id] of owner) {
      const [pathBytes, pathInodes] = [bytes.get(path), inodes.get(path)];
      if (pathBytes === undefined || pathInodes === undefined) continue;
      const sum = usage.get(id) ?? { bytes: 0, inodes: 0 };
      usage.set(id, { bytes: sum.bytes + pathBytes, inodes: sum.inodes + pathInodes });
    }
  }
  return usage;
}

/** `du -s` of each path in `unit` (bytes or inodes): path -> count. Paths that vanished are missing (du says so and exits 1). */
async function du(
  paths: readonly string[],
  unit: "--block-size=1" | "--inodes",
): Promise<Map<string, number>> {
  const result = await runProcess({
    argv: [
      hostTool("nice", HOST_TOOLS_PATH),
      "-n",
      "19",
      hostTool("du", HOST_TOOLS_PATH),
      "--summarize",
      "--one-file-system",
      unit,
      "--",
      ...paths,
    ],
    env: HOST_TOOLS_ENV,
    timeoutMs: DU_TIMEOUT_MS,
    // One line per path: its count, a tab, the path.
    maxOutputBytes: paths.length * 512,
  });
  if (result.timedOut) throw new Error(`du did not finish within ${DU_TIMEOUT_MS / 1000} s`);
  const counts = new Map<string, number>();
  for (const line of result.stdout.split("\n")) {
    const tab = line.indexOf("\t");
    const count = Number(line.slice(0, tab));
    if (tab > 0 && Number.isSafeInteger(count)) counts.set(line.slice(tab + 1), count);
  }
  if (result.exitCode !== 0 && counts.size === 0)
    throw new Error(`du exited ${result.exitCode}: ${result.stderr.trim()}`);
  return counts;
}
