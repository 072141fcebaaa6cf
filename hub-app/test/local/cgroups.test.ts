import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { detectCgroups } from "../../src/orchestrator/local/cgroup-detect.js";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { buildLauncher } from "../../src/orchestrator/local/launcher.js";
import { startArguments } from "../../src/orchestrator/local/sandbox-args.js";
import type { SandboxCgroups } from "../../src/orchestrator/local/sandbox-cgroups.js";
import { teardownsDone } from "../../src/orchestrator/local/sandbox-delete.js";
import { deleteAllAndRemove, localOrchestrator, run, spec, temporaryRoot } from "./sandbox-helpers.js";

// This host (root, cgroup v1 controllers mounted) must let the Hub use cgroups: these tests prove they hold.
let root: string;
let orchestrator: LocalOrchestrator;
let cgroups: SandboxCgroups;

beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
  const found = await detectCgroups(root);
  if (found.cgroups === undefined) throw new Error(`no cgroups on this host: ${found.reason}`);
  cgroups = found.cgroups;
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
});

const statOf = async (id: string, file: string): Promise<string> => readFile(cgroups.file(id, file), "utf8");
/** A counter of a flat-keyed cgroup file ("name value" lines: cpu.stat, pids.events, memory.oom_control, memory.events). */
const counter = async (id: string, file: string, name: string): Promise<number> =>
  Number(new RegExp(`^${name} (\\d+)$`, "m").exec(await statOf(id, file))?.[1] ?? NaN);
