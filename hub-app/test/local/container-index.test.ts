import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAllAndRemove, localOrchestrator, spec, temporaryRoot } from "./sandbox-helpers.js";

let root: string;

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await deleteAllAndRemove(localOrchestrator(root), root);
});

describe("the local orchestrator's in-memory index of its containers", () => {
  it("sees what another Hub process on the same root creates, extends before a rescan only its own, and drops what another deletes", async () => {
    const [a, b] = [localOrchestrator(root), localOrchestrator(root)];
    expect(await b.list()).toEqual([]); // b's index is seeded (empty) before a creates anything
    const created = await a.create(spec());
    expect((await b.list()).map((container) => container.id)).toEqual([created.id]);
    expect((await b.get(created.id))?.status).toBe("running");

    const later = new Date(Date.now() + 7_200_000);
    await b.extend(created.id, later);
    expect((await b.get(created.id))?.expiresAt).toBe(later.toISOString());
    await a.reconcile(); // a rescans: it now knows b's extend
    expect((await a.get(created.id))?.expiresAt).toBe(later.toISOString());

    expect(await a.delete(created.id)).toBe(true);
    expect(await b.get(created.id)).toBeUndefined();
    expect(await b.list()).toEqual([]);
    expect(await b.delete(created.id)).toBe(false);
  });

  it("lists a container whose processes were killed as failed at once, and never runs in it", async () => {
    const hub = localOrchestrator(root);
    const created = await hub.create(spec());
    const running = await hub.list();
    expect(running.find((container) => container.id === created.id)?.status).toBe("running");
    const meta = await readFile(join(root, created.id, "meta.json"), "utf8");
    const { initPid } = JSON.parse(meta) as { initPid: number };
    process.kill(initPid, "SIGKILL");
    await expect.poll(async () => (await hub.get(created.id))?.status, { timeout: 10_000 }).toBe("failed");
    expect((await hub.list()).find((container) => container.id === created.id)?.status).toBe("failed");
    await expect(
      hub.run(created.id, { command: ["true"], timeoutMs: 5000, maxOutputBytes: 1024 }),
    ).rejects.toThrow(/not running/);
    expect(await hub.delete(created.id)).toBe(true);
  });
});
