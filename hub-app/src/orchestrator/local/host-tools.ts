/**
 * The host programs a local sandbox needs. Without them every create would fail with a launcher's
 * "No such file", one container at a time; checked up front, the Hub says what to install.
 */
import { accessSync, constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { HubError } from "../../errors.js";

/**
 * Program -> where it comes from on Debian/Ubuntu. Runs and creates go through the Hub's own launcher
 * (launcher.ts, built with the host's C compiler); nsenter and setpriv start the port relays.
 */
export const HOST_TOOLS: Readonly<Record<string, string>> = {
  bwrap: "package bubblewrap",
  nsenter: "util-linux",
  setpriv: "util-linux",
};

async function executableIn(directories: readonly string[], program: string): Promise<boolean> {
  for (const directory of directories) {
    try {
      await access(join(directory, program), constants.X_OK);
      return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/** The programs of HOST_TOOLS missing from `searchPath` (a PATH string). */
export async function missingHostTools(searchPath: string): Promise<string[]> {
  const directories = searchPath.split(":").filter((dir) => dir !== "");
  const found = await Promise.all(
    Object.keys(HOST_TOOLS).map(async (program) =>
      (await executableIn(directories, program)) ? [] : [program],
    ),
  );
  return found.flat();
}

/** Throws orchestrator_unavailable naming what to install when a host program is missing. */
export async function requireHostTools(searchPath: string): Promise<void> {
  const missing = await missingHostTools(searchPath);
  if (missing.length === 0) return;
  const install = [...new Set(missing.map((program) => HOST_TOOLS[program]))].join(" and ");
  throw new HubError(
    "orchestrator_unavailable",
    `the local orchestrator needs ${missing.join(", ")} (${install}), not found in ${searchPath}: install them, e.g. apt-get install bubblewrap util-linux`,
  );
}

const resolvedTools = new Map<string, string>();

/**
 * The absolute path of a host program in `searchPath` (first match, as execvp(3) would pick), found
 * once per process: started by its path, a program costs no failed execs along PATH. Unfound, its
 * bare name (the start then fails, and requireHostTools says what to install).
 */
export function hostTool(program: string, searchPath = "/usr/sbin:/usr/bin:/sbin:/bin"): string {
  const key = `${searchPath}\0${program}`;
  let path = resolvedTools.get(key);
  if (path === undefined) {
    path =
      searchPath
        .split(":")
        .filter((directory) => directory !== "")
        .map((directory) => join(directory, program))
        .find((candidate) => isExecutable(candidate)) ?? program;
    resolvedTools.set(key, path);
  }
  return path;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
