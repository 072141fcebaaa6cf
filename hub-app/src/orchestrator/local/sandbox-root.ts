import { chmod, chown, mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HubError } from "../../errors.js";
import { requireHostTools } from "./host-tools.js";
import { hubIsRoot, pickHostUid } from "./host-uids.js";
import { listSandboxIds, readMeta, sandboxDir } from "./meta.js";
import { HOST_TOOLS_PATH } from "./sandbox-args.js";

/**
 * HUB_LOCAL_ROOT and what a sandbox needs from the host before it starts: the folder itself
 * (searchable by every sandbox uid, listable by none), the host's tools, each sandbox's own
 * directories and, when the Hub is root, a host uid no other sandbox has.
 */
export class SandboxRoot {
  private readonly reservedUids = new Set<number>();
  private hostChecked: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /** Creates the root if needed; the first call also checks the host (tools, folders above the root). */
  async prepare(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o711 });
    const { mode } = await stat(this.path);
    if ((mode & 0o011) !== 0o011) await chmod(this.path, (mode & 0o7777) | 0o011);
    // Once per Hub, off the create path: a tool installed or a folder opened later needs a restart.
    this.hostChecked ??= this.checkHost();
    await this.hostChecked;
  }

  /** `<parent>/<id>` (parent: the root, or where warm-pool members wait) with its `work` and `tmp`; a conflict when the id exists. */
  async makeSandboxDirs(id: string, parent = this.path): Promise<string> {
    await this.prepare();
    if (parent !== this.path) await mkdir(parent, { recursive: true, mode: 0o711 });
    const dir = sandboxDir(parent, id);
    try {
      // 0711: the sandbox's own uid must pass through to bind its directories; nobody may list them.
      await mkdir(dir, { mode: 0o711 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST")
        throw new HubError("conflict", `container ${id} already exists`);
      throw error;
    }
    await Promise.all(["work", "tmp"].map((name) => mkdir(join(dir, name), { mode: 0o700 })));
    return dir;
  }

  /** Hands the sandbox's writable directories to its host uid. */
  async giveToUid(dir: string, hostUid: number): Promise<void> {
    await Promise.all(["work", "tmp"].map((name) => chown(join(dir, name), hostUid, hostUid)));
  }

  /** A host uid for a new sandbox (root Hub only), held until `release` so two creates never share one. */
  async reserveHostUid(otherParents: readonly string[] = []): Promise<number | undefined> {
    if (!hubIsRoot()) return undefined;
    const parents = [this.path, ...otherParents];
    const found = await Promise.all(
      parents.map(async (parent) => (await listSandboxIds(parent)).map((id) => readMeta(parent, id))),
    );
    const metas = await Promise.all(found.flat());
    const taken = new Set([
      ...this.reservedUids,
      ...metas.flatMap((meta) => (meta?.hostUid === undefined ? [] : [meta.hostUid])),
    ]);
    const uid = pickHostUid(taken);
    this.reservedUids.add(uid);
    return uid;
  }

  /** The uid is now in the sandbox's meta.json (or the create failed): other creates see it there. */
  releaseHostUid(uid: number | undefined): void {
    if (uid !== undefined) this.reservedUids.delete(uid);
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
