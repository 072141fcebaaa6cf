import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { HubError } from "../../errors.js";

const SOURCE_IN_HUB_APP = join("native", "hub-launch.c");

/**
 * hub-launch's source (hub-app/native/hub-launch.c), found from the Hub's code directory upwards
 * (hub-app/src under tsx, hub-app/dist compiled, node_modules/... under a test runner), then from the
 * working directory. No import.meta: the CommonJS infrastructure tests import this module's importers.
 */
export function findLauncherSource(
  starts: readonly (string | undefined)[] = launcherSearchStarts(),
): string | undefined {
  for (const start of starts) {
    if (start === undefined || start === "") continue;
    for (let dir = start; ; dir = dirname(dir)) {
      for (const candidate of [join(dir, SOURCE_IN_HUB_APP), join(dir, "hub-app", SOURCE_IN_HUB_APP)])
        if (existsSync(candidate)) return realpathSync(candidate); // node_modules/hub-app is a workspace link
      if (dir === dirname(dir)) break;
    }
  }
  return undefined;
}

/** Where findLauncherSource looks, in order: the Hub's code directory when known, the running script's, the working directory. */
export function launcherSearchStarts(codeDirectory?: string): (string | undefined)[] {
  return [codeDirectory, process.argv[1] && dirname(process.argv[1]), process.cwd()];
}

export interface LauncherBuild {
  /** The C source; default findLauncherSource(). */
  readonly source?: string;
  /** Where built launchers are kept, one file per source and compiler; default ~/.cache/sandbox-platform/hub-launch. */
  readonly cacheDir?: string;
  /** The C compiler, found along PATH; default `cc`. */
  readonly compiler?: string;
}

/** Builds under way, by cache folder and compiler: callers at once share one. */
const building = new Map<string, Promise<string>>();

/**
 * The path of hub-launch built from LAUNCHER_SOURCE, compiled on first use and cached by the hash of
 * its source (a second Hub, or the next start, reuses it; an edited source builds anew). It runs as
 * root in a root Hub: a cached file is used only when this user owns it and nobody else may write it,
 * checked on each call (the readiness probe's too), else it is built again.
 */
export function buildLauncher(options: LauncherBuild = {}): Promise<string> {
  const source = options.source ?? findLauncherSource();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const compiler = options.compiler ?? "cc";
  const key = `${source}\0${cacheDir}\0${compiler}`;
  let built = building.get(key);
  if (built === undefined) {
    built = build(source, cacheDir, compiler).finally(() => building.delete(key));
    building.set(key, built);
  }
  return built;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base, "sandbox-platform", "hub-launch");
}

async function build(sourcePath: string | undefined, cacheDir: string, compiler: string): Promise<string> {
  if (sourcePath === undefined) {
    throw new HubError(
      "orchestrator_unavailable",
      `the local orchestrator builds its launcher from hub-app/${SOURCE_IN_HUB_APP}, not found above the Hub's code or the working directory: run the Hub from the repository`,
    );
  }
  const source = await readFile(sourcePath).catch((error: NodeJS.ErrnoException) => {
    throw new HubError(
      "orchestrator_unavailable",
      `the local orchestrator's launcher source ${sourcePath} cannot be read (${error.code ?? error.message})`,
    );
  });
  const hash = createHash("sha256").update(compiler).update("\0").update(source).digest("hex").slice(0, 16);
  const target = join(cacheDir, `hub-launch-${hash}`);
  if (await isTrusted(target)) return target;
  try {
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await chmod(cacheDir, 0o700);
  } catch (error) {
    throw new HubError(
      "orchestrator_unavailable",
      `the local orchestrator cannot keep its launcher in ${cacheDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): set XDG_CACHE_HOME to a folder the Hub's user may write`,
    );
  }
  const scratch = `${target}.${randomUUID()}.tmp`;
  try {
    await promisify(execFile)(
      compiler,
      // It runs as root: the compiler's stack and buffer checks on (gcc(1), -fstack-protector-strong, _FORTIFY_SOURCE).
      [
        "-O2",
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-fstack-protector-strong",
        "-D_FORTIFY_SOURCE=2",
        "-o",
        scratch,
        sourcePath,
      ],
      { timeout: 120_000 },
    );
    await chmod(scratch, 0o755);
    // rename(2) is atomic: Hubs (or test files) building at once each put a whole file in place.
    await rename(scratch, target);
  } catch (error) {
    await rm(scratch, { force: true });
    throw compileError(sourcePath, compiler, error as NodeJS.ErrnoException & { stderr?: string });
  }
  return target;
}

/** Owned by this user and writable by nobody else, the folder included: another user's file must not run as root. */
async function isTrusted(path: string): Promise<boolean> {
  const [file, folder] = await Promise.all([
    stat(path).catch(() => undefined),
    stat(join(path, "..")).catch(() => undefined),
  ]);
  const uid = process.geteuid?.() ?? -1;
  return [file, folder].every(
    (entry) => entry !== undefined && entry.uid === uid && (entry.mode & 0o022) === 0,
  );
}

function compileError(
  source: string,
  compiler: string,
  error: NodeJS.ErrnoException & { stderr?: string },
): HubError {
  if (error.code === "ENOENT") {
    return new HubError(
      "orchestrator_unavailable",
      `the local orchestrator builds its launcher (${source}) with a C compiler: ${compiler} was not found in PATH; install one, e.g. apt-get install gcc libc6-dev`,
    );
  }
  return new HubError(
    "orchestrator_unavailable",
    `the local orchestrator could not build its launcher with ${compiler}: ${(error.stderr ?? error.message).trim()}`,
  );
}
