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

/**
 * Bytes of disk each sandbox's scratch folders use, as `du` counts them: allocated blocks (a sparse
 * file counts what it holds, not its length), each hard-linked file once, symbolic links not
 * followed, and no other file system entered (-x). The kubelet measures an emptyDir's sizeLimit the
 * same way, by walking it. `du` runs at the lowest CPU priority, started by the spawn helper: none
 * of the walk runs on the Hub's event loop. A sandbox deleted during the walk is left out.
 */
export async function scratchUsage(sandboxes: ReadonlyMap<string, string>): Promise<Map<string, number>> {
  const usage = new Map<string, number>();
  const entries = [...sandboxes];
  for (let start = 0; start < entries.length; start += SANDBOXES_PER_DU) {
    const batch = entries.slice(start, start + SANDBOXES_PER_DU);
    const owner = new Map<string, string>();
    for (const [id, dir] of batch) for (const folder of SCRATCH_FOLDERS) owner.set(join(dir, folder), id);
    for (const [path, bytes] of await du([...owner.keys()])) {
      const id = owner.get(path);
      if (id !== undefined) usage.set(id, (usage.get(id) ?? 0) + bytes);
    }
  }
  return usage;
}

/** `du -s` of each path: path -> bytes. Paths that vanished are missing (du says so and exits 1). */
async function du(paths: readonly string[]): Promise<Map<string, number>> {
  const result = await runProcess({
    argv: [
      hostTool("nice", HOST_TOOLS_PATH),
      "-n",
      "19",
      hostTool("du", HOST_TOOLS_PATH),
      "--summarize",
      "--one-file-system",
      "--block-size=1",
      "--",
      ...paths,
    ],
    env: HOST_TOOLS_ENV,
    timeoutMs: DU_TIMEOUT_MS,
    // One line per path: its byte count, a tab, the path.
    maxOutputBytes: paths.length * 512,
  });
  if (result.timedOut) throw new Error(`du did not finish within ${DU_TIMEOUT_MS / 1000} s`);
  const sizes = new Map<string, number>();
  for (const line of result.stdout.split("\n")) {
    const tab = line.indexOf("\t");
    const bytes = Number(line.slice(0, tab));
    if (tab > 0 && Number.isSafeInteger(bytes)) sizes.set(line.slice(tab + 1), bytes);
  }
  if (result.exitCode !== 0 && sizes.size === 0)
    throw new Error(`du exited ${result.exitCode}: ${result.stderr.trim()}`);
  return sizes;
}
