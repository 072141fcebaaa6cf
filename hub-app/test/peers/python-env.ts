/**
 * The Python virtualenv of the tests' Python peers (moto, schemathesis), made on first use.
 *
 * It lives in ~/.cache/sandbox-platform/venv-<hash of requirements.txt>, so a changed pin gets a
 * fresh one and every worktree shares it. It is built in a temporary folder and renamed into
 * place, so concurrent test files never see half an install; programs run as `python -m <module>`
 * because a venv's own scripts keep the folder they were installed in. `.ci/run` installs it before
 * the tests with install.ts. No `import.meta` here: the root tests (CommonJS) use it too.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const REQUIREMENTS_PATHS = ["hub-app/test/peers/requirements.txt", "test/peers/requirements.txt"];
const INSTALLED_MARKER = ".installed";
/** A cold install downloads ~100 MB and compiles it; 15 minutes leaves room on a loaded 2-core machine. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
/** How long a test hook that may trigger the first install waits for it (install, then start). */
export const PEER_INSTALL_TIMEOUT_MS = INSTALL_TIMEOUT_MS + 60_000;

/** requirements.txt beside this file, found from the working directory (the repository, hub-app, or below). */
function requirementsFile(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const found = REQUIREMENTS_PATHS.map((path) => join(dir, path)).find((path) => existsSync(path));
    if (found !== undefined) return found;
    if (dirname(dir) === dir) throw new Error(`no ${REQUIREMENTS_PATHS[0]} above ${process.cwd()}`);
  }
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base, "sandbox-platform");
}

/** The virtualenv's folder for the current requirements.txt. */
export async function peerVenvDirectory(): Promise<string> {
  const requirements = await readFile(requirementsFile());
  const hash = createHash("sha256").update(requirements).digest("hex").slice(0, 16);
  return join(cacheRoot(), `venv-${hash}`);
}

/** The venv's python, installing moto and schemathesis first if this requirements.txt has no venv yet. */
export async function peerPython(log: (line: string) => void = () => {}): Promise<string> {
  const venv = await peerVenvDirectory();
  const python = join(venv, "bin", "python");
  if (existsSync(join(venv, INSTALLED_MARKER))) return python;

  const building = `${venv}.building-${process.pid}-${Date.now()}`;
  const basePython = process.env.PYTHON ?? "python3";
  const started = Date.now();
  log(`installing moto and schemathesis into ${venv} (first use only; a few minutes)`);
  await mkdir(cacheRoot(), { recursive: true });
  try {
    await run(basePython, ["-m", "venv", building]).catch((error: unknown) => {
      throw new Error(
        `cannot create a Python virtualenv with ${basePython} -m venv (install Python 3.10+ with its venv module, e.g. Debian's python3-venv, or set PYTHON): ${(error as Error).message}`,
      );
    });
    const pip = [join(building, "bin", "python"), "-m", "pip", "--disable-pip-version-check"];
    // Every package is pinned in the file, so the resolver has nothing to do.
    await run(pip[0]!, [...pip.slice(1), "install", "--quiet", "--no-deps", "-r", requirementsFile()], {
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    await run(pip[0]!, [...pip.slice(1), "check"]);
    await writeFile(join(building, INSTALLED_MARKER), `${new Date().toISOString()}\n`);
    await rename(building, venv).catch(async (error: unknown) => {
      // Another process finished first: keep theirs.
      if (!existsSync(join(venv, INSTALLED_MARKER))) throw error;
      await rm(building, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return python;
}
