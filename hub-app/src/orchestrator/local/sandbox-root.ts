import { randomUUID } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { rm, stat, statfs, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HubError } from "../../errors.js";
import { requireHostTools } from "./host-tools.js";
import { hubIsRoot } from "./host-uids.js";
import { sandboxDir, writeMetaIn, type SandboxMeta } from "./meta.js";
import { HOST_TOOLS_PATH } from "./sandbox-args.js";
import { isMissing, onStorage } from "./storage-errors.js";

/**
 * `<root>/.new-<id>.<pid>.<start time>`: a sandbox folder being built by that Hub process, renamed
 * into place once complete; the name says whether its builder still lives, whatever is inside.
 */
export const STAGING_PREFIX = ".new-";
/** `<root>/.deleting-<id>-<uuid>`: a deleted sandbox's folder, its processes killed, its files being removed. */
export const DELETING_PREFIX = ".deleting-";
// Readiness fails below this: a create needs a few small files and inodes, a run none.
const MIN_FREE_BYTES = 16 * 1024 * 1024;
const MIN_FREE_INODES = 256;

/**
 * HUB_LOCAL_ROOT: the folder itself (searchable by every sandbox uid, listable by none), the host
 * checks made once per Hub, and the steps on disk of a sandbox's life, each one a rename(2) so a
 * Hub killed at any point leaves a state the next reconcile recognizes: `.new-<id>` (being built),
 * `<id>` (a sandbox, with its meta.json from the first moment), `.deleting-<id>-*`.
 *
 * Those steps' calls are synchronous: mkdir, chown, a small write, rename. Their CPU is the same on
 * any thread (5-25 µs each on tmpfs here; 0.15-1.1 ms per new inode on this VM's ext4, by folder),
 * but through libuv's thread pool each one also waited a turn of the event loop, and under a burst
 * of creates a turn is the intake of every request that arrived meanwhile: the first of 1000
 * creates sent at once had its readyAt 230-370 ms after the Hub accepted it, 63-75 ms with these
 * calls synchronous (docs/measurements.md).
 */
export class SandboxRoot {
  private hostChecked: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /** Creates the root if needed (0711: every sandbox uid passes through, none lists it). */
  async make(): Promise<void> {
    await onStorage(this.path, () => {
      mkdirSync(this.path, { recursive: true, mode: 0o711 });
      const { mode } = statSync(this.path);
      if ((mode & 0o011) !== 0o011) chmodSync(this.path, (mode & 0o7777) | 0o011);
    });
  }

  /** The root, and the host able to run sandboxes (tools, folders above the root), checked on the first call. */
  async prepare(): Promise<void> {
    await this.make();
    // Once per Hub, off the create path: a tool installed or a folder opened later needs a restart.
    this.hostChecked ??= this.checkHost();
    await this.hostChecked;
  }

  /**
   * Makes `<parent>/<id>` (parent: the root, or where warm-pool members wait) with `work`, `tmp`
   * (owned by the sandbox's host uid) and meta.json, all or nothing: built as `<root>/.new-<id>`,
   * then renamed into place. A conflict when the id exists.
   */
  async createSandboxDir(meta: SandboxMeta & { creator: Creator }, parent: string): Promise<string> {
    const staging = join(this.path, stagingName(meta.id, meta.creator));
    const final = sandboxDir(parent, meta.id);
    await onStorage(this.path, async () => {
      if (parent !== this.path) mkdirSync(parent, { recursive: true, mode: 0o711 });
      try {
        // 0711: the sandbox's own uid must pass through to bind its directories; nobody may list them.
        mkdirSync(staging, { mode: 0o711 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST")
          throw new HubError("conflict", `container ${meta.id} is already being created`);
        throw error;
      }
      try {
        for (const name of ["work", "tmp"]) {
          mkdirSync(join(staging, name), { mode: 0o700 });
          if (meta.hostUid !== undefined) chownSync(join(staging, name), meta.hostUid, meta.hostUid);
        }
        writeMetaIn(staging, meta);
        moveInto(staging, final, meta.id);
      } catch (error) {
        await rm(staging, { recursive: true, force: true }).catch(() => undefined);
        throw error;
      }
    });
    return final;
  }

  /** Renames a sandbox's folder aside for removal (the atomic step of a delete); undefined when it is gone. */
  async retire(dir: string, id: string): Promise<string | undefined> {
    const doomed = join(this.path, `${DELETING_PREFIX}${id}-${randomUUID()}`);
    try {
      await onStorage(this.path, () => renameSync(dir, doomed));
      return doomed;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Readiness: the root takes a file, with room and inodes to spare; throws the HubError saying what is wrong. */
  async checkWritable(): Promise<void> {
    await this.prepare();
    await onStorage(this.path, async () => {
      const probe = join(this.path, `.ready-${process.pid}-${randomUUID()}`);
      await writeFile(probe, "ok");
      await unlink(probe);
    });
    const space = await statfs(this.path);
    const freeBytes = space.bavail * space.bsize;
    if (freeBytes < MIN_FREE_BYTES || space.ffree < MIN_FREE_INODES) {
      throw new HubError(
        "insufficient_storage",
        `HUB_LOCAL_ROOT (${this.path}) has ${Math.floor(freeBytes / 1048576)} MiB and ${space.ffree} inodes free; sandboxes need at least ${MIN_FREE_BYTES / 1048576} MiB and ${MIN_FREE_INODES}`,
        30,
      );
    }
  }

  private async checkHost(): Promise<void> {
    await requireHostTools(HOST_TOOLS_PATH);
    if (hubIsRoot()) await this.checkAncestorsSearchable();
  }

  /** Each sandbox runs as its own host uid, which must pass through every folder above HUB_LOCAL_ROOT. */
  private async checkAncestorsSearchable(): Promise<void> {
    for (let dir = dirname(this.path); ; dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) {
        throw new HubError(
          "orchestrator_unavailable",
          `HUB_LOCAL_ROOT ${this.path} is below ${dir} (mode ${(mode & 0o777).toString(8)}), which other users cannot pass through; each sandbox runs as its own uid and needs to: chmod o+x ${dir} or choose another HUB_LOCAL_ROOT`,
        );
      }
      if (dir === dirname(dir)) return;
    }
  }
}

export interface Creator {
  readonly pid: number;
  readonly startTime: string;
}

export function stagingName(id: string, creator: Creator): string {
  return `${STAGING_PREFIX}${id}.${creator.pid}.${creator.startTime}`;
}

/** The id and creator a staging folder's name holds; undefined for any other name. */
export function parseStagingName(name: string): { id: string; creator: Creator } | undefined {
  const match = /^\.new-(cnt-[a-z0-9]+)\.(\d+)\.(\d+)$/.exec(name);
  if (match === null) return undefined;
  return { id: match[1]!, creator: { pid: Number(match[2]), startTime: match[3]! } };
}

/** rename(2) would replace an empty directory: refuse when anything is there, and let a lost race speak as EEXIST/ENOTEMPTY. */
function moveInto(staging: string, final: string, id: string): void {
  const conflict = new HubError("conflict", `container ${id} already exists`);
  if (existsSync(final)) throw conflict;
  try {
    renameSync(staging, final);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTEMPTY") throw conflict;
    throw error;
  }
}
