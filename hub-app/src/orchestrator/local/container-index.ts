import { existsSync } from "node:fs";
import { listSandboxIds, readMeta, sandboxDir, type SandboxMeta } from "./meta.js";

/**
 * This Hub's containers under HUB_LOCAL_ROOT, in memory: list and get answer without reading every
 * meta.json (their cost was one file per container per call). Kept current by the Hub's own writes
 * (create, launch, extend, claim, delete); scanned whole at start and after each reconcile; and each
 * list compares the root's one directory listing with it, so containers created or deleted by
 * another Hub process on the same root (a restart's overlap, a pool claim) are seen at the next list.
 * Limitation: another process's extend of a container listed here is seen at the next scan.
 */
export class ContainerIndex {
  private readonly entries = new Map<string, { meta: SandboxMeta; version: number }>();
  private writes = 0;

  constructor(
    private readonly root: string,
    private readonly instance: string,
  ) {}

  /** Records a meta.json this Hub just wrote (or read). */
  set(meta: SandboxMeta): void {
    this.entries.set(meta.id, { meta, version: ++this.writes });
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  /** The container's meta: from memory when known and its folder is still there, else from its meta.json. */
  async get(id: string): Promise<SandboxMeta | undefined> {
    const known = this.entries.get(id);
    if (known !== undefined) {
      // Synchronous: a lookup in the dentry cache costs ~3 µs here, where fs.promises.access cost ~55 µs of
      // this thread and a turn of the event loop, on every run, get and delete (docs/measurements.md).
      if (existsSync(sandboxDir(this.root, id))) return known.meta;
      this.dropIfUnchanged(id, known.version);
      return undefined;
    }
    return this.readOwn(id);
  }

  /** Every container, after matching the root's listing: new folders read once, vanished ones dropped. */
  async list(): Promise<SandboxMeta[]> {
    const onDisk = new Set(await listSandboxIds(this.root));
    for (const [id, entry] of this.entries) if (!onDisk.has(id)) this.dropIfUnchanged(id, entry.version);
    const unknown = [...onDisk].filter((id) => !this.entries.has(id));
    await Promise.all(unknown.map((id) => this.readOwn(id)));
    return [...this.entries.values()].map((entry) => entry.meta);
  }

  /**
   * Reads every meta.json again (at start, after a reconcile changed what is on disk). A container
   * written by this Hub while its file was being read keeps what this Hub wrote.
   */
  async rescan(): Promise<void> {
    const versions = new Map([...this.entries].map(([id, entry]) => [id, entry.version]));
    const onDisk = await listSandboxIds(this.root);
    const present = new Set(onDisk);
    for (const [id, version] of versions) if (!present.has(id)) this.dropIfUnchanged(id, version);
    await Promise.all(
      onDisk.map(async (id) => {
        const version = this.entries.get(id)?.version;
        const meta = await readMeta(this.root, id);
        if (this.entries.get(id)?.version !== version) return; // written meanwhile: that write is newer
        if (meta?.instance === this.instance) this.set(meta);
        else this.entries.delete(id);
      }),
    );
  }

  private async readOwn(id: string): Promise<SandboxMeta | undefined> {
    const version = this.entries.get(id)?.version;
    const meta = await readMeta(this.root, id);
    if (meta?.instance !== this.instance) return undefined;
    if (this.entries.get(id)?.version === version) this.set(meta);
    return this.entries.get(id)?.meta ?? meta;
  }

  private dropIfUnchanged(id: string, version: number): void {
    if (this.entries.get(id)?.version === version) this.entries.delete(id);
  }
}
