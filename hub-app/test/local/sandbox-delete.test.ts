/**
 * A delete answers once the sandbox's init has its SIGKILL and tears down the rest in the
 * background, up to MAX_TEARDOWNS at once: past that, deletes answer at the pace teardowns end.
 * Real processes stand in for sandbox inits and a real SandboxRoot retires their folders; the
 * cgroup step is held by the test, as a teardown slowed by a loaded host would be.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SandboxMeta } from "../../src/orchestrator/local/meta.js";
import { processStartTime } from "../../src/orchestrator/local/process-info.js";
import { removalsDone } from "../../src/orchestrator/local/remover.js";
import type { SandboxCgroups } from "../../src/orchestrator/local/sandbox-cgroups.js";
import {
  deleteSandbox,
  isTearingDown,
  MAX_TEARDOWNS,
  teardownsDone,
} from "../../src/orchestrator/local/sandbox-delete.js";
import { SandboxRoot } from "../../src/orchestrator/local/sandbox-root.js";
import { isEnding, silentContext, temporaryRoot } from "./sandbox-helpers.js";

let root: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(root, { recursive: true, force: true });
});

/** A process standing in for a sandbox's init, with the folder and the meta a delete is given. */
async function fakeSandbox(index: number): Promise<{ dir: string; meta: SandboxMeta }> {
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  children.push(child);
  const initPid = child.pid!;
  const initStartTime = await vi.waitFor(async () => {
    const startTime = await processStartTime(initPid);
    if (startTime === undefined) throw new Error(`sleep ${initPid} is not in /proc yet`);
    return startTime;
  });
  const id = `cnt-del${String(index).padStart(4, "0")}`;
  const dir = join(root, id);
  await mkdir(dir);
  return { dir, meta: { id, initPid, initStartTime } as SandboxMeta };
}

/** Cgroups whose removal waits until the test opens the gate, recording which sandboxes reached it. */
function heldCgroups(): { cgroups: SandboxCgroups; reached: string[]; open: () => void } {
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const reached: string[] = [];
  const cgroups = {
    remove: async (id: string) => {
      reached.push(id);
      await gate;
    },
  } as unknown as SandboxCgroups;
  return { cgroups, reached, open };
}

describe("deleting a sandbox", () => {
  it("answers at the kill while teardowns are few, and at the pace they end past MAX_TEARDOWNS", async () => {
    const sandboxes = await Promise.all(Array.from({ length: MAX_TEARDOWNS + 1 }, (_, i) => fakeSandbox(i)));
    const held = heldCgroups();
    const parts = {
      root: new SandboxRoot(root),
      claims: undefined,
      logger: silentContext.logger,
      cgroups: held.cgroups,
    };

    for (const { dir, meta } of sandboxes.slice(0, MAX_TEARDOWNS)) {
      expect(await deleteSandbox(parts, dir, meta)).toBe(true);
      expect(await isEnding(meta.initPid!)).toBe(true);
    }
    const retired = (await readdir(root)).filter((name) => name.startsWith(".deleting-"));
    expect(retired).toHaveLength(MAX_TEARDOWNS);
    expect(retired.every((name) => isTearingDown(join(root, name)))).toBe(true);

    const last = sandboxes[MAX_TEARDOWNS]!;
    let answered = false;
    const lastDelete = deleteSandbox(parts, last.dir, last.meta).then((removed) => {
      answered = true;
      return removed;
    });
    // Its teardown reached the held cgroup step: a delete answering at the kill would have answered long before.
    await vi.waitFor(() => expect(held.reached).toContain(last.meta.id), { timeout: 10_000 });
    expect(answered).toBe(false);

    held.open();
    expect(await lastDelete).toBe(true);
    await teardownsDone();
    await removalsDone();
    expect(await readdir(root)).toEqual([]);
    expect(held.reached).toHaveLength(MAX_TEARDOWNS + 1);
  });

  it("is false for a sandbox already gone, and kills nothing", async () => {
    const { dir, meta } = await fakeSandbox(900);
    await rm(dir, { recursive: true });
    const parts = {
      root: new SandboxRoot(root),
      claims: undefined,
      logger: silentContext.logger,
      cgroups: undefined,
    };
    expect(await deleteSandbox(parts, dir, meta)).toBe(false);
    expect(await processStartTime(meta.initPid!)).toBe(meta.initStartTime);
  });
});
