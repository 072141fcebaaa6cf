import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import {
  SandboxCgroups,
  V2_CONTROLLERS,
  type CgroupHierarchy,
  type CgroupLayout,
} from "./sandbox-cgroups.js";

/** A cgroup filesystem mounted on this host, from /proc/self/mountinfo (proc(5)). */
export interface CgroupMount {
  readonly version: 1 | 2;
  readonly mountPoint: string;
  /** The cgroup shown at the mount point (not "/" inside some containers). */
  readonly root: string;
  /** v1: the controllers of the hierarchy (its super options); v2: empty (read cgroup.controllers). */
  readonly controllers: readonly string[];
}

const V1_CONTROLLERS = ["memory", "pids", "cpu"] as const;
/** The folder under which a Hub puts its sandboxes' cgroups, one subfolder per HUB_LOCAL_ROOT. */
export const CGROUP_FOLDER = "hub-sandboxes";

export type CgroupDetection =
  | { readonly cgroups: SandboxCgroups; readonly reason?: undefined }
  | { readonly cgroups?: undefined; readonly reason: string };

/** proc(5) mountinfo: "... <mount point> <options> [optional fields] - <fs type> <source> <super options>". */
export function parseMountInfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split("\n")) {
    const [before, after] = line.split(" - ");
    if (before === undefined || after === undefined) continue;
    const fields = before.split(" ");
    const [fsType, , superOptions = ""] = after.split(" ");
    const root = unescapeMountPath(fields[3] ?? "/");
    const mountPoint = unescapeMountPath(fields[4] ?? "");
    if (fsType === "cgroup2") mounts.push({ version: 2, mountPoint, root, controllers: [] });
    if (fsType === "cgroup")
      mounts.push({ version: 1, mountPoint, root, controllers: superOptions.split(",") });
  }
  return mounts;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040...). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** cgroups(7) /proc/[pid]/cgroup: "hierarchy-ID:controller-list:cgroup-path"; v2 is "0::path". */
export function parseProcCgroup(text: string): { v2?: string; v1: Map<string, string> } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    const [, id, controllers = "", path = "/"] = match;
    if (id === "0" && controllers === "") v2 = path;
    else for (const controller of controllers.split(",")) v1.set(controller, path);
  }
  return v2 === undefined ? { v1 } : { v2, v1 };
}

/** A short stable name per HUB_LOCAL_ROOT: two Hubs over different roots never touch each other's cgroups. */
export function rootKey(root: string): string {
  return createHash("sha256").update(root).digest("hex").slice(0, 12);
}

/** Where the Hub's own cgroup `path` is seen under a mount whose root is `mountRoot` (undefined: outside it). */
function underMount(mount: CgroupMount, path: string): string | undefined {
  if (mount.root === "/") return resolve(mount.mountPoint, `.${path}`);
  if (path !== mount.root && !path.startsWith(`${mount.root}/`)) return undefined;
  return resolve(mount.mountPoint, `.${path.slice(mount.root.length)}`);
}

/**
 * v2: the sandboxes' cgroups go beside the Hub's own, in `<parent>/hub-sandboxes/<root key>`: the
 * Hub's cgroup holds a process (the Hub), and a v2 cgroup with processes cannot hand controllers
 * to children ("no internal process" rule, cgroup-v2.rst), except the root. Needs memory, pids
 * and cpu enabled for the parent (its cgroup.controllers lists them).
 */
export function planV2(mount: CgroupMount, ownPath: string, key: string): CgroupLayout | string {
  const own = underMount(mount, ownPath);
  if (own === undefined) return `the Hub's cgroup ${ownPath} is outside the cgroup2 mount`;
  const parent = ownPath === "/" || own === mount.mountPoint ? own : dirname(own);
  const folder = join(parent, CGROUP_FOLDER);
  return {
    version: 2,
    hierarchies: [{ dir: join(folder, key), controllers: [...V2_CONTROLLERS] }],
    delegating: [parent, folder, join(folder, key)],
  };
}

/**
 * v1: each hierarchy allows processes beside child cgroups, so the sandboxes' cgroups go below the
 * Hub's own in each (`<own>/hub-sandboxes/<root key>`): limits an operator set on the Hub bound
 * its sandboxes too. memory, pids and cpu are needed; freezer, when mounted, makes kills exact.
 */
export function planV1(
  mounts: readonly CgroupMount[],
  own: ReadonlyMap<string, string>,
  key: string,
): CgroupLayout | string {
  const hierarchies: CgroupHierarchy[] = [];
  for (const controller of [...V1_CONTROLLERS, "freezer"]) {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    const path = own.get(controller);
    const dir = mount && path !== undefined ? underMount(mount, path) : undefined;
    if (dir === undefined) {
      if (controller === "freezer") continue;
      return `no cgroup v1 hierarchy with the ${controller} controller`;
    }
    if (hierarchies.some((h) => h.controllers === mount!.controllers)) continue; // co-mounted (cpu,cpuacct)
    hierarchies.push({ dir: join(dir, CGROUP_FOLDER, key), controllers: mount!.controllers });
  }
  return { version: 1, hierarchies, delegating: [] };
}

/**
 * Which cgroups this host lets the Hub use, tried in order: v2 (the unified hierarchy, with memory,
 * pids and cpu available to it), then v1; each is tried for real (its folders made, v2's controllers
 * handed down), so "not root" or a container's read-only /sys/fs/cgroup shows up here, at start.
 */
export async function detectCgroups(root: string, proc = "/proc"): Promise<CgroupDetection> {
  const mounts = parseMountInfo(await readFile(join(proc, "self/mountinfo"), "utf8").catch(() => ""));
  const own = parseProcCgroup(await readFile(join(proc, "self/cgroup"), "utf8").catch(() => ""));
  const key = rootKey(root);
  const reasons: string[] = [];
  const v2 = mounts.find((m) => m.version === 2);
  if (v2 === undefined || own.v2 === undefined) reasons.push("cgroup v2: not mounted");
  else {
    const plan = planV2(v2, own.v2, key);
    const missing = typeof plan === "string" ? [] : await missingV2Controllers(plan.delegating[0]!);
    if (typeof plan === "string") reasons.push(`cgroup v2: ${plan}`);
    else if (missing.length > 0)
      reasons.push(
        `cgroup v2: ${missing.join(", ")} not available in ${plan.delegating[0]} (cgroup.controllers)`,
      );
    else {
      const tried = tryLayout(plan);
      if (tried.cgroups !== undefined) return tried;
      reasons.push(`cgroup v2: ${tried.reason}`);
    }
  }
  const v1 = planV1(mounts, own.v1, key);
  if (typeof v1 === "string") reasons.push(`cgroup v1: ${v1}`);
  else {
    const tried = tryLayout(v1);
    if (tried.cgroups !== undefined) return tried;
    reasons.push(`cgroup v1: ${tried.reason}`);
  }
  return { reason: reasons.join("; ") };
}

async function missingV2Controllers(dir: string): Promise<string[]> {
  const available = (await readFile(join(dir, "cgroup.controllers"), "utf8").catch(() => ""))
    .trim()
    .split(/\s+/);
  return V2_CONTROLLERS.filter((controller) => !available.includes(controller));
}

function tryLayout(layout: CgroupLayout): CgroupDetection {
  const cgroups = new SandboxCgroups(layout);
  try {
    cgroups.prepare();
    return { cgroups };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}
