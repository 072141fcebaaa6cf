/**
 * A Hub killed with SIGKILL in the middle of a burst of creates (and of deletes) leaves folders
 * and processes behind; the next Hub over the same HUB_LOCAL_ROOT accounts for every one of them.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { removalsDone } from "../../src/orchestrator/local/remover.js";
import { sandboxProcesses } from "../../src/orchestrator/local/sandbox-processes.js";
import { ABANDONED_AFTER_MS } from "../../src/orchestrator/local/reconcile.js";
import { teardownsDone } from "../../src/orchestrator/local/sandbox-delete.js";
import { deleteAllAndRemove, localOrchestrator, temporaryRoot } from "./sandbox-helpers.js";

const HUB_APP = resolve(import.meta.dirname, "../..");
let root: string;

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await deleteAllAndRemove(localOrchestrator(root), root);
});

/** Starts the burst in another process and SIGKILLs it as soon as its first sandbox process exists, mid-launch. */
async function killMidBurst(count: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/local/fixtures/create-burst.ts", root, String(count), join(HUB_APP, "src")],
    { cwd: HUB_APP, stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise((done) => child.once("exit", done));
  await vi.waitUntil(async () => (await sandboxProcesses(root)).size > 0 || child.exitCode !== null, {
    timeout: 30_000,
    interval: 5,
  });
  child.kill("SIGKILL");
  await exited;
}

/** What a Hub that died before staging existed (or mid-delete) leaves: folders the API never sees. */
async function leftoversOfOlderCrashes(): Promise<void> {
  const longAgo = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
  for (const name of [
    "cnt-nometa01",
    ".new-cnt-halfmade1",
    ".new-cnt-halfmade2.4194300.1",
    ".deleting-cnt-halfgone1-5b7c",
  ]) {
    await mkdir(join(root, name, "work"), { recursive: true });
    await writeFile(join(root, name, "work", "file"), "x");
    await utimes(join(root, name), longAgo, longAgo);
  }
}

describe("a local Hub killed mid-burst", () => {
  it("leaves nothing the next Hub does not adopt or clean up: every folder has meta.json, nothing pending, no stray process", async () => {
    await killMidBurst(24);
    await leftoversOfOlderCrashes();

    const next = localOrchestrator(root);
    await next.reconcile();
    await removalsDone();

    const names = (await readdir(root)).filter((name) => name !== ".uids" && name !== ".warm");
    expect(names.filter((name) => name.startsWith("."))).toEqual([]);
    for (const name of names) expect((await stat(join(root, name, "meta.json"))).isFile()).toBe(true);
    const containers = await next.list();
    expect(containers.length).toBeGreaterThanOrEqual(1);
    expect(containers.filter((container) => container.status === "pending")).toEqual([]);
    // Every sandbox process left belongs to a container the API lists as running.
    const running = new Set(containers.filter((c) => c.status === "running").map((c) => c.id));
    expect([...(await sandboxProcesses(root)).keys()].filter((id) => !running.has(id))).toEqual([]);

    // A delete that answers true has ended every process of its sandbox: its teardown leaves none behind.
    for (const container of containers) expect(await next.delete(container.id)).toBe(true);
    await teardownsDone();
    expect([...(await sandboxProcesses(root)).keys()]).toEqual([]);
    await removalsDone();
    await vi.waitUntil(
      async () => (await readdir(root)).every((name) => name === ".uids" || name === ".warm"),
      {
        timeout: 30_000,
        interval: 50,
      },
    );
    // Every uid claim went with its sandbox.
    if (process.getuid?.() === 0) expect(await readdir(join(root, ".uids"))).toEqual([]);
  });
});
