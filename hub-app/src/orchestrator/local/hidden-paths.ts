import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { resolve, sep } from "node:path";

/**
 * Where to mount the tmpfs that hides `path` from a sandbox. bwrap makes the mount point as the
 * sandbox's user, which cannot even look inside a folder it may not search (a checkout inside a
 * private 0700 folder, as `mktemp -d` makes): bwrap then fails with "Can't mkdir ...: Permission
 * denied". Whatever lies below such a folder is out of the sandbox's reach already; hiding the
 * folder itself (its parent is searchable, so the mount point resolves) keeps it so even if its
 * mode changes later.
 */
export async function hidingPoint(
  path: string,
  canSearch: (dir: string) => Promise<boolean>,
): Promise<string> {
  const target = resolve(path);
  let dir = "";
  for (const part of target
    .split(sep)
    .filter((name) => name !== "")
    .slice(0, -1)) {
    dir = `${dir}${sep}${part}`;
    if (!(await canSearch(dir))) return dir;
  }
  return target;
}

/** The hiding points of every path, each once. */
export async function hidingPoints(
  paths: readonly string[],
  canSearch: (dir: string) => Promise<boolean>,
): Promise<string[]> {
  return [...new Set(await Promise.all(paths.map((path) => hidingPoint(path, canSearch))))];
}

/**
 * Whether a sandbox can search `dir`. A root Hub runs each sandbox as a host uid of its own, with no
 * groups, that owns nothing outside its sandbox: only the "other" execute bit counts. A Hub that is
 * not root runs sandboxes as itself: the kernel's answer for this process (access(2)).
 */
export function sandboxCanSearch(hubIsRoot: boolean): (dir: string) => Promise<boolean> {
  if (hubIsRoot)
    return async (dir) => (((await stat(dir).catch(() => undefined))?.mode ?? 0o001) & 0o001) !== 0;
  return (dir) =>
    access(dir, constants.X_OK).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== "EACCES",
    );
}