async function counterBelow(id: string, file: string, name: string): Promise<number> {
  const top = dirname(cgroups.file(id, file));
  const parts = (await readdir(top, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const files = [join(top, file), ...parts.map((part) => join(top, part.name, file))];
  const values = await Promise.all(
    files.map(async (path) => new RegExp(`^${name} (\\d+)$`, "m").exec(await readFile(path, "utf8"))?.[1]),
  );
  return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
}
const psArgs = async (id: string): Promise<string> =>
  (await run(orchestrator, id, ["ps", "-eo", "args"])).stdout;

describe("a local sandbox's cgroup", () => {
  it("has the container's memory, cpu and the task limit", async () => {
    const { id } = await orchestrator.create(spec({ memoryMiB: 96, cpu: 0.5 }));
    const v2 = cgroups.layout.version === 2;
    expect(await statOf(id, v2 ? "memory.max" : "memory.limit_in_bytes")).toBe(`${96 * 1024 * 1024}\n`);
    expect(await statOf(id, "pids.max")).toBe("128\n");
    if (v2) expect(await statOf(id, "cpu.max")).toBe("50000 100000\n");
    else expect(await statOf(id, "cpu.cfs_quota_us")).toBe("50000\n");
    await orchestrator.delete(id);
  });

  it("kills a process allocating past the memory, tmpfs pages counted", async () => {
    const { id } = await orchestrator.create(spec({ memoryMiB: 64 }));
    // 40 MiB in /dev/shm (within its 64 MiB tmpfs and tail's own 64 MiB RLIMIT_DATA): the cgroup's limit is what is hit.
    const result = await run(
      orchestrator,
      id,
      ["sh", "-c", "head -c 40M /dev/zero > /dev/shm/fill && tail /dev/zero"],
      30_000,
    );
    expect(result).toMatchObject({ timedOut: false, exitCode: 137 });
    expect(result.stderr).not.toMatch(/memory exhausted/); // not tail's own RLIMIT_DATA
    // v2's memory.events counts the OOM kills below it; v1 counts them in the victim's (gone) run cgroup: its peak shows the limit was reached.
    if (cgroups.layout.version === 2)
      expect(await counter(id, "memory.events", "oom_kill")).toBeGreaterThan(0);
    else expect(await statOf(id, "memory.max_usage_in_bytes")).toBe(`${64 * 1024 * 1024}\n`);
    await orchestrator.delete(id);
  });

  it("stops a fork bomb at pids.max; the delete still ends it all", async () => {
    const { id } = await orchestrator.create(spec());
    const result = await run(orchestrator, id, ["sh", "-c", "while :; do sleep 300 & done"], 20_000);
    // dash gives up at the first fork refused (EAGAIN): the bomb ends, its children stay within the limit.
    expect(result).toMatchObject({ timedOut: false, exitCode: 2 });
    expect(result.stderr).toMatch(/fork/i);
    // The refusals are counted in the cgroup of the task that forked (the bomb's run): summed over the sandbox's.
    expect(await counterBelow(id, "pids.events", "max")).toBeGreaterThan(0);
    expect(Number(await statOf(id, "pids.current"))).toBeLessThanOrEqual(128);
    expect(await orchestrator.delete(id)).toBe(true);
    await teardownsDone();
    expect(cgroups.ids()).not.toContain(id);
  });

  it("kills what a timed-out run started outside its process group and session, and keeps an earlier run's server", async () => {
    const { id } = await orchestrator.create(spec());
    await run(orchestrator, id, ["sh", "-c", "nohup sleep 301 >/dev/null 2>&1 &"]);
    const loop = "setsid sh -c 'while :; do :; done' >/dev/null 2>&1 & sleep 60";
    expect(await run(orchestrator, id, ["sh", "-c", loop], 500)).toMatchObject({ timedOut: true });
    // The run answers once its cgroup is empty: nothing of it is left to wait for.
    const after = await psArgs(id);
    expect(after).not.toContain("while");
    expect(after).toContain("sleep 301");
    await orchestrator.delete(id);
  });

  it("gives a run the part an earlier run left empty, never one a background process still holds", async () => {
    const { id } = await orchestrator.create(spec());
    const sandboxCgroup = dirname(
      cgroups.file(id, cgroups.layout.version === 2 ? "cgroup.kill" : "freezer.state"),
    );
    const runParts = async (): Promise<string[]> =>
      (await readdir(sandboxCgroup)).filter((name) => name.startsWith("run-")).sort();
    const members = async (part: string): Promise<string> =>
      (await readFile(join(sandboxCgroup, part, "cgroup.procs"), "utf8")).trim();

    await run(orchestrator, id, ["true"]);
    const [first, ...others] = await runParts();
    expect(others).toEqual([]);
    expect(await members(first!)).toBe("");
    await run(orchestrator, id, ["true"]);
    expect(await runParts()).toEqual([first]);
    // This run leaves a server behind in the part it was given: the next run gets another.
    await run(orchestrator, id, ["sh", "-c", "nohup sleep 303 >/dev/null 2>&1 &"]);
    expect(await members(first!)).not.toBe("");
    await run(orchestrator, id, ["true"]);
    const parts = await runParts();
    expect(parts).toHaveLength(2);
    const spare = parts.find((part) => part !== first)!;
    // The reaper's pass removes neither: one holds a process, the other is this Hub's spare.
    await orchestrator.reconcile();
    expect(await runParts()).toEqual(parts);
    await run(orchestrator, id, ["true"]);
    expect(await runParts()).toEqual(parts);
    expect(await members(spare)).toBe("");
    await orchestrator.delete(id);
  });

  it("gives the init and each run a part only where cgroups are killed; elsewhere they join the sandbox's own", async () => {
    const { id } = await orchestrator.create(spec());
    await run(orchestrator, id, ["sh", "-c", "nohup sleep 302 >/dev/null 2>&1 &"]);
    const killDir = dirname(cgroups.file(id, cgroups.layout.version === 2 ? "cgroup.kill" : "freezer.state"));
    for (const hierarchy of cgroups.layout.hierarchies) {
      const sandbox = join(hierarchy.dir, id);
      const parts = (await readdir(sandbox, { withFileTypes: true })).filter((entry) => entry.isDirectory());
      if (sandbox === killDir) {
        expect(parts.map((part) => part.name).sort()).toEqual(["init", expect.stringMatching(/^run-/)]);
      } else {
        expect(parts).toEqual([]);
        // The background sleep (and the init) are members of the sandbox's own cgroup here, under its limits.
        // Waited for: the run answers once its sh has exited, maybe before the child it forked has exec'd sleep.
        await vi.waitFor(async () => {
          const members = (await readFile(join(sandbox, "cgroup.procs"), "utf8")).trim().split("\n");
          const commands = await Promise.all(
            members.map(async (pid) =>
              (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ").trim(),
            ),
          );
          expect(commands).toContain("sleep 302");
          expect(commands).toContain("sleep infinity");
        });
      }
    }
    await orchestrator.delete(id);
  });

  it("throttles a busy loop to the container's cpu (the cgroup's own cpu.stat)", async () => {
    const { id } = await orchestrator.create(spec({ cpu: 0.1 }));
    await run(orchestrator, id, ["sh", "-c", "setsid sh -c 'while :; do :; done' >/dev/null 2>&1 &"]);
    await vi.waitUntil(async () => (await counter(id, "cpu.stat", "nr_throttled")) > 0, {
      timeout: 10_000,
      interval: 50,
    });
    await orchestrator.delete(id);
  });

  it("is removed with its sandbox", async () => {
    const { id } = await orchestrator.create(spec());
    await run(orchestrator, id, ["sh", "-c", "nohup sleep 300 >/dev/null 2>&1 &"]);
    expect(cgroups.ids()).toContain(id);
    await orchestrator.delete(id);
    // The delete answers at the kill; the cgroup goes once its processes have ended.
    await teardownsDone();
    expect(cgroups.ids()).not.toContain(id);
    for (const hierarchy of cgroups.layout.hierarchies)
      expect(existsSync(join(hierarchy.dir, id))).toBe(false);
  });

  it("is emptied and removed by a reconcile once its sandbox's folder is gone (a Hub killed mid-delete)", async () => {
    const { id } = await orchestrator.create(spec());
    const procs = cgroups.enter(id, "run-left");
    const left = spawn(...(await joinCommand([...procs!], ["/bin/sleep", "300"])), { stdio: "ignore" });
    await vi.waitUntil(async () => (await statOf(id, "pids.current").catch(() => "0")) !== "0\n", {
      timeout: 5000,
    });
    // The sandbox's folder goes as a crashed delete leaves it; its processes and cgroup stay.
    await rm(join(root, id), { recursive: true, force: true });
    await orchestrator.reconcile();
    expect(cgroups.ids()).not.toContain(id);
    await vi.waitUntil(() => left.exitCode !== null || left.signalCode !== null, { timeout: 5000 });
    expect(left.signalCode).toBe("SIGKILL");
  });
});

async function joinCommand(
  procsFiles: string[],
  command: [string, ...string[]],
): Promise<[string, string[]]> {
  const [program, ...rest] = command;
  const start = startArguments({ launcher: await buildLauncher(), cgroupProcs: procsFiles }, program);
  const [launcher = "", ...args] = [...start, ...rest];
  return [launcher, args];
}
