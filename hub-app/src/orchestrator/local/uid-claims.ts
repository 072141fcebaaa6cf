import { closeSync, openSync } from "node:fs";
import { mkdir, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { pickHostUid } from "./host-uids.js";

const UID_FILE = /^\d+$/;

/**
 * Host uids held by sandboxes under one HUB_LOCAL_ROOT, claimed in constant time however many
 * sandboxes there are: a random candidate not in the in-memory set (seeded once from the claims
 * folder), made this sandbox's by creating `<root>/.uids/<uid>` with O_CREAT|O_EXCL, which exactly
 * one process on the machine can do (open(2)). Other Hub processes over the same root race on the
 * same files, so a uid is never handed out twice.
 */
export class UidClaims {
  private readonly taken = new Set<number>();
  private seeded: Promise<void> | undefined;
  readonly folder: string;

  constructor(root: string) {
    this.folder = join(root, ".uids");
  }

  /** Claims a free uid. */
  async claim(): Promise<number> {
    await this.seed();
    for (;;) {
      const uid = pickHostUid(this.taken);
      this.taken.add(uid);
      if (this.record(uid)) return uid;
    }
  }

  /** Records `uid` as held when no claim names it (a sandbox from before claims were kept). */
  async adopt(uid: number): Promise<void> {
    await this.seed();
    if (this.taken.has(uid)) return;
    this.taken.add(uid);
    this.record(uid);
  }

  async release(uid: number): Promise<void> {
    await unlink(join(this.folder, String(uid))).catch(() => undefined);
    this.taken.delete(uid);
  }

  /** Claims older than `graceMs` (so not a create in progress) whose uid is not in `held`. */
  async stale(held: ReadonlySet<number>, graceMs: number): Promise<number[]> {
    const now = Date.now();
    const names = (await readdir(this.folder).catch(() => [] as string[])).filter((name) =>
      UID_FILE.test(name),
    );
    const stale: number[] = [];
    for (const name of names) {
      const uid = Number(name);
      if (held.has(uid)) continue;
      const claimed = await stat(join(this.folder, name)).catch(() => undefined);
      if (claimed !== undefined && now - claimed.mtimeMs > graceMs) stale.push(uid);
    }
    return stale;
  }

  /** Reads the claims on disk once per Hub; later claims by other processes are met as EEXIST. */
  private seed(): Promise<void> {
    this.seeded ??= (async () => {
      await mkdir(this.folder, { recursive: true, mode: 0o700 });
      for (const name of await readdir(this.folder)) if (UID_FILE.test(name)) this.taken.add(Number(name));
    })();
    this.seeded.catch(() => (this.seeded = undefined));
    return this.seeded;
  }

  private record(uid: number): boolean {
    try {
      // Empty: the name is the claim, so a full disk cannot leave half of one.
      // Synchronous, as a create's other small calls on HUB_LOCAL_ROOT are (sandbox-root.ts says why).
      closeSync(openSync(join(this.folder, String(uid)), "wx", 0o600));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      this.taken.delete(uid);
      throw error;
    }
  }
}
