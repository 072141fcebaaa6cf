/**
 * HUB_LOCAL_ROOT on a full, read-only or unwritable file system: every answer is a clear 503
 * (insufficient_storage), the truth about running containers is kept, nothing half-written is left.
 * A root Hub mounts a small tmpfs as the root; any other Hub gets a root it may not write.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/errors.js";
import { removalsDone } from "../../src/orchestrator/local/remover.js";
import { deleteAllAndRemove, localOrchestrator, spec, temporaryRoot } from "./sandbox-helpers.js";

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
let parent: string;
let root: string;

beforeAll(async () => {
  parent = await temporaryRoot();
  await chmod(parent, 0o711);
  root = join(parent, "sandboxes");
  await mkdir(root, { mode: 0o711 });
  if (isRoot) await run("mount", ["-t", "tmpfs", "-o", "size=32m,mode=0711", "tmpfs", root]);
});
afterAll(async () => {
  await run("mount", ["-o", "remount,rw", root]).catch(() => undefined);
  await chmod(root, 0o711).catch(() => undefined);
  await deleteAllAndRemove(localOrchestrator(root), root).catch(() => undefined);
  await removalsDone();
  if (isRoot) await run("umount", [root]);
  await deleteAllAndRemove(localOrchestrator(parent), parent);
});

/** Writes until the file system says ENOSPC. */
async function fill(path: string): Promise<void> {
  const file = await open(path, "w");
  const block = Buffer.alloc(1 << 20, 1);
  try {
    for (;;) await file.write(block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    await file.close();
  }
}

/** Every name under `dir`, recursively, that a failed write or create could leave. */
async function leftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => /(^|\/)\.new-|meta\.json\.tmp$/.test(name));
}

describe("a full or read-only HUB_LOCAL_ROOT (a tmpfs a root Hub mounts; an unwritable one otherwise)", () => {
  it("refuses creates with insufficient_storage, keeps running containers right, and leaves no partial sandbox", async () => {
    if (!isRoot) return expectUnwritableRefused();
    const orchestrator = localOrchestrator(root);
    const running = await orchestrator.create(spec());
    await orchestrator.ping();
    await fill(join(root, "ballast"));

    const refused = spec();
    await expect(orchestrator.create(refused)).rejects.toMatchObject({
      code: "insufficient_storage",
      status: ERROR_STATUS.insufficient_storage,
      message: expect.stringContaining(`no space left for sandboxes in HUB_LOCAL_ROOT (${root})`) as string,
    });
    await expect(orchestrator.ping()).rejects.toMatchObject({ code: "insufficient_storage" });
    // The truth is kept: still running, and a change that cannot be stored says why instead of "no container".
    expect(await orchestrator.get(running.id)).toMatchObject({ status: "running" });
    await expect(orchestrator.extend(running.id, new Date(Date.now() + 60_000))).rejects.toMatchObject({
      code: "insufficient_storage",
    });
    expect(await orchestrator.get(refused.id)).toBeUndefined();
    expect(await leftovers(root)).toEqual([]);
    expect(await orchestrator.delete(running.id)).toBe(true);
  });

  it("on a read-only file system answers insufficient_storage naming it, and readiness fails", async () => {
    if (!isRoot) return expectUnwritableRefused();
    const orchestrator = localOrchestrator(root);
    await run("mount", ["-o", "remount,ro", root]);
    try {
      await expect(orchestrator.create(spec())).rejects.toMatchObject({
        code: "insufficient_storage",
        message: expect.stringContaining("read-only file system") as string,
      });
      await expect(orchestrator.ping()).rejects.toMatchObject({ code: "insufficient_storage" });
    } finally {
      await run("mount", ["-o", "remount,rw", root]);
    }
  });
});

/** A Hub that is not root cannot mount: it meets a root it may not write, with the same answers. */
async function expectUnwritableRefused(): Promise<void> {
  const orchestrator = localOrchestrator(root);
  await chmod(root, 0o511);
  try {
    await expect(orchestrator.ping()).rejects.toMatchObject({ code: "insufficient_storage" });
    await expect(orchestrator.create(spec())).rejects.toMatchObject({
      code: "insufficient_storage",
      message: expect.stringContaining(root) as string,
    });
  } finally {
    await chmod(root, 0o711);
  }
}
