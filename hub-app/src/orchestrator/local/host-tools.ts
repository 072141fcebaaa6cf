/**
 * The host programs a local sandbox needs. Without them every create would fail with a launcher's
 * "No such file", one container at a time; checked up front, the Hub says what to install.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { HubError } from "../../errors.js";

/** Program -> where it comes from on Debian/Ubuntu. */
export const HOST_TOOLS: Readonly<Record<string, string>> = {
  bwrap: "package bubblewrap",
  nsenter: "util-linux",
  setpriv: "util-linux",
  prlimit: "util-linux",
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
