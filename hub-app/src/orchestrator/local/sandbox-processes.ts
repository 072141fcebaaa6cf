import { readdir, readFile } from "node:fs/promises";

// /proc of a busy machine read file by file: a bounded number at once leaves the Hub's fds to its clients.
const READ_CONCURRENCY = 32;

/**
 * Host pids of the bwrap processes (the outer bwrap and the sandbox's init) of every sandbox under
 * `root`, by sandbox id, found by their `--bind <root>/<id>/tmp /tmp` (or `<root>/.warm/<id>/tmp`
 * for a warm-pool member, even once claimed) on their command line. How a sandbox is found when
 * its meta.json never recorded its init: a Hub killed mid-create, or mid-delete.
 */
export async function sandboxProcesses(root: string): Promise<Map<string, number[]>> {
  const prefix = `${root.replace(/\/+$/, "")}/`;
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const found = new Map<string, number[]>();
  for (let start = 0; start < pids.length; start += READ_CONCURRENCY) {
    await Promise.all(
      pids.slice(start, start + READ_CONCURRENCY).map(async (pid) => {
        const id = sandboxOfCommandLine(
          await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""),
          prefix,
        );
        if (id !== undefined) found.set(id, [...(found.get(id) ?? []), Number(pid)]);
      }),
    );
  }
  return found;
}

/** The sandbox id of a bwrap command line (NUL-separated, as in /proc/<pid>/cmdline) under `prefix`. */
export function sandboxOfCommandLine(cmdline: string, prefix: string): string | undefined {
  const argv = cmdline.split("\0");
  if (!(argv[0] ?? "").endsWith("bwrap")) return undefined;
  const bind = argv.findIndex((arg, index) => arg === "--bind" && argv[index + 2] === "/tmp");
  const source = bind < 0 ? undefined : argv[bind + 1];
  if (source === undefined || !source.startsWith(prefix) || !source.endsWith("/tmp")) return undefined;
  const id = source.slice(prefix.length, -"/tmp".length).replace(/^\.warm\//, "");
  return id.includes("/") ? undefined : id;
}

export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
